"""Company ticket bundles: an organisation's admin buys many tickets of one type on one order (and one
invoice), then assigns, reassigns and unassigns the attendees until the event's bundle cut-off.

The seats are taken when the bundle is ordered, under the same capacity lock as any order; each assigned
attendee gets their own ticket by e-mail, and every change of holder reissues the ticket's codes, so the
QR code someone held before admits no one.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from events import bundle_selectors, payments, tasks
from events.exceptions import ChangesClosed, NotOrganizationAdmin, OrderInvalid, RegistrationClosed, SoldOut
from events.models import Event, Order, Ticket, TicketBundle, TicketType, new_ticket_code
from events.services.orders import _order_write
from events.services.pricing import order_quote
from events.services.seats import BUSY, _check_capacity, _lock_capacity
from events.ticket_codes import new_short_code
from members.models import Organization
from portal.core import capacity
from portal.core.audit import audit
from portal.core.tasking import enqueue_on_commit
from portal.payments import invoicing
from portal.payments import services as payment_services
from portal.payments.models import PaymentMethod

# The most tickets one bundle holds: a bigger group talks to the events team.
BUNDLE_MAX_TICKETS = 200
# A bundle paid by bank transfer holds its seats this long (the invoice's payment terms).
BUNDLE_TRANSFER_DAYS = 14


def _require_admin(actor, organization: Organization) -> None:
    if not bundle_selectors.organizations_buying_bundles(actor).filter(pk=organization.pk).exists():
        raise NotOrganizationAdmin(f"Only the admins of {organization.name} can manage its ticket bundles.")


def bundle_create(
    *,
    event: Event,
    organization: Organization,
    ticket_type: TicketType,
    quantity: int,
    actor,
    buyer_name: str,
    buyer_email: str,
    billing: dict | None = None,
    payment_method: str = PaymentMethod.CARD,
) -> TicketBundle:
    """An organisation's admin orders `quantity` tickets of one type on one order: the seats are taken now
    (lock, count, write; SoldOut when fewer are left), the attendees are named later.

    By card the order holds its seats like any order while the buyer pays; by bank transfer the invoice is
    issued at once and the seats are held for its payment terms.
    """
    now = timezone.now()
    _require_admin(actor, organization)
    if ticket_type.event_id != event.pk:
        raise OrderInvalid("This ticket type is not sold for this event.")
    if not event.registration_is_open(now):
        raise RegistrationClosed(f"Registration for {event.name} is not open.")
    if not ticket_type.on_sale(now) or ticket_type.hidden:
        raise OrderInvalid(f"{ticket_type.name} is not on sale.")
    if ticket_type.needs_approval:
        raise OrderInvalid(f"{ticket_type.name} needs our approval for each attendee, so it is not sold in bundles.")
    if not 1 <= quantity <= BUNDLE_MAX_TICKETS:
        raise OrderInvalid(f"A bundle holds from 1 to {BUNDLE_MAX_TICKETS} tickets.")
    if payment_method not in PaymentMethod.values:
        raise OrderInvalid("Choose card or bank transfer.")
    if not buyer_name.strip() or not buyer_email.strip():
        raise OrderInvalid("Tell us the buyer's name and e-mail.")
    quote = order_quote(event=event, quantities={ticket_type: quantity}, promo_code=None)
    billing = {"company": organization.name, **{k: v for k, v in (billing or {}).items() if v}}
    with capacity.busy_on_contention(BUSY), transaction.atomic():
        seats = _lock_capacity(ticket_type_ids=[ticket_type.pk], promo_code_id=None)
        try:
            _check_capacity(quote=quote, seats=seats, now=now)
        except SoldOut as error:
            left = int(error.extra.get("available", 0))
            raise SoldOut(
                f"Only {left} × {ticket_type.name} left, so a bundle of {quantity} does not fit."
                if left
                else f"{ticket_type.name} is sold out.",
                extra={**error.extra, "wanted": quantity},
            ) from error
        order = _order_write(
            event=event,
            quote=quote,
            buyer_name=buyer_name.strip(),
            buyer_email=buyer_email.strip().lower(),
            attendees=[],
            billing=billing,
            user=actor,
            now=now,
        )
        bundle = TicketBundle.objects.create(order=order, organization=organization, created_by=actor)
        if payment_method == PaymentMethod.BANK_TRANSFER and order.status == Order.Status.PENDING:
            _invoice_by_transfer(order=order, actor=actor, now=now)
        audit(
            "events.bundle.create",
            bundle,
            actor=actor,
            data={
                "organization": organization.name,
                "order": order.code,
                "ticket_type": ticket_type.name,
                "quantity": quantity,
                "method": payment_method,
            },
        )
    return bundle


def _invoice_by_transfer(*, order: Order, actor, now) -> None:
    """The bundle's one invoice with the transfer instructions; its seats are held for the payment terms."""
    days = BUNDLE_TRANSFER_DAYS
    order.expires_at = now + timedelta(days=days)
    order.save(update_fields=["expires_at"])
    payment = payment_services.payment_create(
        owner=order,
        amount=order.total,
        currency=order.currency,
        payer_email=order.buyer_email,
        description=f"{order.event.name}: order {order.code}",
        return_url=settings.SITE_URL + order.get_absolute_url(),
        method=PaymentMethod.BANK_TRANSFER,
        actor=actor,
    )
    lines = [
        invoicing.Line(
            description=f"{line.ticket_type.name}, {order.event.name}",
            unit_price=line.unit_price,
            quantity=Decimal(line.quantity),
        )
        for line in order.lines.select_related("ticket_type")
    ]
    buyer = {
        "buyer_name": order.billing_company or order.buyer_name,
        "buyer_address": order.billing_address,
        "buyer_vat_id": order.billing_vat_id,
    }
    invoicing.bank_transfer_invoice_issue(
        payment=payment, buyer=buyer, lines=lines, payment_terms_days=days, actor=actor
    )


