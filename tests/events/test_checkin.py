"""Check-in at the door (acceptance 3): once per ticket, the time of the first scan, other events refused."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.utils import timezone

from events.models import Order, Ticket
from portal.accounts.groups import EVENTS_STAFF
from tests.accounts.factories import UserFactory
from tests.events.factories import EventFactory, TicketTypeFactory, paid_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def summit():
    event = EventFactory(slug="summit", time_zone="America/Vancouver")
    return event, TicketTypeFactory(event=event, name="Full access")


def test_acceptance_3_second_scan_says_already_checked_in_with_the_local_time(events_staff, summit):
    event, full = summit
    ticket = paid_order(event, full, name="Grace Hopper").tickets.get()
    other_event = EventFactory(slug="other-summit")
    other_ticket = paid_order(other_event, TicketTypeFactory(event=other_event), n=2).tickets.get()

    # 16:05 UTC is 09:05 in Vancouver (PDT) on 1 June.
    with time_machine.travel(datetime(2026, 6, 1, 16, 5, tzinfo=UTC), tick=False):
        first = events_staff.post("/api/v1/events/summit/checkin/", {"code": ticket.code})
    assert first.status_code == 200, first.content
    assert first.json()["attendee_name"] == "Grace Hopper" and first.json()["checked_in_at"]

    second = events_staff.post("/api/v1/events/summit/checkin/", {"code": ticket.code})
    assert second.status_code == 409
    assert second.json()["code"] == "already_checked_in"
    assert second.json()["message"].startswith("Already checked in at 09:05")
    assert second.json()["extra"]["local_time"] == "09:05"

    refused = events_staff.post("/api/v1/events/summit/checkin/", {"code": other_ticket.code})
    assert refused.status_code == 409 and refused.json()["code"] == "wrong_event"
    other_ticket.refresh_from_db()
    assert other_ticket.checked_in_at is None

    # The page says the same.
    page = events_staff.post("/events/summit/checkin/", {"code": ticket.code})
    assert page.status_code == 409
    assert "Already checked in at 09:05" in page.content.decode()
    page = events_staff.post("/events/summit/checkin/", {"code": other_ticket.code})
    assert page.status_code == 409
    assert f"This ticket is for {other_event.name}, not {event.name}." in page.content.decode()


def test_unknown_and_unpaid_tickets_do_not_admit(events_staff, summit):
    event, full = summit
    from events import services

    pending = services.order_create(
        event=event, buyer_name="B", buyer_email="b@example.org", quantities={full.pk: 1}, accepted_code_of_conduct=True
    )
    assert pending.status == Order.Status.PENDING
    response = events_staff.post("/api/v1/events/summit/checkin/", {"code": pending.tickets.get().code})
    assert response.status_code == 409 and response.json()["code"] == "ticket_not_valid"
    response = events_staff.post("/api/v1/events/summit/checkin/", {"code": "nope"})
    assert response.status_code == 404 and response.json()["code"] == "ticket_not_found"


def test_search_by_name_or_email_then_check_in_from_the_list(events_staff, summit, django_assert_max_num_queries):
    event, full = summit
    for n in range(5):
        paid_order(event, full, n=n, name=f"Margaret Hamilton {n}")
    with django_assert_max_num_queries(15):
        page = events_staff.get("/events/summit/checkin/?q=hamilton")
    assert page.status_code == 200
    body = page.content.decode()
    assert body.count("Check in Margaret Hamilton") == 5
    assert "0 of 5 tickets checked in" in body
    page = events_staff.get("/events/summit/checkin/?q=buyer3@example.org")
    assert page.content.decode().count("Check in Margaret Hamilton 3") == 1


def test_only_events_staff_may_check_in(client, summit):
    event, full = summit
    ticket = paid_order(event, full).tickets.get()
    assert client.post("/api/v1/events/summit/checkin/", {"code": ticket.code}).status_code == 401
    assert client.get("/events/summit/checkin/").status_code == 302  # to the log-in page
    staff_without_code = UserFactory(groups=[EVENTS_STAFF])
    client.force_login(staff_without_code)  # password only: the second factor is missing
    assert client.post("/api/v1/events/summit/checkin/", {"code": ticket.code}).status_code == 403
    assert client.get("/events/summit/checkin/").status_code == 302
    client.force_login(UserFactory())
    assert client.post("/api/v1/events/summit/checkin/", {"code": ticket.code}).status_code == 403
    assert client.get("/events/summit/checkin/").status_code == 403
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


def test_the_door_counts_valid_tickets_and_those_checked_in(events_staff, summit):
    """Tickets of paid orders count, canceled ones and those of unpaid orders do not."""
    event, full = summit
    tickets = [paid_order(event, full, n=n).tickets.get() for n in range(4)]
    events_staff.post("/api/v1/events/summit/checkin/", {"code": tickets[0].code})
    Ticket.objects.filter(pk=tickets[1].pk).update(canceled_at=timezone.now())
    unpaid = paid_order(event, full, n=9)
    Order.objects.filter(pk=unpaid.pk).update(status=Order.Status.PENDING)
    assert "1 of 3 tickets checked in" in events_staff.get("/events/summit/checkin/").content.decode()
