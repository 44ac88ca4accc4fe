"""Writes for registration: orders, capacity holds, payment outcomes, attendee changes.

Capacity follows the house rule in docs/ARCHITECTURE.md (as pretix's services/cart.py does): lock the rows that own the
capacity (ticket types by pk, then the promo code), count paid orders plus unexpired holds, raise
SoldOut if the order does not fit, then write, all in one transaction.
"""

import functools
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import cast

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Replace
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from events import selectors
from events.exceptions import (
    AlreadyCheckedIn,
    ChangesClosed,
    NotOrganizationAdmin,
    NotRefundable,
    OfferExpired,
    OrderInvalid,
    PromoCodeInvalid,
    PromoCodeUsedUp,
    RegistrationClosed,
    SoldOut,
    SponsorshipInvalid,
    TicketNotFound,
    TicketNotValid,
    WaitingListInvalid,
    WrongEvent,
)
from events.models import (
    Event,
    Order,
    OrderLine,
    PromoCode,
    Sponsorship,
    SponsorshipPackage,
    SponsorWaitingListEntry,
    Ticket,
    TicketType,
    WaitingListEntry,
    new_order_code,
)
from events.ticket_codes import ticket_code_q
from portal.core import capacity
from portal.core.audit import audit, audit_batch
from portal.core.money import round_money
from portal.core.tasking import enqueue_on_commit
from portal.payments.models import PaymentMethod

logger = logging.getLogger(__name__)

# --- Pricing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuoteLine:
    ticket_type: TicketType
    quantity: int
    unit_price: Decimal
    subtotal: Decimal
    discount: Decimal
    total: Decimal


