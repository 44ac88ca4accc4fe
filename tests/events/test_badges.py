"""Badges for the door: every attendee's name, company, ticket type and QR code, A6 or a label sheet."""

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from events import documents, selectors
from tests.events.factories import EventFactory, TicketTypeFactory, paid_order

pytestmark = pytest.mark.django_db

NAMES = ["Zoë Ångström", "Łukasz Żółć", "Grace Hopper", "Katherine Johnson", "Alan Turing", "Ada Lovelace",
         "Mary Jackson", "Dorothy Vaughan", "Margaret Hamilton"]  # fmt: skip


@pytest.fixture
def summit():
    event = EventFactory(slug="summit", name="OpenInfra Summit Europe")
    full = TicketTypeFactory(event=event, name="Full access", price=Decimal("0"))
    for n, name in enumerate(NAMES):
        order = paid_order(event, full, n=n, name=name)
        order.tickets.update(company=f"Company {n}")
    return event


def _text(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.parametrize(("layout", "pages"), [("a6", len(NAMES)), ("labels", 2)])
def test_every_attendee_has_a_badge_with_name_company_and_ticket_type(events_staff, summit, layout, pages):
    response = events_staff.get(f"/admin/events/dashboard/summit/badges.pdf?layout={layout}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    count, text = _text(response.content)
    assert count == pages
    for n, name in enumerate(NAMES):
        assert name in text and f"Company {n}" in text
    assert text.count("Full access") == len(NAMES)


def test_badges_of_the_attendees_ticked_only(events_staff, summit):
    tickets = list(selectors.attendees_for_event(summit))
    page = events_staff.get("/admin/events/dashboard/summit/badges/").content.decode()
    assert all(f'value="{t.pk}"' in page for t in tickets)
    chosen = [t for t in tickets if t.attendee_name in ("Grace Hopper", "Alan Turing")]
    query = "&".join(f"ticket={t.pk}" for t in chosen)
    count, text = _text(events_staff.get(f"/admin/events/dashboard/summit/badges.pdf?{query}").content)
    assert count == 2 and "Grace Hopper" in text and "Alan Turing" in text and "Ada Lovelace" not in text


def test_badges_are_for_events_staff_only(client, summit):
    assert client.get("/admin/events/dashboard/summit/badges.pdf").status_code in (302, 403)


def test_a_badge_qr_code_is_the_tickets(summit):
    ticket = selectors.attendees_for_event(summit).first()
    pdf = documents.badges_pdf(summit, [ticket])
    assert PdfReader(io.BytesIO(pdf)).pages[0].images  # the QR code image is on the badge
