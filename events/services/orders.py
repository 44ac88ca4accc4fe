"""Orders: capacity holds, creation, payment outcomes, expiry of unpaid holds, approval.

Capacity follows the house rule in docs/ARCHITECTURE.md (as pretix's services/cart.py does): lock the rows
that own the capacity (ticket types by pk, then the promo code), count paid orders plus unexpired holds,
raise SoldOut if the order does not fit, then write, all in one transaction.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from events import selectors, tasks
from events.exceptions import OfferExpired, OrderInvalid, SoldOut
from events.models import Event, Order, OrderLine, Ticket, TicketType, WaitingListEntry
from events.services.pricing import Quote, QuoteLine, order_tax, order_validate
from events.services.seats import BUSY, _check_capacity, _lock_capacity
from events.services.waiting_list import _order_type_ids, waiting_list_offer
from portal.core import capacity
from portal.core.audit import audit
from portal.core.money import round_money
from portal.core.tasking import enqueue_on_commit


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
    billing = billing or {}
    # Checked before any lock: a VAT number may be looked up online (VIES), which never blocks the sale.
    tax = order_tax(event=event, billing=billing, on=timezone.localdate(now))
    quote = order_validate(
        event=event, quantities=quantities, promo_code=promo_code, now=now, ticket_types=ticket_types, tax=tax
    )
    attendees = [a for a in (attendees or [])]
    if attendees and len(attendees) != quote.quantity:
        raise OrderInvalid("Give one set of attendee details per ticket, or name the attendees later.")
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
        billing_vat_id=quote.vat_check.number if quote.vat_check else billing.get("vat_id", ""),
        billing_country=billing.get("country", ""),
        currency=event.currency,
        subtotal=quote.subtotal,
        discount=quote.discount,
        total=quote.total,
        tax=quote.tax,
        prices_include_tax=quote.prices_include_tax,
        tax_note=quote.tax_note,
        tax_country=quote.tax_country,
        vat_check=quote.vat_check.message if quote.vat_check else "",
        promo_code=quote.promo_code,
        needs_approval=quote.needs_approval,
        # Waiting for approval holds the seats until staff decide; otherwise a 15-minute hold.
        expires_at=None if quote.needs_approval else now + timedelta(seconds=settings.ORDER_HOLD_SECONDS),
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
                tax_rate=line.tax_rate,
                tax=line.tax,
                discount_tax=line.discount_tax,
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
        enqueue_on_commit(tasks.send_order_received, order.pk)
    return order


def _after_paid(order: Order) -> None:

    enqueue_on_commit(tasks.send_order_confirmation, order.pk)


# --- Payment outcomes ---------------------------------------------------------------------


def order_payment_succeeded(
    *,
    order: Order,
    amount: Decimal | None = None,
    locked: bool = False,
    tickets_sent_by_caller: bool = False,
    refund_by_caller: bool = False,
) -> bool:
    """Mark an order paid; a payment after the hold ran out is re-checked against capacity.

    Returns False when the seats are gone: the order stays expired and the payment is refunded
    automatically (after commit), and the buyer is told. The tickets go by e-mail after the commit,
    by a task of their own unless `tickets_sent_by_caller` (the payment's receipt task sends them).
    `locked`: the caller's transaction holds the order's row lock already (the payments ledger locks
    the owner of a payment that succeeds), so it is neither read nor locked again.
    `refund_by_caller`: the payments ledger gives a refused payment back and tells the buyer itself.
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
            if not refund_by_caller:
                enqueue_on_commit(tasks.refund_late_payment, order.pk)
            return False
        return _mark_paid(order, now, late=False, send_tickets=not tickets_sent_by_caller)


def order_payment_refusal(order: Order, now: datetime | None = None) -> str:
    """Why an order can no longer be paid, for the buyer ("" when it can): canceled, or its hold ran out.

    An expired hold is refused here, before any money moves (the order page says the same); money
    that still arrives late (3-D Secure, a race) is kept when the seats are free (order_payment_succeeded).
    """
    now = now or timezone.now()
    if order.status in (Order.Status.CANCELED, Order.Status.REFUNDED):
        return f"Order {order.code} was canceled, so it can no longer be paid."
    if order.hold_expired(now):
        return (
            f"Order {order.code} expired at {order.event.local(order.expires_at):%H:%M on %d %B %Y}: "
            "seats are held for a limited time, and nothing was charged. Please place a new order."
            if order.expires_at
            else f"Order {order.code} expired and nothing was charged. Please place a new order."
        )
    return ""


def order_late_payment_reason(order: Order) -> str:
    """What the buyer is told when money arrived for an order that could not take it any more."""
    if order.status in (Order.Status.CANCELED, Order.Status.REFUNDED):
        return f"Your order {order.code} for {order.event.name} had been canceled before your payment arrived."
    return (
        f"Your order {order.code} for {order.event.name} had expired before your payment arrived, "
        "and its seats had gone to someone else."
    )


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


def order_flag(*, order: Order, reason: str) -> Order:
    """Flag an order for staff (the money was taken back): nothing is canceled for it."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        order.flagged_reason = reason[:300]
        order.save(update_fields=["flagged_reason"])
        audit("events.order.flag", order, data={"code": order.code, "reason": reason})
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


def orders_send_payment_links(*, now: datetime | None = None) -> int:
    """E-mail each unpaid order's link once, with how long its seats are still held."""
    now = now or timezone.now()
    placed_before = now - timedelta(minutes=settings.ORDER_PAYMENT_LINK_AFTER_MINUTES)
    sent = 0
    for order in selectors.orders_to_send_payment_link(now=now, placed_before=placed_before):
        with transaction.atomic():
            # Conditional, so two beats (or a retry) send it once.
            if not Order.objects.filter(pk=order.pk, payment_link_sent_at__isnull=True).update(
                payment_link_sent_at=now
            ):
                continue
            audit("events.order.payment_link_sent", order, data={"code": order.code})
            enqueue_on_commit(tasks.send_order_payment_link, order.pk)
            sent += 1
    return sent


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

            enqueue_on_commit(tasks.send_order_approved, order.pk)
        audit("events.order.approve", order, actor=actor, data={"code": order.code})
    return order