@dataclass(frozen=True)
class Quote:
    currency: str
    lines: list[QuoteLine]
    promo_code: PromoCode | None = None
    subtotal: Decimal = Decimal("0")
    discount: Decimal = Decimal("0")
    total: Decimal = Decimal("0")
    messages: list[str] = field(default_factory=list)

    @property
    def quantity(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def needs_approval(self) -> bool:
        return any(line.ticket_type.needs_approval for line in self.lines)


def _promo_applies(promo: PromoCode, ticket_type: TicketType) -> bool:
    eligible = {tt.pk for tt in promo.ticket_types.all()}
    return not eligible or ticket_type.pk in eligible


def order_quote(*, event: Event, quantities: dict[TicketType, int], promo_code: PromoCode | None) -> Quote:
    """Exact totals: each line's discount is rounded half up to the cent, totals are sums of lines."""
    lines = []
    for ticket_type, quantity in sorted(quantities.items(), key=lambda item: (item[0].position, item[0].pk)):
        if quantity <= 0:
            continue
        subtotal = round_money(ticket_type.price * quantity, event.currency)
        discount = Decimal("0")
        if promo_code is not None and _promo_applies(promo_code, ticket_type):
            if promo_code.kind == PromoCode.Kind.PERCENT:
                discount = round_money(subtotal * promo_code.value / Decimal("100"), event.currency)
            else:
                discount = round_money(min(promo_code.value, ticket_type.price) * quantity, event.currency)
        discount = min(discount, subtotal)
        lines.append(QuoteLine(ticket_type, quantity, ticket_type.price, subtotal, discount, subtotal - discount))
    subtotal = sum((line.subtotal for line in lines), Decimal("0"))
    discount = sum((line.discount for line in lines), Decimal("0"))
    return Quote(
        currency=event.currency,
        lines=lines,
        promo_code=promo_code,
        subtotal=round_money(subtotal, event.currency),
        discount=round_money(discount, event.currency),
        total=round_money(subtotal - discount, event.currency),
    )


def _check_promo(*, event: Event, code: str, ticket_types: list[TicketType], now: datetime) -> PromoCode | None:
    if not (code or "").strip():
        return None
    promo = selectors.promo_code_find(event=event, code=code)
    if promo is None or not promo.is_valid_at(now):
        raise PromoCodeInvalid(f"The promo code {code.strip()!r} is not valid for {event.name}.")
    if not any(_promo_applies(promo, tt) for tt in ticket_types):
        raise PromoCodeInvalid(f"The promo code {promo.code} does not apply to the tickets you chose.")
    return promo


def order_validate(
    *,
    event: Event,
    quantities: dict[int, int],
    promo_code: str = "",
    now: datetime | None = None,
    ticket_types: list[TicketType] | None = None,
) -> Quote:
    """Everything about an order that can be checked without locks: window, types, limits, promo code.

    `ticket_types`: the event's ticket types as the caller already read them (the register page's),
    so they are not read again; any other type asked for is read from the database.
    """
    now = now or timezone.now()
    if not event.registration_is_open(now):
        raise RegistrationClosed(f"Registration for {event.name} is not open.")
    if any(int(n) < 0 for n in quantities.values()):
        raise OrderInvalid("Quantities cannot be negative.")
    wanted = {int(pk): int(n) for pk, n in quantities.items() if int(n) > 0}
    if not wanted:
        raise OrderInvalid("Choose at least one ticket.")
    types = {tt.pk: tt for tt in ticket_types or () if tt.pk in wanted and tt.event_id == event.pk}
    if missing := set(wanted) - set(types):
        types.update({tt.pk: tt for tt in TicketType.objects.filter(event=event, pk__in=missing)})
    if set(types) != set(wanted):
        raise OrderInvalid("One of the ticket types is not sold for this event.")
    promo = _check_promo(event=event, code=promo_code, ticket_types=list(types.values()), now=now)
    for pk, quantity in wanted.items():
        ticket_type = types[pk]
        if not ticket_type.on_sale(now):
            raise OrderInvalid(f"{ticket_type.name} is not on sale.")
        if ticket_type.hidden and not (
            promo and promo.ticket_types.filter(pk=ticket_type.pk).exists()  # hidden types need a code naming them
        ):
            raise OrderInvalid("One of the ticket types is not sold for this event.")
        if quantity > ticket_type.max_per_order:
            raise OrderInvalid(f"At most {ticket_type.max_per_order} × {ticket_type.name} per order.")
    return order_quote(event=event, quantities={types[pk]: n for pk, n in wanted.items()}, promo_code=promo)


# --- Capacity -----------------------------------------------------------------------------


BUSY = "Many people are registering right now. Please try again in a moment."
SPONSORS_BUSY = "Many sponsors are applying right now. Please try again in a moment."


@dataclass(frozen=True)
class Capacity:
    """What the locked rows say, read in the locking query itself (staff may have changed it)."""

    seats: dict[int, int]  # ticket type pk -> capacity
    promo_max_uses: int | None = None
    promo_max_tickets: int | None = None


def _lock_capacity(*, ticket_type_ids: list[int], promo_code_id: int | None) -> Capacity:
    """Lock the capacity-owning rows in one global order (ticket types by pk, then the promo code)."""
    types = capacity.lock(TicketType.objects.filter(pk__in=ticket_type_ids).order_by("pk"), message=BUSY)
    promo = capacity.lock(PromoCode.objects.filter(pk=promo_code_id), message=BUSY) if promo_code_id else []
    limits = (promo[0].max_uses, promo[0].max_tickets) if promo else (None, None)
    return Capacity({tt.pk: tt.capacity for tt in types}, *limits)


def _sold_out(ticket_type: TicketType, left: int) -> SoldOut:
    name = ticket_type.name
    message = f"{name} is sold out." if left == 0 else f"Only {left} × {name} left."
    return SoldOut(message, extra={"ticket_type": ticket_type.pk, "available": left})


def _check_capacity(
    *,
    quote: Quote,
    seats: Capacity,
    now: datetime,
    exclude_order_id: int | None = None,
    exclude_waiting_entry_id: int | None = None,
) -> None:
    """Count, after the lock, what is held or sold; raise SoldOut or PromoCodeUsedUp if the quote does not fit."""
    taken = selectors.seats_taken(
        ticket_type_ids=[line.ticket_type.pk for line in quote.lines],
        now=now,
        exclude_order_id=exclude_order_id,
        exclude_waiting_entry_id=exclude_waiting_entry_id,
    )
    for line in quote.lines:
        capacity.ensure_room(
            taken=taken[line.ticket_type.pk],
            wanted=line.quantity,
            limit=seats.seats[line.ticket_type.pk],
            refuse=functools.partial(_sold_out, line.ticket_type),
        )
    promo = quote.promo_code
    if promo is not None and seats.promo_max_uses is not None:
        capacity.ensure_room(
            taken=selectors.promo_code_uses(promo_code_id=promo.pk, now=now, exclude_order_id=exclude_order_id),
            wanted=1,
            limit=seats.promo_max_uses,
            refuse=lambda left: PromoCodeUsedUp(f"The promo code {promo.code} has been used up."),
        )
    if promo is not None and seats.promo_max_tickets is not None:
        capacity.ensure_room(
            taken=selectors.promo_code_tickets(promo_code_id=promo.pk, now=now, exclude_order_id=exclude_order_id),
            wanted=sum(line.quantity for line in quote.lines if line.discount > 0),
            limit=seats.promo_max_tickets,
            refuse=lambda left: PromoCodeUsedUp(
                f"The promo code {promo.code} covers {left} more ticket{'s' if left != 1 else ''}.",
                extra={"tickets_left": left},
            ),
        )


def order_create(
    *,
    event: Event,
    buyer_name: str,
    buyer_email: str,
    quantities: dict[int, int],
    attendees: list[dict] | None = None,
    promo_code: str = "",
    billing: dict | None = None,
    accepted_code_of_conduct: bool = False,
    user=None,
    waiting_list_entry: WaitingListEntry | None = None,
    ticket_types: list[TicketType] | None = None,
) -> Order:
    """Hold seats for a new order: lock, count paid plus unexpired holds, write; free orders are paid at once.

    With a waiting-list entry, the order may use the seats offered to that entry (and only it may).
    `ticket_types` as for order_validate.
    """
    now = timezone.now()
    if event.code_of_conduct_url and not accepted_code_of_conduct:
        raise OrderInvalid("Please accept the code of conduct.")
    if not buyer_name.strip() or not buyer_email.strip():
        raise OrderInvalid("Tell us the buyer's name and e-mail.")
    quote = order_validate(
        event=event, quantities=quantities, promo_code=promo_code, now=now, ticket_types=ticket_types
    )
    attendees = [a for a in (attendees or [])]
    if attendees and len(attendees) != quote.quantity:
        raise OrderInvalid("Give one set of attendee details per ticket, or name the attendees later.")
    billing = billing or {}
    with capacity.busy_on_contention(BUSY), transaction.atomic():
        seats = _lock_capacity(
            ticket_type_ids=sorted(line.ticket_type.pk for line in quote.lines),
            promo_code_id=quote.promo_code.pk if quote.promo_code else None,
        )
        entry_id = _waiting_entry_check(entry=waiting_list_entry, quote=quote, now=now)
        _check_capacity(quote=quote, seats=seats, now=now, exclude_waiting_entry_id=entry_id)
        order = _order_write(
            event=event,
            quote=quote,
            buyer_name=buyer_name.strip(),
            buyer_email=buyer_email.strip().lower(),
            attendees=attendees,
            billing=billing,
            user=user if getattr(user, "is_authenticated", False) else None,
            now=now,
        )
        if entry_id:
            WaitingListEntry.move_all(
                WaitingListEntry.objects.filter(pk=entry_id), WaitingListEntry.Status.ORDERED, order=order
            )
            audit("events.waiting_list.offer", order, data={"entry": entry_id, "ordered": order.code})
    return order


def _waiting_entry_check(*, entry: WaitingListEntry | None, quote: Quote, now: datetime) -> int | None:
    """An offer is used once, before it expires, for exactly the seats offered (under the capacity lock)."""
    if entry is None:
        return None
    entry = WaitingListEntry.objects.select_for_update().get(pk=entry.pk)
    if not entry.offer_is_open(now):
        raise OfferExpired("This offer has expired or was already used.")
    if {line.ticket_type.pk: line.quantity for line in quote.lines} != {entry.ticket_type_id: entry.quantity}:
        raise OrderInvalid("The offer is for exactly the seats it names.")
    return entry.pk


def _order_write(*, event, quote, buyer_name, buyer_email, attendees, billing, user, now) -> Order:
    free = quote.total == 0
    order = Order(
        event=event,
        user=user,
        buyer_name=buyer_name,
        buyer_email=buyer_email,
        billing_company=billing.get("company", ""),
        billing_address=billing.get("address", ""),
        billing_vat_id=billing.get("vat_id", ""),
        currency=event.currency,
        subtotal=quote.subtotal,
        discount=quote.discount,
        total=quote.total,
        promo_code=quote.promo_code,
        needs_approval=quote.needs_approval,
        # Waiting for approval holds the seats until staff decide; otherwise a 15-minute hold.
        expires_at=None if quote.needs_approval else now + timedelta(minutes=settings.ORDER_HOLD_MINUTES),
    )
    if free and not quote.needs_approval:
        order.move_to(Order.Status.PAID)
        order.paid_at = now
        order.expires_at = None
    order.save()
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                ticket_type=line.ticket_type,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount=line.discount,
                total=line.total,
            )
            for line in quote.lines
        ]
    )
    details = iter(attendees)
    tickets = []
    for line in quote.lines:
        for _ in range(line.quantity):
            person: dict = next(details, {})
            tickets.append(
                Ticket(
                    order=order,
                    ticket_type=line.ticket_type,
                    attendee_name=person.get("name", "").strip(),
                    attendee_email=person.get("email", "").strip(),
                    company=person.get("company", "").strip(),
                )
            )
    Ticket.objects.bulk_create(tickets)
    audit(
        "events.order.create",
        order,
        actor=user,
        data={"code": order.code, "total": str(order.total), "status": order.status},
    )
    if order.status == Order.Status.PAID:
        _after_paid(order)
    elif order.needs_approval:
        from events import tasks

        enqueue_on_commit(tasks.send_order_received, order.pk)
    return order


