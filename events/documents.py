"""Printable tickets: one A6 page per ticket with the event, the attendee and the QR code."""

import io

from events.models import Event, Order, Ticket
from events.qr import ticket_qr_tiff
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
        doc.pdf.image(io.BytesIO(ticket_qr_tiff(ticket, scale=8)), x=QR_LEFT, y=top, w=QR_SIZE)
        # The code a person reads aloud when the QR code will not scan, right under it.
        doc.pdf.set_xy(doc.pdf.l_margin, top + QR_SIZE)
        doc.style(14, bold=True)
        doc.pdf.cell(0, 7, doc.printable(format_short_code(ticket.short_code)), align="C")


# --- Badges ---------------------------------------------------------------------------------------

BADGE_LAYOUTS = {"a6": "A6, one badge a page", "labels": "A4 label sheet, 8 labels of 105 × 74 mm"}
LABEL_PAGE = (210, 297)
LABEL_SIZE = (105, 74.25)  # 2 × 4 on A4, as Avery 3425 and L7165-style sheets
LABEL_PADDING = 5
LABEL_QR = 28


def badges_pdf(event: Event, tickets: list[Ticket], *, layout: str = "a6") -> bytes:
    """Name badges for these tickets (with their ticket types): name, company, ticket type and the ticket's QR
    code, one A6 page each or eight to an A4 label sheet."""
    if layout == "labels":
        return draw(lambda doc: _draw_labels(doc, event, tickets), page_format=LABEL_PAGE, bottom_margin=None)
    return draw(lambda doc: _draw_a6_badges(doc, event, tickets), page_format=PAGE, bottom_margin=None)


def _badge_name(ticket: Ticket) -> str:
    return ticket.attendee_name or ticket.order.buyer_name


def _draw_a6_badges(doc: Document, event: Event, tickets: list[Ticket]) -> None:
    pdf = doc.pdf
    for ticket in tickets:
        doc.add_page()
        doc.style(10)
        doc.wrapped(5, event.name)
        doc.gap(10)
        doc.style(22, bold=True)
        doc.wrapped(10, _badge_name(ticket))
        doc.style(12)
        for detail in (ticket.pronouns, ticket.job_title, ticket.company):
            if detail:
                doc.wrapped(6, detail)
        doc.gap(3)
        doc.style(11, bold=True)
        doc.wrapped(6, ticket.ticket_type.name)
        pdf.image(io.BytesIO(ticket_qr_tiff(ticket, scale=8)), x=QR_LEFT, y=PAGE[1] - BOTTOM - QR_SIZE, w=QR_SIZE)


def _draw_labels(doc: Document, event: Event, tickets: list[Ticket]) -> None:
    pdf = doc.pdf
    columns, rows = int(LABEL_PAGE[0] // LABEL_SIZE[0]), int(LABEL_PAGE[1] // LABEL_SIZE[1])
    per_page = columns * rows
    for index, ticket in enumerate(tickets):
        if index % per_page == 0:
            doc.add_page()
        row, column = divmod(index % per_page, columns)
        left, top = column * LABEL_SIZE[0], row * LABEL_SIZE[1]
        # The text keeps to the label, left of its QR code: multi_cell wraps between these margins.
        pdf.set_left_margin(left + LABEL_PADDING)
        pdf.set_right_margin(LABEL_PAGE[0] - left - LABEL_SIZE[0] + LABEL_PADDING + LABEL_QR + 2)
        pdf.set_xy(left + LABEL_PADDING, top + LABEL_PADDING)
        doc.style(7)
        doc.wrapped(3.5, event.name)
        doc.gap(2)
        doc.style(15, bold=True)
        doc.wrapped(6.5, _badge_name(ticket))
        doc.style(9)
        if ticket.company:
            doc.wrapped(4.5, ticket.company)
        doc.style(9, bold=True)
        doc.wrapped(4.5, ticket.ticket_type.name)
        qr_left = left + LABEL_SIZE[0] - LABEL_PADDING - LABEL_QR
        qr_top = top + LABEL_SIZE[1] - LABEL_PADDING - LABEL_QR
        pdf.image(io.BytesIO(ticket_qr_tiff(ticket, scale=4)), x=qr_left, y=qr_top, w=LABEL_QR)
