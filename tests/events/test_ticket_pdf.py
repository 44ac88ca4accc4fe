"""Printable tickets: every attendee's name prints as typed, and a long one wraps above the QR code."""

import re
from decimal import Decimal

import pytest

from events import services
from events.documents import order_tickets_pdf
from events.selectors import order_with_details
from tests import pdf_text
from tests.events.factories import TicketTypeFactory, buyer

A6 = (297.64, 419.53)  # points
ATTENDEES = [
    {"name": "Zoë Ŝimić", "company": "Łódź Open Source Sp. z o.o."},
    {"name": "Ἀθηνᾶ Παπαδοπούλου", "company": "Ἑλληνικὸ Ἵδρυμα"},
    {"name": "Анна Ковальчук", "company": "ООО «Открытые системы»"},
    {"name": "李小龙", "company": "田中ソフトウェア株式会社"},
]


def _tickets_pdf(attendees: list[dict], **event) -> bytes:
    ticket_type = TicketTypeFactory(name="Virtual pass", price=Decimal("0"), event__name="OpenInfra Summit", **event)
    order = services.order_create(
        event=ticket_type.event,
        quantities={ticket_type.pk: len(attendees)},
        attendees=attendees,
        accepted_code_of_conduct=True,
        **buyer(0),
    )
    return order_tickets_pdf(order_with_details(order.pk))


@pytest.mark.django_db
@pytest.mark.dejavu
@pytest.mark.cjk_font
def test_each_ticket_prints_its_attendees_name_and_company_as_typed():
    data = _tickets_pdf(ATTENDEES)
    pages = pdf_text.page_texts(data)
    assert len(pages) == len(ATTENDEES)
    for page, attendee in zip(pages, ATTENDEES, strict=True):
        lines = page.splitlines()
        assert lines[0] == "OpenInfra Summit"
        assert attendee["name"] in lines and attendee["company"] in lines


@pytest.mark.django_db
@pytest.mark.dejavu
def test_a_120_character_name_wraps_on_the_ticket_and_the_qr_code_stays_on_the_page():
    name = ("Ŝtefánia Łukasiewicz-Ørsted von Hohenzollern-Sigmaringen Ἀθηνᾶ Παπαδοπούλου " * 2)[:120]
    company = ("Open Infrastructure Foundation Europe, Middle East and Africa " * 2)[:120]
    data = _tickets_pdf([{"name": name, "company": company}])
    assert pdf_text.page_count(data) == 1
    shown = pdf_text.shown(data)
    name_lines = [piece for piece in shown if piece.text in name]
    assert len(name_lines) > 2 and " ".join(piece.text for piece in name_lines) == name.strip()
    assert all(0 < piece.x < A6[0] - 20 and 0 < piece.y < A6[1] for piece in shown)
    [qr] = pdf_text.images(data)
    [code] = [piece for piece in shown if re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}", piece.text)]
    lowest_text = min(piece.y for piece in shown if piece is not code)
    assert qr.y >= 0 and qr.y + qr.height <= lowest_text  # on the page, below the last line of text
    assert 0 < code.y < qr.y, "the short code is printed under the QR code, on the page"
    assert qr.x >= 0 and qr.x + qr.width <= A6[0]