def _after_paid(order: Order) -> None:
    from events import tasks

    enqueue_on_commit(tasks.send_order_confirmation, order.pk)


# --- Payment outcomes ---------------------------------------------------------------------


def order_payment_succeeded(
    *, order: Order, amount: Decimal | None = None, locked: bool = False, tickets_sent_by_caller: bool = False
) -> bool:
    """Mark an order paid; a payment after the hold ran out is re-checked against capacity.

    Returns False when the seats are gone: the order stays expired and the payment is refunded
    automatically (after commit), and the buyer is told. The tickets go by e-mail after the commit,
    by a task of their own unless `tickets_sent_by_caller` (the payment's receipt task sends them).
    `locked`: the caller's transaction holds the order's row lock already (the payments ledger locks
    the owner of a payment that succeeds), so it is neither read nor locked again.
    """
    now = timezone.now()
    with transaction.atomic(savepoint=not locked):
        if not locked:
            order = Order.objects.select_for_update(of=("self",)).select_related("event", "promo_code").get(pk=order.pk)
        if order.status in Order.SOLD:
            return True  # the same success told twice
        if order.status in (Order.Status.CANCELED, Order.Status.REFUNDED) or order.hold_expired(now):
            if order.status in (Order.Status.PENDING, Order.Status.EXPIRED) and _seats_still_free(order, now):
                return _mark_paid(order, now, late=True, send_tickets=not tickets_sent_by_caller)
            if order.status == Order.Status.PENDING:
                order.move_to(Order.Status.EXPIRED)
                order.save(update_fields=["status"])
            audit("events.order.late_payment_refused", order, data={"code": order.code})
            from events import tasks

            enqueue_on_commit(tasks.refund_late_payment, order.pk)
            return False
        return _mark_paid(order, now, late=False, send_tickets=not tickets_sent_by_caller)


