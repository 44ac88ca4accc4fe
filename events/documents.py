"""Printable tickets: one A6 page per ticket with the event, the attendee and the QR code."""

import io
from pathlib import Path

from fpdf import FPDF

from events.emails import ticket_qr_png
from events.models import Order
from events.ticket_codes import format_short_code

# A Unicode font when the system has one (names are not all Latin-1); the core font otherwise.
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _pdf() -> tuple[FPDF, str]:
    pdf = FPDF(format=(105, 148))  # A6, in millimetres
    pdf.set_auto_page_break(False)
    if _DEJAVU.exists():
        pdf.add_font("DejaVu", "", str(_DEJAVU))
        return pdf, "DejaVu"
    return pdf, "helvetica"


def _text(value: str, font: str) -> str:
    return value if font == "DejaVu" else value.encode("latin-1", "replace").decode("latin-1")


def order_tickets_pdf(order: Order) -> bytes:
    """The order's tickets (prefetched), ready to print or show on a phone."""
    pdf, font = _pdf()
    event = order.event
    when = f"{event.local(event.start):%d %b %Y} – {event.local(event.end):%d %b %Y}"
    for ticket in order.tickets.all():
        pdf.add_page()
        pdf.set_font(font, size=13)
        pdf.multi_cell(0, 6, _text(event.name, font), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(font, size=9)
        pdf.multi_cell(0, 5, _text(f"{when} · {event.city}", font), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        pdf.set_font(font, size=15)
        pdf.multi_cell(0, 7, _text(ticket.attendee_name or "Name to be given", font), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(font, size=10)
        if ticket.company:
            pdf.multi_cell(0, 5, _text(ticket.company, font), new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(
            0, 5, _text(f"{ticket.ticket_type.name} · order {order.code}", font), new_x="LMARGIN", new_y="NEXT"
        )
        qr_top = pdf.get_y() + 4
        pdf.image(io.BytesIO(ticket_qr_png(ticket, scale=8)), x=29, y=qr_top, w=47)
        pdf.set_xy(pdf.l_margin, qr_top + 49)
        pdf.set_font(font, size=14)
        pdf.cell(0, 7, format_short_code(ticket.short_code), align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
