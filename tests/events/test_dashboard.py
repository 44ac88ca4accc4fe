"""The Events staff dashboard: capacity, revenue, sponsorships, waiting list, orders, CSV exports."""

import csv
import io
from decimal import Decimal

import pytest

from events import selectors, services
from events.models import Order, SponsorshipPackage
from tests.events.factories import EventFactory, TicketTypeFactory, buyer, paid_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def summit():
    event = EventFactory(slug="summit")
    full = TicketTypeFactory(event=event, name="Full access", capacity=3, price=Decimal("0"))
    paid = TicketTypeFactory(event=event, name="Workshop", capacity=10, price=Decimal("100.00"))
    return event, full, paid


def _download(client, url: str) -> io.StringIO:
    """A streamed CSV export, read whole."""
    return io.StringIO(b"".join(client.get(url).streaming_content).decode())


def test_dashboard_shows_sold_held_capacity_and_waiting(events_staff, summit, django_assert_max_num_queries):
    event, full, paid = summit
    paid_order(event, full, n=1, quantity=2)
    services.order_create(event=event, quantities={full.pk: 1}, accepted_code_of_conduct=True, **buyer(2))
    services.order_create(event=event, quantities={paid.pk: 2}, accepted_code_of_conduct=True, **buyer(3))
    services.waiting_list_join(ticket_type=full, email="w@example.org", quantity=1)
    SponsorshipPackage.objects.create(event=event, name="Headline", price=Decimal("1000"), slots=2)
    with django_assert_max_num_queries(40):
        response = events_staff.get("/admin/events/dashboard/?event=summit")
    assert response.status_code == 200
    rows = {row["ticket_type"].name: row for row in response.context["stats"]["ticket_types"]}
    assert (rows["Full access"]["sold"], rows["Full access"]["held"], rows["Full access"]["available"]) == (
        3,
        0,
        0,
    )  # free orders are paid at once
    assert rows["Full access"]["waiting"] == 1
    assert (rows["Workshop"]["sold"], rows["Workshop"]["held"]) == (0, 2)
    body = response.content.decode()
    assert "w@example.org" in body and "Headline" in body


def test_search_cancel_and_csv_exports(events_staff, summit):
    event, full, paid = summit
    order = paid_order(event, full, n=7, quantity=1, name="=HYPERLINK(evil)")
    assert (
        order.code in events_staff.get(f"/admin/events/dashboard/?event=summit&q={order.buyer_email}").content.decode()
    )
    response = events_staff.post("/admin/events/dashboard/", {"event": "summit", "order": order.pk, "action": "cancel"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELED

    orders = list(csv.reader(_download(events_staff, "/admin/events/dashboard/summit/orders.csv")))
    assert orders[0][:3] == ["code", "status", "buyer_name"] and orders[1][:2] == [order.code, "canceled"]
    other = paid_order(event, full, n=8, quantity=1, name="=HYPERLINK(evil)")
    attendees = list(csv.reader(_download(events_staff, "/admin/events/dashboard/summit/attendees.csv")))
    assert attendees[1][0] == "'=HYPERLINK(evil)" and attendees[1][6] == other.code


def test_exports_leave_empty_cells_empty_and_the_dashboard_shows_money(events_staff, summit):
    event, full, paid = summit
    paid_order(event, full, n=9, quantity=1)
    attendees = list(csv.DictReader(_download(events_staff, "/admin/events/dashboard/summit/attendees.csv")))
    assert attendees and all("'" not in value for row in attendees for value in row.values())
    assert any(value == "" for row in attendees for value in row.values())
    body = events_staff.get("/admin/events/dashboard/?event=summit").content.decode()
    revenue = selectors.event_dashboard(event)["ticket_revenue"]
    assert f"{revenue:,.2f}\u00a0{event.currency}" in body
