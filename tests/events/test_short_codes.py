"""The short code under every QR code: readable aloud, typed at the door in any case, with or without the dash."""

import io
import re

import pytest
from django.core import mail
from django.test import override_settings
from pypdf import PdfReader

from events import services
from events.documents import order_tickets_pdf
from events.exceptions import TicketNotFound, WrongEvent
from events.models import Ticket
from events.selectors import order_with_details, tickets_for_checkin
from events.ticket_codes import ALPHABET, format_short_code, normalize_short_code
from portal.accounts.groups import EVENTS_STAFF
from tests.events.factories import EventFactory, TicketTypeFactory, paid_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def summit():
    event = EventFactory(slug="summit")
    return event, TicketTypeFactory(event=event, name="Full access")


def test_every_new_ticket_gets_a_distinct_short_code_of_the_unambiguous_alphabet(summit):
    event, full = summit
    order = paid_order(event, full, quantity=3)
    codes = [ticket.short_code for ticket in order.tickets.all()]
    assert len(set(codes)) == 3
    for code in codes:
        assert len(code) == 8 and set(code) <= set(ALPHABET)
        assert not set(code) & set("ILOU")


def test_typed_codes_are_read_whatever_the_case_dashes_and_look_alikes():
    assert normalize_short_code("7kq4-m2xp") == "7KQ4M2XP"
    assert normalize_short_code(" 7KQ4 M2XP ") == "7KQ4M2XP"
    assert normalize_short_code("7KQ4-M2XO") == "7KQ4M2X0"  # O typed for zero
    assert normalize_short_code("1ILL-0000") == "11110000"
    assert normalize_short_code("7KQ4-M2X") is None  # too short
    assert normalize_short_code("7KQ4-M2XU") is None  # U is not in the alphabet
    assert format_short_code("7KQ4M2XP") == "7KQ4-M2XP"


def test_the_desk_admits_a_short_code_typed_in_lower_case_without_the_dash(summit):
    event, full = summit
    ticket = paid_order(event, full, name="Grace Hopper").tickets.get()
    typed = ticket.short_code.lower()
    admitted = services.ticket_check_in(event=event, code=typed, actor=None)
    assert admitted.pk == ticket.pk and admitted.checked_in_at is not None


def test_a_short_code_of_another_event_or_nobody_is_refused(summit):
    event, full = summit
    other = EventFactory(slug="other")
    elsewhere = paid_order(other, TicketTypeFactory(event=other), n=1).tickets.get()
    with pytest.raises(WrongEvent):
        services.ticket_check_in(event=event, code=format_short_code(elsewhere.short_code), actor=None)
    unused = next(f"{c}0000000" for c in ALPHABET if not Ticket.objects.filter(short_code=f"{c}0000000").exists())
    with pytest.raises(TicketNotFound):
        services.ticket_check_in(event=event, code=unused, actor=None)


def test_the_check_in_page_and_api_take_the_dashed_code(summit, staff_groups, staff_client_factory):
    event, full = summit
    first, second = paid_order(event, full, quantity=2).tickets.all()
    client = staff_client_factory(groups=[EVENTS_STAFF])
    page = client.post("/events/summit/checkin/", {"code": format_short_code(first.short_code).lower()})
    assert page.status_code == 200
    assert "checked in" in page.content.decode()
    api = client.post("/api/v1/events/summit/checkin/", {"code": format_short_code(second.short_code)})
    assert api.status_code == 200, api.content
    assert api.json()["short_code"] == second.short_code


def test_check_in_search_matches_company_and_short_code(summit):
    event, full = summit
    order = services.order_create(
        event=event,
        quantities={full.pk: 2},
        attendees=[{"name": "Ada Lovelace", "company": "Analytical Engines Ltd"}, {"name": "Alan Turing"}],
        accepted_code_of_conduct=True,
        buyer_name="Buyer",
        buyer_email="buyer@example.org",
    )
    services.order_payment_succeeded(order=order, amount=order.total)
    ada, alan = order.tickets.order_by("pk")
    assert [t.pk for t in tickets_for_checkin(event=event, query="analytical")] == [ada.pk]
    assert [t.pk for t in tickets_for_checkin(event=event, query=format_short_code(alan.short_code).lower())] == [
        alan.pk
    ]


def test_the_printable_tickets_and_the_e_mail_show_the_short_code(summit, django_capture_on_commit_callbacks):
    event, full = summit
    with django_capture_on_commit_callbacks(execute=True):
        paid = paid_order(event, full, quantity=2)
    order = order_with_details(paid.pk)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(order_tickets_pdf(order))).pages)
    for ticket in order.tickets.all():
        assert format_short_code(ticket.short_code) in text
    message = next(m for m in mail.outbox if "Your tickets" in m.subject)
    html = message.alternatives[0][0]
    for ticket in order.tickets.all():
        assert format_short_code(ticket.short_code) in message.body
        assert format_short_code(ticket.short_code) in html


@override_settings(SITE_URL="http://testserver")
def test_the_order_page_shows_the_short_code_of_each_paid_ticket(client, summit):
    event, full = summit
    order = paid_order(event, full, quantity=2)
    page = client.get(order.get_absolute_url()).content.decode()
    shown = re.findall(r'class="ticket-code">([0-9A-Z-]+)<', page)
    assert sorted(shown) == sorted(format_short_code(t.short_code) for t in order.tickets.all())
