"""Registration's e-mails: confirmation with QR tickets and a calendar file, and the order's news.

Each function builds one message and sends it through the Celery mail backend (portal/core/mail.py).
"""

import math
from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from events import selectors
from events.calendar import event_ics
from events.documents import tickets_pdf
from events.models import (
    Order,
    SponsorRepresentationRequest,
    Sponsorship,
    SponsorWaitingListEntry,
    Ticket,
    WaitingListEntry,
)
from events.qr import ticket_qr_png
from members.models import OrganizationRole
from portal.accounts.groups import EVENTS_STAFF, group_member_emails
from portal.payments.models import Payment


def order_url(order: Order) -> str:
    return settings.SITE_URL + order.get_absolute_url()


def _send(order: Order, template: str, subject: str, *, context: dict | None = None, attach_tickets=False) -> None:
    bundle = getattr(order, "bundle", None)  # a company's bundle: its unassigned tickets admit no one
    context = {
        "order": order,
        "event": order.event,
        "order_url": order_url(order),
        "site_url": settings.SITE_URL,
        "bundle": bundle,
        "bundle_url": settings.SITE_URL + reverse("events:bundles", kwargs={"org": bundle.organization.slug})
        if bundle
        else "",
        **(context or {}),
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"events/email/{template}.txt", context),
        to=[order.buyer_email],
    )
    message.attach_alternative(render_to_string(f"events/email/{template}.html", context), "text/html")
    if attach_tickets:
        assigned = [t for t in live_tickets(order) if t.attendee_name or bundle is None]
        for number, ticket in enumerate(assigned, start=1):
            message.attach(f"ticket-{number}-{order.code}.png", ticket_qr_png(ticket), "image/png")
        event_url = settings.SITE_URL + order.event.get_absolute_url()
        message.attach(f"{order.event.slug}.ics", event_ics(order.event, url=event_url), "text/calendar")
    message.send()


def live_tickets(order: Order) -> list[Ticket]:
    """The order's tickets (prefetched) that were not canceled one by one."""
    return [ticket for ticket in order.tickets.all() if ticket.canceled_at is None]


def ticket_holders(order: Order) -> list[Ticket]:
    """Tickets that go to their own holder as well as to the buyer: those with an address not the buyer's."""
    buyer = order.buyer_email.lower()
    return [
        ticket for ticket in live_tickets(order) if ticket.attendee_email and ticket.attendee_email.lower() != buyer
    ]


def send_ticket_to_holder_of(ticket: Ticket) -> None:
    """One ticket to the person it names: QR code, printable PDF, calendar file and a link to this ticket only."""

    order, event = ticket.order, ticket.order.event
    context = {
        "ticket": ticket,
        "order": order,
        "event": event,
        "ticket_url": settings.SITE_URL + ticket.get_absolute_url(),
    }
    message = EmailMultiAlternatives(
        subject=f"Your ticket for {event.name}",
        body=render_to_string("events/email/ticket_holder.txt", context),
        to=[ticket.attendee_email],
    )
    message.attach_alternative(render_to_string("events/email/ticket_holder.html", context), "text/html")
    message.attach(f"ticket-{ticket.short_code}.png", ticket_qr_png(ticket), "image/png")
    message.attach(f"ticket-{ticket.short_code}.pdf", tickets_pdf(event, [ticket]), "application/pdf")
    event_url = settings.SITE_URL + event.get_absolute_url()
    message.attach(f"{event.slug}.ics", event_ics(event, url=event_url), "text/calendar")
    message.send()


def send_ticket_to_holder(ticket_id: int) -> None:
    ticket = Ticket.objects.select_related("order__event", "ticket_type").get(pk=ticket_id)
    if ticket.canceled_at is None and ticket.order.is_paid and ticket.attendee_email:
        send_ticket_to_holder_of(ticket)


def send_order_confirmation(order_id: int) -> None:
    send_order_confirmation_of(selectors.order_with_details(order_id))


def send_order_confirmation_of(order: Order) -> None:
    """The tickets, for an order read with its details (selectors.order_with_details): all of them to the
    buyer, and each attendee with an address of their own gets theirs."""
    _send(
        order,
        "order_confirmation",
        f"Your tickets for {order.event.name} (order {order.code})",
        context={"holders": ticket_holders(order)},
        attach_tickets=True,
    )
    for ticket in ticket_holders(order):
        ticket.order = order  # the order and event already read
        send_ticket_to_holder_of(ticket)


