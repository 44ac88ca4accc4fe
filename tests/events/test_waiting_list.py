"""The waiting list of a sold-out ticket type."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from events import services
from events.exceptions import SoldOut, WaitingListInvalid
from events.models import Order, WaitingListEntry
from tests.events.factories import EventFactory, TicketTypeFactory, buyer

pytestmark = pytest.mark.django_db


def _link(message, kind: str) -> str:
    return re.search(rf"https?://[^/\s]+(/events/[^\s]+/waiting-list/{kind}/[^\s]+/)", message.body).group(1)


@pytest.fixture
def sold_out():
    event = EventFactory(slug="summit")
    full = TicketTypeFactory(event=event, name="Full access", capacity=1, price=Decimal("500.00"))
    holder = services.order_create(event=event, quantities={full.pk: 1}, accepted_code_of_conduct=True, **buyer(1))
    return event, full, holder


def _join(client, full, email, quantity=1):
    return client.post(
        f"/events/summit/waiting-list/?ticket_type={full.pk}",
        {"ticket_type": full.pk, "email": email, "quantity": quantity},
    )


def test_acceptance_2_returned_seat_goes_to_the_first_waiting_person_by_link_only(
    client, sold_out, django_capture_on_commit_callbacks
):
    event, full, holder = sold_out
    register = client.get("/events/summit/register/")
    assert "Join the waiting list" in register.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert _join(client, full, "first@example.org").status_code == 200
        assert _join(client, full, "second@example.org").status_code == 200
    assert [m.to for m in mail.outbox] == [["first@example.org"], ["second@example.org"]]
    mail.outbox.clear()

    # The held order's 15 minutes run out: its seat goes to the first person waiting, not to the public.
    with time_machine.travel(timezone.now() + timedelta(minutes=20)):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.orders_expire() == 1
        holder.refresh_from_db()
        assert holder.status == Order.Status.EXPIRED
        first = WaitingListEntry.objects.get(email="first@example.org")
        assert first.status == WaitingListEntry.Status.OFFERED
        assert WaitingListEntry.objects.get(email="second@example.org").status == WaitingListEntry.Status.WAITING
        assert len(mail.outbox) == 1 and mail.outbox[0].to == ["first@example.org"]
        offer_url = _link(mail.outbox[0], "offer")

        # Someone else cannot take the seat: neither through the register page nor with a forged link.
        with pytest.raises(SoldOut):
            services.order_create(event=event, quantities={full.pk: 1}, accepted_code_of_conduct=True, **buyer(3))
        assert client.get(offer_url[:-3] + "xx/").status_code == 404

        # The first person buys it with the link.
        page = client.get(offer_url)
        assert page.status_code == 200 and "Take my seats" in page.content.decode()
        response = client.post(
            offer_url,
            {
                "buyer_name": "First Person",
                "buyer_email": "first@example.org",
                "attendee_1_name": "First Person",
                "accept_code_of_conduct": "on",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        order = Order.objects.get(buyer_email="first@example.org")
        assert order.status == Order.Status.PENDING and order.total == Decimal("500.00")
        first.refresh_from_db()
        assert first.status == WaitingListEntry.Status.ORDERED and first.order == order
        # The link is used up.
        assert client.post(offer_url, {"buyer_name": "Again", "buyer_email": "x@example.org"}).status_code == 410


def test_an_offer_expires_and_passes_to_the_next_person(sold_out, django_capture_on_commit_callbacks):
    event, full, holder = sold_out
    first = services.waiting_list_join(ticket_type=full, email="first@example.org", quantity=1)
    second = services.waiting_list_join(ticket_type=full, email="second@example.org", quantity=1)
    services.order_cancel(order=holder)
    first.refresh_from_db()
    assert first.status == WaitingListEntry.Status.OFFERED
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        assert services.waiting_list_expire_offers() == 1
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.status == WaitingListEntry.Status.EXPIRED
        assert second.status == WaitingListEntry.Status.OFFERED
        with pytest.raises(Exception, match="expired"):
            services.order_create(
                event=event,
                quantities={full.pk: 1},
                accepted_code_of_conduct=True,
                waiting_list_entry=first,
                **buyer(1),
            )


def test_leave_with_one_click_from_the_email(client, sold_out, django_capture_on_commit_callbacks):
    _, full, _ = sold_out
    with django_capture_on_commit_callbacks(execute=True):
        _join(client, full, "leaver@example.org")
    leave_url = _link(mail.outbox[0], "leave")
    assert mail.outbox[0].extra_headers["List-Unsubscribe"].startswith("<http")
    assert "Leave the waiting list" in client.get(leave_url).content.decode()
    assert "You left the waiting list" in client.post(leave_url).content.decode()
    assert WaitingListEntry.objects.get().status == WaitingListEntry.Status.LEFT


def test_cannot_join_when_seats_are_free_or_twice(sold_out):
    event, full, _ = sold_out
    free = TicketTypeFactory(event=event, capacity=10)
    with pytest.raises(WaitingListInvalid, match="not sold out"):
        services.waiting_list_join(ticket_type=free, email="a@example.org", quantity=1)
    services.waiting_list_join(ticket_type=full, email="a@example.org", quantity=1)
    with pytest.raises(WaitingListInvalid, match="already"):
        services.waiting_list_join(ticket_type=full, email="A@example.org", quantity=1)


@pytest.mark.postgres
def test_leaving_locks_the_ticket_type_before_the_entry_as_an_offer_does(sold_out):
    """Offers lock the ticket type, then the entries they pick: leaving in the other order could deadlock."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _, full, _ = sold_out
    entry = services.waiting_list_join(ticket_type=full, email="leaver@example.org", quantity=1)
    with CaptureQueriesContext(connection) as leave:
        services.waiting_list_leave(entry=entry)

    def locked(queries) -> list[str]:
        tables = []
        for query in queries:
            if "FOR UPDATE" in query["sql"]:
                tables.append(re.search(r'FROM "(\w+)"', query["sql"]).group(1))
        return tables

    assert locked(leave.captured_queries)[:2] == ["events_tickettype", "events_waitinglistentry"]
    assert WaitingListEntry.objects.get().status == WaitingListEntry.Status.LEFT