def _seats_still_free(order: Order, now: datetime) -> bool:
    lines = list(order.lines.select_related("ticket_type"))
    quote = Quote(
        currency=order.currency,
        lines=[
            QuoteLine(line.ticket_type, line.quantity, line.unit_price, line.total, line.discount, line.total)
            for line in lines
        ],
        promo_code=order.promo_code,
    )
    seats = _lock_capacity(
        ticket_type_ids=sorted(line.ticket_type_id for line in lines),
        promo_code_id=order.promo_code_id,
    )
    try:
        _check_capacity(quote=quote, seats=seats, now=now, exclude_order_id=order.pk)
    except SoldOut:
        return False
    return True


def _mark_paid(order: Order, now: datetime, *, late: bool, send_tickets: bool = True) -> bool:
    order.move_to(Order.Status.PAID)
    order.paid_at = now
    order.expires_at = None
    order.save(update_fields=["status", "paid_at", "expires_at"])
    audit("events.order.paid", order, data={"code": order.code, "late": late, "total": str(order.total)})
    if send_tickets:
        _after_paid(order)
    return True


def order_payment_refunded(*, order: Order, amount: Decimal) -> Order:
    """Record a refund the gateway confirmed: refunded in full, or partially."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        order.refunded_amount = round_money(order.refunded_amount + amount, order.currency)
        if order.status in (Order.Status.PAID, Order.Status.PARTIALLY_REFUNDED, Order.Status.CANCELED):
            full = order.refunded_amount >= order.total
            if order.status == Order.Status.CANCELED:
                if full:
                    order.move_to(Order.Status.REFUNDED)
            else:
                order.move_to(Order.Status.REFUNDED if full else Order.Status.PARTIALLY_REFUNDED)
        order.save(update_fields=["refunded_amount", "status"])
        audit("events.order.refunded", order, data={"code": order.code, "amount": str(amount)})
        if order.status == Order.Status.REFUNDED:
            waiting_list_offer(ticket_type_ids=_order_type_ids(order))
    return order


# --- Holds --------------------------------------------------------------------------------


def orders_expire(*, now: datetime | None = None) -> int:
    """Expire pending orders whose hold ran out, so their seats count as free again."""
    now = now or timezone.now()
    expired = 0
    for pk in selectors.orders_to_expire(now=now).values_list("pk", flat=True):
        with transaction.atomic():
            order = Order.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if order is None or not (order.status == Order.Status.PENDING and order.hold_expired(now)):
                continue  # being paid right now, or already moved on
            order.move_to(Order.Status.EXPIRED)
            order.save(update_fields=["status"])
            audit("events.order.expire", order, data={"code": order.code})
            waiting_list_offer(ticket_type_ids=_order_type_ids(order), now=now)
            expired += 1
    return expired


def order_approve(*, order: Order, actor) -> Order:
    """Staff approve an order that needs approval: free ones are paid, others get a fresh hold to pay."""
    now = timezone.now()
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if not order.awaiting_approval:
            raise OrderInvalid(f"Order {order.code} is not waiting for approval.")
        order.approved_at = now
        if order.total == 0:
            order.move_to(Order.Status.PAID)
            order.paid_at = now
            order.save(update_fields=["approved_at", "status", "paid_at"])
            _after_paid(order)
        else:
            order.expires_at = now + timedelta(minutes=settings.ORDER_APPROVED_HOLD_MINUTES)
            order.save(update_fields=["approved_at", "expires_at"])
            from events import tasks

            enqueue_on_commit(tasks.send_order_approved, order.pk)
        audit("events.order.approve", order, actor=actor, data={"code": order.code})
    return order


# --- Self-service -------------------------------------------------------------------------


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
    """Name an attendee, or change name and company until the event's cut-off."""
    now = timezone.now()
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update(of=("self",)).select_related("order__event").get(pk=ticket.pk)
        order, event = ticket.order, ticket.order.event
        if order.status not in (*Order.SOLD, Order.Status.PENDING) or order.hold_expired(now):
            raise ChangesClosed("Tickets of this order can no longer be changed.")
        cutoff = event.changes_cutoff or event.start
        if ticket.is_named and now >= cutoff:
            raise ChangesClosed(f"Names can be changed until {event.local(cutoff):%d %B %Y, %H:%M %Z}.")
        if not attendee_name.strip():
            raise OrderInvalid("The attendee needs a name.")
        before = {"name": ticket.attendee_name, "company": ticket.company}
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
            data={"before": before, "after": {"name": ticket.attendee_name, "company": ticket.company}},
        )
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
        from events import tasks

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