def send_order_payment_link(order_id: int) -> None:
    """An unpaid order's link, with the moment its seats are released (nothing once paid or expired)."""

    order = selectors.order_with_details(order_id)
    now = timezone.now()
    if order.status != Order.Status.PENDING or order.expires_at is None or order.expires_at <= now:
        return
    minutes = max(1, math.ceil((order.expires_at - now).total_seconds() / 60))
    _send(
        order,
        "order_payment_link",
        f"Complete your registration for {order.event.name} (order {order.code})",
        context={"minutes_left": minutes},
    )


def send_order_received(order_id: int) -> None:
    order = selectors.order_with_details(order_id)
    _send(order, "order_received", f"We received your registration for {order.event.name}")


def send_order_approved(order_id: int) -> None:
    order = selectors.order_with_details(order_id)
    _send(order, "order_approved", f"Your registration for {order.event.name} is approved")


def send_order_canceled(order_id: int, refund: Decimal | None = None) -> None:
    order = selectors.order_with_details(order_id)
    if refund is None:  # queued before the refund policy's fee: what was paid
        refund = order.total if order.paid_at else Decimal("0")
    _send(order, "order_canceled", f"Order {order.code} for {order.event.name} is canceled", context={"refund": refund})


def send_ticket_canceled(ticket_id: int, refund: Decimal) -> None:
    """To the buyer, and to the holder when it is someone else: the ticket is canceled, what comes back."""
    ticket = Ticket.objects.select_related("ticket_type").get(pk=ticket_id)
    order = selectors.order_with_details(ticket.order_id)
    _send(
        order,
        "ticket_canceled",
        f"A ticket of order {order.code} for {order.event.name} is canceled",
        context={"ticket": ticket, "refund": refund},
    )


def send_late_payment_refunded(order_id: int, refunded: Decimal) -> None:
    order = selectors.order_with_details(order_id)
    _send(
        order,
        "late_payment_refunded",
        f"Your payment for {order.event.name} was refunded",
        context={"refunded": refunded},
    )


# --- Waiting list -------------------------------------------------------------------------


def waiting_list_offer_url(entry) -> str:

    token = selectors.waiting_list_token(entry, "offer")
    return settings.SITE_URL + reverse(
        "events:waiting-list-offer", kwargs={"slug": entry.ticket_type.event.slug, "token": token}
    )


def waiting_list_leave_url(entry) -> str:

    token = selectors.waiting_list_token(entry, "leave")
    return settings.SITE_URL + reverse(
        "events:waiting-list-leave", kwargs={"slug": entry.ticket_type.event.slug, "token": token}
    )


def _send_waiting_list(entry_id: int, template: str, subject: str) -> None:

    entry = WaitingListEntry.objects.select_related("ticket_type__event").get(pk=entry_id)
    event = entry.ticket_type.event
    context = {
        "entry": entry,
        "event": event,
        "offer_url": waiting_list_offer_url(entry),
        "leave_url": waiting_list_leave_url(entry),
        "price": entry.ticket_type.price,
        "total": entry.ticket_type.price * entry.quantity,
        "expires": f"{event.local(entry.offer_expires_at):%d %B %Y, %H:%M}" if entry.offer_expires_at else "",
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"events/email/{template}.txt", context),
        to=[entry.email],
        headers={"List-Unsubscribe": f"<{context['leave_url']}>"},
    )
    message.send()


def send_waiting_list_joined(entry_id: int) -> None:
    _send_waiting_list(entry_id, "waiting_list_joined", "You are on the waiting list")


def send_waiting_list_offer(entry_id: int) -> None:
    _send_waiting_list(entry_id, "waiting_list_offer", "Seats are free for you: register now")


# --- Sponsorships -------------------------------------------------------------------------


def _sponsorship(sponsorship_id: int):

    return Sponsorship.objects.select_related("organization", "package__event", "pass_code").get(pk=sponsorship_id)


def _send_text(to: list[str], subject: str, template: str, context: dict) -> None:
    """One plain-text message rendered from events/email/<template>.txt."""
    EmailMultiAlternatives(
        subject=subject, body=render_to_string(f"events/email/{template}.txt", context), to=to
    ).send()


def _send_to_sponsor(sponsorship, subject: str, template: str, **context) -> None:
    """A message to the sponsorship's contact; the template sees the sponsorship and its event."""
    context = {"sponsorship": sponsorship, "event": sponsorship.package.event, **context}
    _send_text([sponsorship.contact_email], subject, template, context)


def send_sponsorship_pay_link(sponsorship_id: int, payment_id: int) -> None:

    sponsorship = _sponsorship(sponsorship_id)
    payment = Payment.objects.get(pk=payment_id)
    _send_to_sponsor(
        sponsorship,
        f"Your {sponsorship.package.name} sponsorship of {sponsorship.package.event.name}: invoice",
        "sponsorship_invoiced",
        pay_url=settings.SITE_URL + payment.get_absolute_url(),
    )


