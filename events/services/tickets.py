"""What attendees and door staff change on tickets: attendee details, cancellation, check-in."""

from datetime import datetime
from typing import cast

from django.db import transaction
from django.utils import timezone

from events import tasks
from events.exceptions import (
    AlreadyCheckedIn,
    ChangesClosed,
    NotRefundable,
    OrderInvalid,
    TicketNotFound,
    TicketNotValid,
    WrongEvent,
)
from events.models import Event, Order, Ticket, new_ticket_code
from events.services.waiting_list import _order_type_ids, waiting_list_offer
from events.ticket_codes import new_short_code, ticket_code_q
from portal.core.audit import audit
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
        ticket = Ticket.objects.select_for_update(of=("self",)).select_related("order__event").get(pk=ticket.pk)
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
        new_holder = attendee_name.strip() != ticket.attendee_name or (
            attendee_email.strip().lower() != ticket.attendee_email.lower()
        )
        reissued = new_holder and ticket.is_named and order.is_paid
        if reissued:
            ticket.code = new_ticket_code()
            ticket.short_code = new_short_code()
        ticket.attendee_name = attendee_name.strip()
        ticket.attendee_email = attendee_email.strip()
        ticket.company = company.strip()
        ticket.job_title = job_title.strip()
        ticket.pronouns = pronouns.strip()
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


def order_can_cancel(order: Order, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    if order.status == Order.Status.PENDING and not order.hold_expired(now):
        return True
    if order.status != Order.Status.PAID or order.refunded_amount:
        return False
    if order.total == 0:
        return now < order.event.start
    return order.event.refund_cutoff is not None and now < order.event.refund_cutoff


def order_cancel(*, order: Order, actor=None, by_staff: bool = False) -> Order:
    """Cancel within the refund policy (staff: any pending or paid order): seats return at once, a paid
    amount is refunded through the gateway."""
    now = timezone.now()
    with transaction.atomic():
        order = Order.objects.select_for_update(of=("self",)).select_related("event").get(pk=order.pk)
        staff_may = by_staff and order.status in (Order.Status.PENDING, Order.Status.PAID)
        if not (staff_may or order_can_cancel(order, now)):
            raise NotRefundable("This order can no longer be canceled; see the event's refund policy.")
        refund = order.status == Order.Status.PAID and order.total > 0
        order.move_to(Order.Status.CANCELED)
        order.canceled_at = now
        order.save(update_fields=["status", "canceled_at"])
        audit("events.order.cancel", order, actor=actor, data={"code": order.code, "refund": refund})
        waiting_list_offer(ticket_type_ids=_order_type_ids(order), now=now)

        if refund:
            enqueue_on_commit(tasks.refund_canceled_order, order.pk)
        enqueue_on_commit(tasks.send_order_canceled, order.pk)
    return order


def ticket_check_in(*, event: Event, code: str, actor) -> Ticket:
    """Admit a ticket of a paid order once; a second scan says when it was first admitted (event's time).

    A code of another event is refused (WrongEvent), as is a ticket whose order is not paid. The
    check-in is one conditional UPDATE, so two doors scanning the same badge admit it once.
    """
    code = (code or "").strip()
    now = timezone.now()
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_related("order__event", "ticket_type").filter(ticket_code_q(code)).first()
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