# --- Waiting list -------------------------------------------------------------------------


def _order_type_ids(order: Order) -> list[int]:
    return sorted(set(order.lines.values_list("ticket_type_id", flat=True)))


def waiting_list_join(*, ticket_type: TicketType, email: str, quantity: int) -> WaitingListEntry:
    """Join the list of a ticket type that cannot sell `quantity` seats now; once per e-mail."""
    now = timezone.now()
    email = (email or "").strip().lower()
    if not email or "@" not in email:
        raise WaitingListInvalid("Tell us your e-mail address.")
    if not 1 <= quantity <= ticket_type.max_per_order:
        raise WaitingListInvalid(f"Ask for 1 to {ticket_type.max_per_order} seats.")
    with transaction.atomic():
        _lock_capacity(ticket_type_ids=[ticket_type.pk], promo_code_id=None)
        taken = selectors.seats_taken(ticket_type_ids=[ticket_type.pk], now=now)[ticket_type.pk]
        waiting = selectors.waiting_list_next(ticket_type_id=ticket_type.pk).exists()
        if ticket_type.capacity - taken >= quantity and not waiting:
            raise WaitingListInvalid(f"{ticket_type.name} is not sold out: register now.")
        if WaitingListEntry.objects.filter(
            ticket_type=ticket_type, email=email, status__in=WaitingListEntry.ACTIVE
        ).exists():
            raise WaitingListInvalid("You are already on this waiting list.")
        entry = WaitingListEntry.objects.create(ticket_type=ticket_type, email=email, quantity=quantity)
        audit("events.waiting_list.join", entry, data={"ticket_type": ticket_type.pk, "quantity": quantity})
        from events import tasks

        enqueue_on_commit(tasks.send_waiting_list_joined, entry.pk)
        # Seats may already be free (someone joined while others still waited): offer at once.
        waiting_list_offer(ticket_type_ids=[ticket_type.pk], now=now)
    return entry


def waiting_list_offer(*, ticket_type_ids: list[int], now: datetime | None = None) -> list[WaitingListEntry]:
    """Offer returned seats to the people waiting, in order: each offer holds its seats until it expires.

    Runs inside the transaction that freed the seats, under the ticket types' locks, so nobody
    else can take them in between.
    """
    now = now or timezone.now()
    offered: list[WaitingListEntry] = []
    if not WaitingListEntry.objects.filter(
        ticket_type_id__in=ticket_type_ids, status=WaitingListEntry.Status.WAITING
    ).exists():
        return offered  # nobody waits: no lock needed
    from events import tasks

    with transaction.atomic():
        capacities = _lock_capacity(ticket_type_ids=sorted(ticket_type_ids), promo_code_id=None).seats
        taken = selectors.seats_taken(ticket_type_ids=ticket_type_ids, now=now)
        hours = getattr(settings, "WAITING_LIST_OFFER_HOURS", 24)
        for pk in ticket_type_ids:
            free = capacities[pk] - taken[pk]
            for entry in selectors.waiting_list_next(ticket_type_id=pk).select_for_update():
                if free <= 0:
                    break
                if entry.quantity > free:
                    continue  # smaller requests further down may still fit
                entry.move_to(WaitingListEntry.Status.OFFERED)
                entry.offered_at = now
                entry.offer_expires_at = now + timedelta(hours=hours)
                entry.save(update_fields=["status", "offered_at", "offer_expires_at"])
                audit("events.waiting_list.offer", entry, data={"quantity": entry.quantity})
                enqueue_on_commit(tasks.send_waiting_list_offer, entry.pk)
                free -= entry.quantity
                offered.append(entry)
    return offered


