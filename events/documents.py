"""Printable tickets: one A6 page per ticket with the event, the attendee and the QR code."""

import io

from events.emails import ticket_qr_png
from events.models import Event, Order, Ticket
from events.ticket_codes import format_short_code
from portal.core.pdf import Document, draw

PAGE = (105, 148)  # A6, in millimetres
QR_SIZE = 47
QR_LEFT = (PAGE[0] - QR_SIZE) / 2
BOTTOM = 9  # the QR code and its short code stay this far above the page's edge however long the names


def order_tickets_pdf(order: Order) -> bytes:
    """The order's tickets (prefetched) not canceled, ready to print or show on a phone."""
    tickets = [ticket for ticket in order.tickets.all() if ticket.canceled_at is None]
    for ticket in tickets:
        ticket.order = order
    return tickets_pdf(order.event, tickets)


def tickets_pdf(event: Event, tickets: list[Ticket]) -> bytes:
    """These tickets of the event (each with its order), one A6 page each."""
    return draw(lambda doc: _draw_tickets(doc, event, tickets), page_format=PAGE, bottom_margin=None)


def _draw_tickets(doc: Document, event: Event, tickets: list[Ticket]) -> None:
    when = f"{event.local(event.start):%d %b %Y} – {event.local(event.end):%d %b %Y}"
    for ticket in tickets:
        order = ticket.order
        doc.add_page()
        doc.style(13, bold=True)
        doc.wrapped(6, event.name)
        doc.style(9)
        doc.wrapped(5, f"{when} · {event.city}")
        doc.gap(2)
        doc.style(15, bold=True)
        doc.wrapped(7, ticket.attendee_name or "Name to be given")
        doc.style(10)
        for detail in (ticket.pronouns, ticket.job_title, ticket.company):
            if detail:
                doc.wrapped(5, detail)
        doc.wrapped(5, f"{ticket.ticket_type.name} · order {order.code}")
        top = min(doc.pdf.get_y() + 4, PAGE[1] - BOTTOM - QR_SIZE)
        doc.pdf.image(io.BytesIO(ticket_qr_png(ticket, scale=8)), x=QR_LEFT, y=top, w=QR_SIZE)
        # The code a person reads aloud when the QR code will not scan, right under it.
        doc.pdf.set_xy(doc.pdf.l_margin, top + QR_SIZE)
        doc.style(14, bold=True)
        doc.pdf.cell(0, 7, doc.printable(format_short_code(ticket.short_code)), align="C")
