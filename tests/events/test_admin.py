from decimal import Decimal

import pytest

from events.models import Order
from tests.events.factories import PromoCodeFactory, TicketTypeFactory, place_order

pytestmark = pytest.mark.django_db


def test_staff_see_codes_and_orders_and_approve(admin_client, django_capture_on_commit_callbacks):
    student = TicketTypeFactory(name="Student", needs_approval=True, price=Decimal("99.00"))
    PromoCodeFactory(event=student.event, code="COMMUNITY20")
    order = place_order(student, name="Sam", email="sam@example.org")
    assert "COMMUNITY20" in admin_client.get("/admin/events/promocode/").content.decode()
    orders = admin_client.get("/admin/events/order/")
    assert orders.status_code == 200 and order.code in orders.content.decode()
    assert admin_client.get(f"/admin/events/order/edit/{order.pk}/").status_code in (302, 403)
    assert order.code in admin_client.get("/admin/events/approvals/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/admin/events/approvals/", {"order": order.pk})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.approved_at is not None and order.status == Order.Status.PENDING
