"""A canceled sponsorship is not paid, and an order whose card payment was taken back by a lost
dispute is flagged for staff, not canceled."""

import json
import time
from decimal import Decimal

import pytest
from django.core import mail

from events import services
from events.models import Order, Sponsorship
from portal.accounts.groups import EVENTS_STAFF
from portal.payments.models import PaymentStatus
from tests.accounts.factories import UserFactory
from tests.events.factories import TicketTypeFactory, payable_order
from tests.events.test_sponsorships import summit  # noqa: F401 - the fixture
from tests.members.factories import OrganizationFactory
from tests.payments.conftest import sign

pytestmark = pytest.mark.django_db


def _post(client, event_id: str, kind: str, obj: dict):
    body = json.dumps({"id": event_id, "type": kind, "created": int(time.time()), "data": {"object": obj}}).encode()
    return client.post(
        "/payments/stripe/webhook/", body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(body)
    )


def test_a_canceled_sponsorship_is_not_offered_for_payment(client, summit):  # noqa: F811
    _, _, headline = summit
    staff = UserFactory(groups=[EVENTS_STAFF])
    sponsorship = services.sponsorship_request(
        package=headline,
        organization=OrganizationFactory(name="Acme Cloud"),
        contact_email="a@acme.example",
        actor=staff,
    )
    services.sponsorship_approve(sponsorship=sponsorship, actor=staff)
    payment = services.sponsorship_invoice(sponsorship=sponsorship, method="card", actor=staff)
    assert 'id="card-form"' in client.get(payment.get_absolute_url()).content.decode()
    services.sponsorship_cancel(sponsorship=sponsorship, actor=staff, reason="Budget cut")
    page = client.get(payment.get_absolute_url()).content.decode()
    assert "This sponsorship was canceled, so its invoice can no longer be paid." in page
    assert 'id="card-form"' not in page and 'href="/events/summit/sponsor/"' in page
    response = client.post(f"/payments/{payment.public_id}/card/", {"token": "tok_visa"}, follow=True)
    assert "This sponsorship was canceled" in response.content.decode()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CREATED and payment.stripe_payment_intent_id == ""
    assert Sponsorship.objects.get().status == Sponsorship.Status.CANCELED


def test_a_lost_dispute_flags_the_order_and_reverses_the_ledger(client, django_capture_on_commit_callbacks):
    ticket_type = TicketTypeFactory(capacity=5, price=Decimal("250.00"))
    order, payment = payable_order(ticket_type, name="Mal", email="mal@example.org")
    intent = {
        "id": "pi_order_1",
        "amount": 25000,
        "currency": payment.currency.lower(),
        "status": "succeeded",
        "latest_charge": "ch_order_1",
        "metadata": {"guildhall_payment": payment.public_id},
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(client, "evt_order_paid", "payment_intent.succeeded", intent).status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    dispute = {
        "id": "dp_order_1",
        "amount": 25000,
        "currency": payment.currency.lower(),
        "charge": "ch_order_1",
        "reason": "fraudulent",
        "status": "lost",
        "evidence_details": {"due_by": None},
    }
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(client, "evt_order_lost", "charge.dispute.closed", dispute).status_code == 200
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == Order.Status.PAID and order.canceled_at is None  # staff decide, nothing silently canceled
    assert order.flagged_reason == f"Card dispute lost: {payment.amount_display} taken back"
    assert payment.status == PaymentStatus.REFUNDED and payment.amount_refunded == Decimal("250.00")
    assert payment.invoices.filter(kind="credit_note").count() == 1
    assert [m.to for m in mail.outbox] == [["finance@openinfra.example"]]
