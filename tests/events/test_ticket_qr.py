"""The ticket's QR code, as the confirmation e-mail, the printable tickets and the ticket page show it.

No QR decoder is installed, so the picture is read back module by module and compared with the code
segno encodes for the ticket (and with the picture segno's own writer drew before).
"""

import io
import re
from decimal import Decimal

import pytest
import segno
from django.core import mail
from PIL import Image
from pypdf import PdfReader

from events import services
from events.documents import badges_pdf, order_tickets_pdf, tickets_pdf
from events.models import Order, Ticket, new_ticket_code
from events.qr import QR_MASK, ticket_qr_png
from events.selectors import order_with_details
from tests.events.factories import TicketTypeFactory, buyer


def _ticket() -> Ticket:
    return Ticket(code=new_ticket_code())  # drawing needs only the code


def _modules(png: bytes, *, scale: int) -> list[list[int]]:
    """The picture's modules, 1 dark and 0 light, each checked to be one flat square of `scale` pixels."""
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return _image_modules(image, scale=scale)


def _image_modules(image: Image.Image, *, scale: int) -> list[list[int]]:
    assert image.width % scale == 0 and image.height % scale == 0
    grey = image.convert("L")
    pixels = grey.tobytes()
    modules = []
    for top in range(0, image.height, scale):
        row = []
        for left in range(0, image.width, scale):
            square = {pixels[y * image.width + x] for y in range(top, top + scale) for x in range(left, left + scale)}
            assert square in ({0}, {255}), f"module at {left},{top} is not one flat black or white square"
            row.append(1 if square == {0} else 0)
        modules.append(row)
    return modules


@pytest.mark.parametrize("scale", [1, 6, 8])
def test_ticket_qr_png_is_the_tickets_code_black_on_white_with_a_two_module_border(scale):
    ticket = _ticket()
    code = segno.make(ticket.code, error="m", mask=QR_MASK)
    expected = [list(row) for row in code.matrix_iter(scale=1, border=2)]  # segno's quiet zone, not ours
    assert _modules(ticket_qr_png(ticket, scale=scale), scale=scale) == expected


def test_ticket_qr_png_has_scale_pixels_per_module():
    """A ticket code makes a 25-module symbol: with the border, 174 px in the e-mail, 232 px printed."""
    ticket = _ticket()
    assert Image.open(io.BytesIO(ticket_qr_png(ticket))).size == (174, 174)
    assert Image.open(io.BytesIO(ticket_qr_png(ticket, scale=8))).size == (232, 232)


def test_ticket_qr_png_is_the_picture_segnos_own_writer_drew():
    """Scanners that read the old tickets read these: the same pixels, as a 1-bit PNG."""
    ticket = _ticket()
    buffer = io.BytesIO()
    segno.make(ticket.code, error="m", mask=QR_MASK).save(buffer, kind="png", scale=6, border=2)
    before, now = Image.open(buffer), Image.open(io.BytesIO(ticket_qr_png(ticket)))
    assert (now.mode, now.size) == (before.mode, before.size) == ("1", (174, 174))
    assert now.tobytes() == before.tobytes()


def test_a_reissued_tickets_qr_code_is_its_new_code():
    """Drawn pictures are kept per process: a ticket given a new code must not show its old one."""
    ticket = _ticket()
    old = ticket_qr_png(ticket)
    ticket.code = new_ticket_code()
    expected = [list(row) for row in segno.make(ticket.code, error="m", mask=QR_MASK).matrix_iter(scale=1, border=2)]
    assert ticket_qr_png(ticket) != old
    assert _modules(ticket_qr_png(ticket), scale=6) == expected


@pytest.mark.django_db
def test_confirmation_email_and_printable_tickets_carry_each_tickets_qr_code(django_capture_on_commit_callbacks):
    free = TicketTypeFactory(name="Virtual pass", price=Decimal("0"))
    with django_capture_on_commit_callbacks(execute=True):
        order = services.order_create(
            event=free.event, quantities={free.pk: 2}, accepted_code_of_conduct=True, **buyer(0)
        )
    tickets = list(order.tickets.all())
    [message] = mail.outbox
    pngs = [content for name, content, _ in message.attachments if name.endswith(".png")]
    assert sorted(map(bytes, pngs)) == sorted(ticket_qr_png(ticket) for ticket in tickets)

    pdf = order_tickets_pdf(order_with_details(order.pk))
    assert pdf.count(b"/Subtype /Image") == 2  # one QR code on each ticket's page
    assert re.findall(rb"/Width (\d+)", pdf) == [b"232", b"232"]  # 8 pixels per module, sharp on paper


@pytest.mark.parametrize(("scale", "kind"), [(8, "ticket"), (8, "badge"), (4, "label")])
def test_the_printed_tickets_and_badges_carry_the_tickets_code_module_for_module(scale, kind):
    """The PDFs embed the code as a Group 4 TIFF fpdf2 copies as it is: read back from the PDF, it is
    the ticket's code, black on white, not inverted."""
    ticket = _ticket()
    ticket.attendee_name, ticket.short_code = "Zoë Ñúñez", "7KQ4M2XP"
    ticket.ticket_type = TicketTypeFactory.build(name="Full access")
    ticket.order = Order(code="ABCD1234", buyer_name="Zoë Ñúñez")
    event = ticket.ticket_type.event
    if kind == "ticket":
        pdf = tickets_pdf(event, [ticket])
    else:
        pdf = badges_pdf(event, [ticket], layout="a6" if kind == "badge" else "labels")
    (image,) = PdfReader(io.BytesIO(pdf)).pages[0].images
    expected = [list(row) for row in segno.make(ticket.code, error="m", mask=QR_MASK).matrix_iter(scale=1, border=2)]
    assert _image_modules(image.image, scale=scale) == expected