def send_sponsorship_passes(sponsorship_id: int) -> None:
    sponsorship = _sponsorship(sponsorship_id)
    event = sponsorship.package.event
    _send_to_sponsor(
        sponsorship,
        f"Your passes for {event.name}",
        "sponsorship_passes",
        register_url=settings.SITE_URL + event.get_register_url(),
    )


def send_sponsorship_received(sponsorship_id: int) -> None:
    """The applicant hears that the slot is held while staff decide; Events staff hear there is a decision to make."""
    sponsorship = _sponsorship(sponsorship_id)
    event = sponsorship.package.event
    context = {
        "sponsorship": sponsorship,
        "event": event,
        "events_email": settings.EVENTS_EMAIL,
        "review_url": settings.SITE_URL + reverse("events_sponsorships") + f"?event={event.slug}&status=requested",
    }
    _send_text(
        [sponsorship.contact_email],
        f"We received {sponsorship.organization.name}'s application to sponsor {event.name}",
        "sponsorship_received",
        context,
    )
    staff = group_member_emails(EVENTS_STAFF)
    if staff:
        _send_text(
            staff,
            f"Sponsorship to review: {sponsorship.organization.name}, {sponsorship.package.name}",
            "sponsorship_to_review",
            context,
        )


def send_sponsorship_approved(sponsorship_id: int) -> None:
    sponsorship = _sponsorship(sponsorship_id)
    _send_to_sponsor(
        sponsorship,
        f"Your {sponsorship.package.name} sponsorship of {sponsorship.package.event.name} is approved",
        "sponsorship_approved",
        events_email=settings.EVENTS_EMAIL,
        # With SPONSORSHIP_INVOICE_ON = "signature" a contract to sign comes before the invoice.
        invoice_after_contract=settings.SPONSORSHIP_INVOICE_ON == "signature"
        and bool(sponsorship.package.contract_terms.strip()),
    )


def send_sponsor_waiting_list_joined(entry_id: int) -> None:
    """The organisation is on a full package's waiting list: what happens when a slot comes free."""
    entry = SponsorWaitingListEntry.objects.select_related("organization", "package__event").get(pk=entry_id)
    event = entry.package.event
    _send_text(
        [entry.email],
        f"{entry.organization.name} is on the {entry.package.name} waiting list for {event.name}",
        "sponsor_waiting_list_joined",
        {
            "entry": entry,
            "event": event,
            "events_email": settings.EVENTS_EMAIL,
            "sponsor_url": settings.SITE_URL + reverse("events:sponsor", kwargs={"slug": event.slug}),
        },
    )


def _representation(request_id: int) -> SponsorRepresentationRequest:
    return SponsorRepresentationRequest.objects.select_related(
        "organization", "package__event", "applicant", "sponsorship"
    ).get(pk=request_id)


def send_sponsor_representation_request(request_id: int) -> None:
    """The organisation's admins get a link to confirm or refuse; with no admins, Events staff get the admin screen."""
    request = _representation(request_id)
    context = {
        "request": request,
        "event": request.package.event,
        "confirm_url": settings.SITE_URL
        + reverse("events:sponsor_representation", kwargs={"slug": request.package.event.slug, "token": request.token}),
        "staff_url": settings.SITE_URL + reverse("events_sponsor_representations"),
        "events_email": settings.EVENTS_EMAIL,
    }
    if request.asked_staff:
        to = group_member_emails(EVENTS_STAFF) or [settings.EVENTS_EMAIL]
    else:
        to = sorted(
            OrganizationRole.objects.filter(organization=request.organization, role=OrganizationRole.Role.ADMIN)
            .values_list("user__email", flat=True)
            .distinct()
        )
    _send_text(
        to,
        f"Does {request.applicant.email} represent {request.organization.name}? A sponsorship application waits",
        "sponsor_representation_request",
        context,
    )


def send_sponsor_representation_decided(request_id: int) -> None:
    """The applicant hears whether the organisation confirmed them, and where the application stands."""
    request = _representation(request_id)
    event = request.package.event
    confirmed = request.status == SponsorRepresentationRequest.Status.CONFIRMED
    _send_text(
        [request.applicant.email],
        f"{request.organization.name} confirmed you: your application to sponsor {event.name}"
        if confirmed
        else f"Your application to sponsor {event.name} for {request.organization.name} was refused",
        "sponsor_representation_decided",
        {
            "request": request,
            "event": event,
            "confirmed": confirmed,
            "events_email": settings.EVENTS_EMAIL,
            "sponsor_url": settings.SITE_URL + reverse("events:sponsor", kwargs={"slug": event.slug}),
        },
    )