def _lock_bundle_ticket(ticket: Ticket, actor) -> Ticket:
    """The ticket under its row lock, with its order, event and bundle; refused when the person may not
    change it now (not an admin of the bundle's organisation, the order not live, past the cut-off)."""
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("order__event", "order__bundle__organization", "ticket_type")
        .get(pk=ticket.pk)
    )
    order, event = ticket.order, ticket.order.event
    bundle = getattr(order, "bundle", None)
    if bundle is None:
        raise OrderInvalid("This ticket is not part of a company bundle.")
    _require_admin(actor, bundle.organization)
    now = timezone.now()
    if order.status not in (*Order.SOLD, Order.Status.PENDING) or order.hold_expired(now):
        raise ChangesClosed(f"Order {order.code} is {order.get_status_display().lower()}: its tickets cannot change.")
    if ticket.canceled_at is not None:
        raise ChangesClosed("This ticket is canceled.")
    if ticket.checked_in_at is not None:
        raise ChangesClosed(f"{ticket.attendee_name} has already checked in with this ticket.")
    cutoff = event.bundle_assign_cutoff
    if now >= cutoff:
        raise ChangesClosed(
            f"Attendees of company bundles could be assigned until {event.local(cutoff):%d %B %Y, %H:%M %Z}; "
            "please write to the events team."
        )
    return ticket


def _reissue(ticket: Ticket) -> None:
    """New QR and short codes: whatever the ticket's codes were, they admit no one any more."""
    ticket.code = new_ticket_code()
    ticket.short_code = new_short_code()


def bundle_ticket_assign(
    *,
    ticket: Ticket,
    attendee_name: str,
    attendee_email: str,
    actor,
    company: str = "",
    job_title: str = "",
    pronouns: str = "",
) -> Ticket:
    """Name (or rename) the attendee of a bundle's ticket until the cut-off.

    A new holder (another name or address) gets the ticket reissued (the previous holder's QR and short code
    admit no one) and, once the bundle is paid, their own ticket by e-mail; a change of badge details alone
    keeps the codes.
    """
    name, email = attendee_name.strip(), attendee_email.strip()
    if not name or not email:
        raise OrderInvalid("Give the attendee's name and e-mail: their ticket goes to that address.")
    with transaction.atomic():
        ticket = _lock_bundle_ticket(ticket, actor)
        order = ticket.order
        before = {"name": ticket.attendee_name, "email": ticket.attendee_email}
        new_holder = ticket.is_new_holder(name, email)
        if new_holder:
            _reissue(ticket)
        ticket.set_holder(
            name=name,
            email=email,
            company=company.strip() or order.bundle.organization.name,
            job_title=job_title,
            pronouns=pronouns,
        )
        ticket.save()
        audit(
            "events.bundle.assign",
            ticket,
            actor=actor,
            data={
                "order": order.code,
                "organization": order.bundle.organization.name,
                "before": before,
                "after": {"name": name, "email": email},
                "reissued": new_holder,
            },
        )
        if new_holder and order.is_paid:
            enqueue_on_commit(tasks.send_ticket_to_holder, ticket.pk)
    return ticket


def bundle_ticket_unassign(*, ticket: Ticket, actor) -> Ticket:
    """Give a bundle's ticket back to the organisation, unassigned: its codes are reissued, so the person who
    held it can no longer check in, and nobody can until it is assigned again."""
    with transaction.atomic():
        ticket = _lock_bundle_ticket(ticket, actor)
        if not ticket.attendee_name:
            return ticket
        before = {"name": ticket.attendee_name, "email": ticket.attendee_email}
        _reissue(ticket)
        ticket.attendee_name = ticket.attendee_email = ticket.company = ticket.job_title = ticket.pronouns = ""
        ticket.save()
        audit(
            "events.bundle.unassign",
            ticket,
            actor=actor,
            data={"order": ticket.order.code, "organization": ticket.order.bundle.organization.name, "before": before},
        )
    return ticket


def bundle_request_payment(*, bundle: TicketBundle, return_url: str) -> str:
    """The card pay page for the bundle's one order (its total): an open payment is resumed; after paying,
    the buyer comes back to `return_url` (the organisation's bundle page)."""
    order = bundle.order
    return payments.order_request_payment(
        order=order,
        method=PaymentMethod.CARD,
        description=f"{order.event.name}: order {order.code} ({bundle.organization.name})",
        return_url=return_url,
    )