def waiting_list_leave(*, entry: WaitingListEntry) -> WaitingListEntry:
    """Leave the list (one click from the e-mail); an open offer's seats go to the next person."""
    with transaction.atomic():
        # The ticket type first, then the entry: waiting_list_offer's order, so an offer being made for
        # this type meanwhile (it may pick this entry) waits for us instead of deadlocking with us.
        _lock_capacity(ticket_type_ids=[entry.ticket_type_id], promo_code_id=None)
        entry = WaitingListEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status not in WaitingListEntry.ACTIVE:
            return entry
        was_offered = entry.status == WaitingListEntry.Status.OFFERED
        entry.move_to(WaitingListEntry.Status.LEFT)
        entry.save(update_fields=["status"])
        audit("events.waiting_list.leave", entry, data={})
        if was_offered:
            waiting_list_offer(ticket_type_ids=[entry.ticket_type_id])
    return entry


def waiting_list_anonymise(*, emails: list[str], anonymised_email: str) -> list[WaitingListEntry]:
    """A deleted account's entries (by e-mail, whatever the case) lose the address; those on the list leave it.

    Leaving is as in waiting_list_leave, for every entry at once: audited, and an open offer's
    seats go to the next person. The audit entries already written keep their rows, without the address.
    """
    if not emails:
        return []
    person = WaitingListEntry.objects.filter(selectors.email_in_q("email", emails))
    with transaction.atomic():
        # The ticket types of the entries on a list first, then the entries: waiting_list_offer's order,
        # so an offer made meanwhile for one of them waits for us instead of deadlocking with us.
        active_types = person.filter(status__in=WaitingListEntry.ACTIVE).values_list("ticket_type_id", flat=True)
        if active_types:
            _lock_capacity(ticket_type_ids=sorted(set(active_types)), promo_code_id=None)
        entries = list(person.select_related("ticket_type").select_for_update(of=("self",)))
        if not entries:
            return []
        pks = [entry.pk for entry in entries]
        leaving = [entry for entry in entries if entry.status in WaitingListEntry.ACTIVE]
        released = sorted(
            {entry.ticket_type_id for entry in leaving if entry.status == WaitingListEntry.Status.OFFERED}
        )
        # Those on a list leave it first, then every entry loses the address: the person may wait for one
        # ticket type under two of their addresses, and two active entries with the same new address
        # would break the one-active-entry-per-address constraint.
        WaitingListEntry.move_all(
            WaitingListEntry.objects.filter(pk__in=[entry.pk for entry in leaving]), WaitingListEntry.Status.LEFT
        )
        WaitingListEntry.objects.filter(pk__in=pks).update(email=anonymised_email)
        # Audit labels are the entry's str(), which starts with the address. Longest first: replacing
        # ada@x.org before not-ada@x.org would leave "not-" behind.
        label: F | Replace = F("label")
        for address in sorted({entry.email for entry in entries}, key=len, reverse=True):
            label = Replace(label, Value(address), Value(anonymised_email))
        ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(WaitingListEntry), object_id__in=[str(pk) for pk in pks]
        ).update(label=label)
        for entry in entries:
            entry.email = anonymised_email
        with audit_batch():
            for entry in leaving:
                entry.move_to(WaitingListEntry.Status.LEFT)
                audit("events.waiting_list.leave", entry, data={"account_deleted": True})
        # After the update, so none of the person's own entries is offered the seats they let go.
        if released:
            waiting_list_offer(ticket_type_ids=released)
    return entries


def waiting_list_expire_offers(*, now: datetime | None = None) -> int:
    """Offers not used in time lapse; their seats are offered to the next people."""
    now = now or timezone.now()
    expired = 0
    for pk in selectors.waiting_list_offers_to_expire(now=now).values_list("pk", flat=True):
        with transaction.atomic():
            entry = WaitingListEntry.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if entry is None or entry.status != WaitingListEntry.Status.OFFERED or entry.offer_is_open(now):
                continue
            entry.move_to(WaitingListEntry.Status.EXPIRED)
            entry.save(update_fields=["status"])
            audit("events.waiting_list.expire", entry, data={})
            waiting_list_offer(ticket_type_ids=[entry.ticket_type_id], now=now)
            expired += 1
    return expired


# --- Sponsorships -------------------------------------------------------------------------


def _lock_package(package_id: int) -> SponsorshipPackage:
    (package,) = capacity.lock(
        SponsorshipPackage.objects.select_related("event").filter(pk=package_id), message=SPONSORS_BUSY
    )
    return package


