"""What attendees and door staff change on tickets: attendee details, cancellation, check-in."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import cast

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from events import tasks
from events.exceptions import (
    AlreadyCheckedIn,
    ChangesClosed,
    NotRefundable,
    OrderInvalid,
    TicketNotFound,
    TicketNotValid,
    TicketUnassigned,
    WrongEvent,
)
from events.models import Event, Order, OrderLine, Ticket, new_ticket_code
from events.services.waiting_list import _order_type_ids, waiting_list_offer
from events.ticket_codes import new_short_code, ticket_code_q
from portal.core.audit import audit
from portal.core.money import round_money
from portal.core.tasking import enqueue_on_commit


def ticket_update(
    *,
    ticket: Ticket,
    attendee_name: str,
    attendee_email: str = "",
    company: str = "",
    job_title: str = "",
    pronouns: str = "",
    actor=None,
) -> Ticket:
    """Name an attendee, or change name and company until the event's cut-off.

    A new holder (another name or address on a named ticket of a paid order) gets a new QR and short code:
    the old ones no longer admit anyone. Whoever the ticket now names with an address gets it by e-mail.
    """
    now = timezone.now()
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("order__event", "order__bundle")
            .get(pk=ticket.pk)
        )
        order, event = ticket.order, ticket.order.event
        if order.status not in (*Order.SOLD, Order.Status.PENDING) or order.hold_expired(now):
            raise ChangesClosed("Tickets of this order can no longer be changed.")
        if ticket.canceled_at is not None:
            raise ChangesClosed("This ticket is canceled.")
        cutoff = event.changes_cutoff or event.start
        if ticket.is_named and now >= cutoff:
            raise ChangesClosed(f"Names can be changed until {event.local(cutoff):%d %B %Y, %H:%M %Z}.")
        if not attendee_name.strip():
            raise OrderInvalid("The attendee needs a name.")
        before = {"name": ticket.attendee_name, "company": ticket.company}
        new_holder = ticket.is_new_holder(attendee_name, attendee_email)
        if new_holder and getattr(order, "bundle", None) is not None:
            # Its holder keeps their badge details up to date; who holds it is the company's to decide.
            raise ChangesClosed("This ticket is part of a company bundle: the company's admins assign its attendee.")
        reissued = new_holder and ticket.is_named and order.is_paid
        if reissued:
            ticket.code = new_ticket_code()
            ticket.short_code = new_short_code()
        ticket.set_holder(
            name=attendee_name, email=attendee_email, company=company, job_title=job_title, pronouns=pronouns
        )
        ticket.save()
        audit(
            "events.ticket.update",
            ticket,
            actor=actor,
            data={
                "before": before,
                "after": {"name": ticket.attendee_name, "company": ticket.company},
                "reissued": reissued,
            },
        )
        if new_holder and order.is_paid and ticket.attendee_email:
            enqueue_on_commit(tasks.send_ticket_to_holder, ticket.pk)
    return ticket


@dataclass(frozen=True)
class RefundQuote:
    """What canceling some tickets gives back: what they cost, the policy's fee, the refund (never negative)."""

    currency: str
    tickets: int
    paid: Decimal
    fee: Decimal
    refund: Decimal


def _ticket_price(order: Order, ticket: Ticket) -> Decimal:
    """A ticket's share of its line after discount (the line's total spread evenly, to the cent)."""
    line = next(line for line in order.lines.all() if line.ticket_type_id == ticket.ticket_type_id)
    return round_money(line.gross / line.quantity, order.currency)


def cancellation_quote(*, order: Order, tickets: list[Ticket] | None = None, by_staff: bool = False) -> RefundQuote:
    """The refund for canceling these live tickets (all the order's by default), under the event's policy.

    Each ticket gives back its share less the event's fee per ticket; staff cancel without a fee. Never more
    than what is left of the order's payment, nothing for an unpaid order.
    """
    live = [ticket for ticket in order.tickets.all() if ticket.canceled_at is None]
    tickets = live if tickets is None else tickets
    if not order.is_paid or order.total == 0:
        return RefundQuote(order.currency, len(tickets), Decimal("0"), Decimal("0"), Decimal("0"))
    left = order.total - order.refunded_amount
    paid = left if len(tickets) == len(live) else sum((_ticket_price(order, t) for t in tickets), Decimal("0"))
    paid = min(paid, left)
    fee = Decimal("0") if by_staff else min(paid, order.event.refund_fee * len(tickets))
    return RefundQuote(order.currency, len(tickets), paid, fee, round_money(paid - fee, order.currency))


def order_can_cancel(order: Order, now: datetime | None = None) -> bool:
    """Pending orders until their hold runs out; paid ones (free: until the event starts) until the refund cut-off."""
    now = now or timezone.now()
    if order.status == Order.Status.PENDING and not order.hold_expired(now):
        return True
    if order.status not in Order.SOLD:
        return False
    if order.total == 0:
        return now < order.event.start
    return order.event.refund_cutoff is not None and now < order.event.refund_cutoff


def ticket_can_cancel(ticket: Ticket, now: datetime | None = None) -> bool:
    """One ticket of a paid order, not canceled nor used, within the order's cancellation rules."""
    order = ticket.order
    return (
        order.is_paid and ticket.canceled_at is None and ticket.checked_in_at is None and order_can_cancel(order, now)
    )


def _lock_order(pk: int) -> Order:
    """The order under its row lock, with its event, lines and tickets, for a cancellation."""
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related("event")
        .prefetch_related("lines", "tickets")
        .get(pk=pk)
    )