def _check_slot(package: SponsorshipPackage, now: datetime, exclude_id: int | None = None) -> None:
    capacity.ensure_room(
        taken=selectors.sponsorship_slots_taken(package_id=package.pk, now=now, exclude_id=exclude_id),
        wanted=1,
        limit=package.slots,
        refuse=lambda left: SoldOut(
            f"The {package.name} package is sold out. You can join its waiting list.",
            extra={"package": package.pk, "slots_left": 0},
        ),
    )


def sponsorship_request(
    *,
    package: SponsorshipPackage,
    organization,
    contact_email: str,
    actor,
    logo=None,
    payment_method: str = PaymentMethod.CARD,
) -> Sponsorship:
    """An organisation's admin applies: lock the package, count slots held, write; a full package raises SoldOut.
    `payment_method` is how the sponsor asks to pay; staff invoice that way (events/wagtail_hooks.py)."""
    now = timezone.now()
    if not selectors.organizations_administered_by(actor).filter(pk=organization.pk).exists():
        raise NotOrganizationAdmin(f"You cannot apply on behalf of {organization.name}.")
    if not (contact_email or "").strip():
        raise SponsorshipInvalid("Tell us where to send the invoice.")
    if payment_method not in PaymentMethod.values:
        raise SponsorshipInvalid("Choose card or bank transfer to pay the invoice.")
    with capacity.busy_on_contention(SPONSORS_BUSY), transaction.atomic():
        package = _lock_package(package.pk)
        if Sponsorship.objects.filter(
            selectors.slot_holding_q(now), package=package, organization=organization
        ).exists():
            raise SponsorshipInvalid(f"{organization.name} already applied for {package.name}.")
        _check_slot(package, now)
        # A lapsed request (14 days without a decision) gives way to this one.
        Sponsorship.move_all(
            Sponsorship.objects.filter(package=package, organization=organization, status=Sponsorship.Status.REQUESTED),
            Sponsorship.Status.CANCELED,
            canceled_at=now,
            cancel_reason="Request lapsed",
        )
        sponsorship = Sponsorship.objects.create(
            package=package,
            organization=organization,
            contact_email=contact_email.strip(),
            payment_method=payment_method,
            requested_by=actor,
            requested_at=now,
            logo=logo or "",
        )
        sponsorship.contacts.add(actor)
        SponsorWaitingListEntry.objects.filter(package=package, organization=organization, active=True).update(
            active=False
        )
        audit(
            "events.sponsorship.request",
            sponsorship,
            actor=actor,
            data={"package": package.name, "organization": organization.slug, "payment_method": payment_method},
        )
    return sponsorship


def sponsor_waiting_list_join(
    *, package: SponsorshipPackage, organization, email: str, actor
) -> SponsorWaitingListEntry:
    """A full package's waiting list: staff write to these organisations when a slot comes free."""
    if not selectors.organizations_administered_by(actor).filter(pk=organization.pk).exists():
        raise NotOrganizationAdmin(f"You cannot act on behalf of {organization.name}.")
    with transaction.atomic():
        entry, created = SponsorWaitingListEntry.objects.get_or_create(
            package=package,
            organization=organization,
            active=True,
            defaults={"email": email.strip() or actor.email, "requested_by": actor},
        )
        if created:
            audit("events.sponsor_waiting_list.join", entry, actor=actor, data={"package": package.name})
    return entry


def sponsorship_approve(*, sponsorship: Sponsorship, actor) -> Sponsorship:
    """Staff approve a request; a lapsed one is re-checked against the package's slots."""
    now = timezone.now()
    with transaction.atomic():
        sponsorship = Sponsorship.objects.select_for_update().get(pk=sponsorship.pk)
        package = _lock_package(sponsorship.package_id)
        sponsorship.move_to(Sponsorship.Status.APPROVED)
        _check_slot(package, now, exclude_id=sponsorship.pk)
        sponsorship.approved_at = now
        sponsorship.save(update_fields=["status", "approved_at"])
        audit("events.sponsorship.approve", sponsorship, actor=actor, data={"package": package.name})
    return sponsorship


def sponsorship_invoice(*, sponsorship: Sponsorship, method: str, actor):
    """Invoice an approved sponsorship through the payments app: card (a pay link) or bank transfer."""
    from events import tasks
    from portal.payments import invoicing
    from portal.payments import services as payment_services

    with transaction.atomic():
        sponsorship = (
            Sponsorship.objects.select_for_update(of=("self",))
            .select_related("organization", "package__event")
            .get(pk=sponsorship.pk)
        )
        sponsorship.move_to(Sponsorship.Status.INVOICED)
        package, event = sponsorship.package, sponsorship.package.event
        description = f"{event.name}: {package.name} sponsorship"
        payment = payment_services.payment_create(
            owner=sponsorship,
            amount=package.price,
            currency=event.currency,
            payer_email=sponsorship.contact_email,
            description=description,
            return_url=settings.SITE_URL + reverse("events:sponsor", kwargs={"slug": event.slug}),
            method=method,
            actor=actor,
        )
        buyer = {"buyer_name": sponsorship.organization.name}
        lines = [invoicing.Line(description=description, unit_price=package.price)]
        if method == PaymentMethod.BANK_TRANSFER:
            invoicing.bank_transfer_invoice_issue(payment=payment, buyer=buyer, lines=lines, actor=actor)
        else:
            invoice = invoicing.invoice_create(
                currency=event.currency,
                buyer={**buyer, "buyer_email": sponsorship.contact_email},
                lines=lines,
                payment=payment,
                actor=actor,
            )
            invoicing.invoice_issue(invoice=invoice, actor=actor)
            enqueue_on_commit(tasks.send_sponsorship_pay_link, sponsorship.pk, payment.pk)
        sponsorship.invoiced_at = timezone.now()
        sponsorship.save(update_fields=["status", "invoiced_at"])
        audit(
            "events.sponsorship.invoice",
            sponsorship,
            actor=actor,
            data={"method": method, "amount": str(package.price)},
        )
    return payment


def _new_pass_code(sponsorship: Sponsorship) -> str:
    base = "".join(ch for ch in sponsorship.organization.slug.upper() if ch.isalnum())[:16] or "SPONSOR"
    return f"{base}-{new_order_code()[:6]}"


def sponsorship_mark_paid(*, sponsorship: Sponsorship) -> Sponsorship:
    """The invoice is paid: the logo shows, and included passes become a 100 % code for that many tickets."""
    from portal.core import cache

    now = timezone.now()
    with transaction.atomic():
        sponsorship = (
            Sponsorship.objects.select_for_update(of=("self",))
            .select_related("organization", "package__event")
            .get(pk=sponsorship.pk)
        )
        if sponsorship.status == Sponsorship.Status.PAID:
            return sponsorship
        sponsorship.move_to(Sponsorship.Status.PAID)
        sponsorship.paid_at = now
        package = sponsorship.package
        if package.passes_included and sponsorship.pass_code_id is None:
            code = PromoCode.objects.create(
                event=package.event,
                code=_new_pass_code(sponsorship),
                kind=PromoCode.Kind.PERCENT,
                value=Decimal("100"),
                max_tickets=package.passes_included,
            )
            code.ticket_types.set(package.pass_ticket_types.all())
            sponsorship.pass_code = code
        sponsorship.save(update_fields=["status", "paid_at", "pass_code"])
        audit("events.sponsorship.paid", sponsorship, data={"pass_code": getattr(sponsorship.pass_code, "code", "")})
        from events import tasks

        if sponsorship.pass_code_id:
            enqueue_on_commit(tasks.send_sponsorship_passes, sponsorship.pk)
        transaction.on_commit(cache.purge)  # the logo now shows on cached pages (the company's page)
    return sponsorship


def sponsorship_cancel(*, sponsorship: Sponsorship, actor, reason: str = "") -> Sponsorship:
    """Reject a request or cancel a sponsorship: its slot comes free; an unused pass code stops working."""
    from portal.core import cache

    with transaction.atomic():
        sponsorship = Sponsorship.objects.select_for_update().get(pk=sponsorship.pk)
        was_paid = sponsorship.status == Sponsorship.Status.PAID
        sponsorship.move_to(Sponsorship.Status.CANCELED)
        sponsorship.canceled_at = timezone.now()
        sponsorship.cancel_reason = reason[:200]
        sponsorship.save(update_fields=["status", "canceled_at", "cancel_reason"])
        if sponsorship.pass_code_id:
            PromoCode.objects.filter(pk=sponsorship.pass_code_id).update(active=False)
        audit("events.sponsorship.cancel", sponsorship, actor=actor, data={"reason": reason, "was_paid": was_paid})
        if was_paid:
            transaction.on_commit(cache.purge)
    return sponsorship


def order_refund(*, order: Order, actor, reason: str = "Refunded by the events team") -> Decimal:
    """Staff refund what is left of a paid order through the gateway; the order follows the gateway's answer."""
    from events import payments

    if order.status not in Order.SOLD or order.total - order.refunded_amount <= 0:
        raise NotRefundable(f"Order {order.code} has nothing left to refund.")
    refunded = payments.order_refund_payments(
        order=order, amount=order.total - order.refunded_amount, reason=reason, actor=actor
    )
    audit("events.order.refund_by_staff", order, actor=actor, data={"code": order.code, "amount": str(refunded)})
    return refunded