def order_cancel(*, order: Order, actor=None, by_staff: bool = False) -> Order:
    """Cancel within the refund policy (staff: any pending or paid order): seats return at once, what is paid,
    less the policy's fee per ticket, is refunded through the gateway (with a credit note on the invoice)."""
    now = timezone.now()
    with transaction.atomic():
        order = _lock_order(order.pk)
        staff_may = by_staff and order.status in (Order.Status.PENDING, *Order.SOLD)
        if not (staff_may or order_can_cancel(order, now)):
            raise NotRefundable("This order can no longer be canceled; see the event's refund policy.")
        quote = cancellation_quote(order=order, by_staff=by_staff)
        order.move_to(Order.Status.CANCELED)
        order.canceled_at = now
        order.save(update_fields=["status", "canceled_at"])
        audit(
            "events.order.cancel",
            order,
            actor=actor,
            data={"code": order.code, "refund": str(quote.refund), "fee": str(quote.fee)},
        )
        waiting_list_offer(ticket_type_ids=_order_type_ids(order), now=now)

        if quote.refund > 0:
            enqueue_on_commit(tasks.refund_canceled_order, order.pk, str(quote.refund))
        enqueue_on_commit(tasks.send_order_canceled, order.pk, str(quote.refund))
    return order


def ticket_cancel(*, ticket: Ticket, actor=None, by_staff: bool = False) -> RefundQuote:
    """Cancel one ticket of a paid order: its seat goes to the waiting list or the public, its share less the
    policy's fee is refunded (a credit note on the invoice), its QR code admits no one. The last live ticket
    cancels the order."""
    now = timezone.now()
    with transaction.atomic():
        order = _lock_order(ticket.order_id)
        ticket = next((t for t in order.tickets.all() if t.pk == ticket.pk), ticket)
        ticket.order = order
        if not (ticket_can_cancel(ticket, now) or (by_staff and order.is_paid and ticket.canceled_at is None)):
            raise NotRefundable("This ticket can no longer be canceled; see the event's refund policy.")
        live = [t for t in order.tickets.all() if t.canceled_at is None]
        if len(live) == 1:
            order_cancel(order=order, actor=actor, by_staff=by_staff)
            return cancellation_quote(order=order, tickets=[ticket], by_staff=by_staff)
        quote = cancellation_quote(order=order, tickets=[ticket], by_staff=by_staff)
        Ticket.objects.filter(pk=ticket.pk).update(canceled_at=now)
        OrderLine.objects.filter(order=order, ticket_type_id=ticket.ticket_type_id).update(
            canceled_quantity=F("canceled_quantity") + 1
        )
        audit(
            "events.ticket.cancel",
            ticket,
            actor=actor,
            data={"order": order.code, "refund": str(quote.refund), "fee": str(quote.fee)},
        )
        waiting_list_offer(ticket_type_ids=[ticket.ticket_type_id], now=now)
        if quote.refund > 0:
            enqueue_on_commit(tasks.refund_canceled_ticket, order.pk, str(quote.refund))
        enqueue_on_commit(tasks.send_ticket_canceled, ticket.pk, str(quote.refund))
    return quote


def ticket_check_in(*, event: Event, code: str, actor) -> Ticket:
    """Admit a ticket of a paid order once; a second scan says when it was first admitted (event's time).

    A code of another event is refused (WrongEvent), as is a ticket whose order is not paid. The
    check-in is one conditional UPDATE, so two doors scanning the same badge admit it once.
    """
    code = (code or "").strip()
    now = timezone.now()
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_related("order__event", "order__bundle__organization", "ticket_type")
            .filter(ticket_code_q(code))
            .first()
            if code
            else None
        )
        if ticket is None:
            raise TicketNotFound("No ticket has this code.", extra={"code": code})
        if ticket.order.event_id != event.pk:
            raise WrongEvent(
                f"This ticket is for {ticket.order.event.name}, not {event.name}.",
                extra={"event": ticket.order.event.slug},
            )
        if ticket.canceled_at is not None:
            raise TicketNotValid("This ticket was canceled.", extra={"order_status": ticket.order.status})
        if ticket.order.status not in Order.SOLD:
            raise TicketNotValid(
                f"This ticket's order is {ticket.order.get_status_display().lower()}.",
                extra={"order_status": ticket.order.status},
            )
        bundle = getattr(ticket.order, "bundle", None)
        if bundle is not None and not ticket.attendee_name:
            raise TicketUnassigned(
                f"Unassigned: this ticket of {bundle.organization.name}'s bundle names no attendee yet.",
                extra={"order_status": ticket.order.status, "organization": bundle.organization.name},
            )
        admitted = Ticket.objects.filter(pk=ticket.pk, checked_in_at__isnull=True).update(checked_in_at=now)
        if not admitted:
            ticket.refresh_from_db(fields=["checked_in_at"])
            first_admitted = cast(datetime, ticket.checked_in_at)  # the UPDATE found it set
            local = event.local(first_admitted)
            raise AlreadyCheckedIn(
                f"Already checked in at {local:%H:%M}.",
                extra={"checked_in_at": first_admitted.isoformat(), "local_time": f"{local:%H:%M}"},
            )
        ticket.checked_in_at = now
        audit("events.ticket.check_in", ticket, actor=actor, data={"event": event.slug, "code": ticket.code})
    return ticket
