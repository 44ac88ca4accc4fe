"""Registration's part of My account: the section, the data export, the anonymiser."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from events import selectors, services
from events.models import Event, Order, Ticket
from events.sponsor_account import sponsor_pages_section, sponsor_pages_section_reads
from portal.accounts import sections
from portal.accounts.services import ANONYMISED_DOMAIN, anonymised_email
from portal.core.audit import audit_forget_person
from portal.core.money import format_money
from portal.core.reverse import reverse
from portal.payments.selectors import latest_payments_for_owners


def section_reads(user) -> dict:
    return {"orders": selectors.orders_listed_read(user), "held": selectors.tickets_held_listed_read(user)}


def section_context(user, orders: list[Order], held: list[Ticket]) -> dict | None:
    """The person's orders (also guest ones with a verified e-mail) and tickets bought for them."""
    if not orders and not held:
        return None
    badge_kinds = {"paid": "success", "pending": "warning", "canceled": "neutral", "refunded": "neutral"}
    items = []
    for order in orders:
        tickets = order.ticket_count
        items.append(
            {
                "label": f"{order.event_name}: order {order.code}",
                "url": reverse(
                    "events:order", kwargs={"slug": order.event_slug, "code": order.code, "secret": order.secret}
                ),
                "meta": f"{tickets} ticket{'s' if tickets != 1 else ''} · {format_money(order.total, order.currency, nbsp=True)}",
                "badge": "Waiting for approval" if order.awaiting_approval else order.get_status_display(),
                "badge_kind": badge_kinds.get(order.status, "neutral"),
            }
        )
    for ticket in held:
        items.append(
            {
                "label": f"{ticket.event_name}: {ticket.ticket_type_name}",
                "meta": f"bought for you by {ticket.buyer_name}",
                "badge": "Ticket",
                "badge_kind": "info",
            }
        )
    return {"title": "Your summit tickets", "items": items}


def sponsorship_section_reads(user) -> dict:
    return {"sponsorships": selectors.sponsorships_for_contact_read(user)}


def sponsorship_section_context(user, sponsorships: list) -> dict | None:
    """Sponsor contacts see their sponsorships and how many of the included passes are used."""

    if not sponsorships:
        return None
    payments = latest_payments_for_owners(sponsorships)
    codes = [sponsorship.pass_code_id for sponsorship in sponsorships if sponsorship.pass_code_id]
    used_by_code = selectors.promo_codes_tickets(promo_code_ids=codes, now=timezone.now())
    kinds = {"paid": "success", "requested": "warning", "approved": "info", "invoiced": "info", "canceled": "neutral"}
    items = []
    for sponsorship in sponsorships:
        meta = f"{sponsorship.organization_name}"
        if sponsorship.pass_code_id is not None:
            used = used_by_code.get(sponsorship.pass_code_id, 0)
            meta += f" · passes: code {sponsorship.pass_code_code}, {used} of {sponsorship.pass_code_max_tickets} used"
        # Once invoiced, the link is the payment: its invoice, and for a transfer the reference to quote.
        payment = payments.get(str(sponsorship.pk))
        if payment is not None and payment.issued_invoices:
            meta += f" · invoice {payment.issued_invoices[0].number}, {payment.amount_display}"
        items.append(
            {
                "label": f"{sponsorship.event_name}: {sponsorship.package_name} sponsorship",
                "url": payment.get_absolute_url() if payment else Event(slug=sponsorship.event_slug).get_absolute_url(),
                "meta": meta,
                "badge": sponsorship.get_status_display(),
                "badge_kind": kinds.get(sponsorship.status, "neutral"),
            }
        )
    return {"title": "Your sponsorships", "items": items}


def export(user) -> list[dict]:
    return [
        {
            "event": order.event.name,
            "order": order.code,
            "status": order.status,
            "buyer_name": order.buyer_name,
            "buyer_email": order.buyer_email,
            "total": str(order.total),
            "currency": order.currency,
            "created_at": order.created_at.isoformat(),
            "tickets": [
                {
                    "type": ticket.ticket_type.name,
                    "attendee_name": ticket.attendee_name,
                    "attendee_email": ticket.attendee_email,
                    "company": ticket.company,
                    "checked_in_at": ticket.checked_in_at.isoformat() if ticket.checked_in_at else None,
                }
                for ticket in order.tickets.all()
            ],
        }
        for order in selectors.orders_for_user(user)
    ]


def export_waiting_lists(user) -> list[dict]:
    """The person's waiting-list entries, found by their verified addresses as the anonymiser finds them."""
    return [
        {
            "event": entry.ticket_type.event.name,
            "ticket_type": entry.ticket_type.name,
            "email": entry.email,
            "quantity": entry.quantity,
            "status": entry.status,
            "created_at": entry.created_at.isoformat(),
            "offered_at": entry.offered_at.isoformat() if entry.offered_at else None,
            "offer_expires_at": entry.offer_expires_at.isoformat() if entry.offer_expires_at else None,
            "order": entry.order.code if entry.order else None,
        }
        for entry in selectors.waiting_list_entries_for_emails(list(selectors.verified_emails(user)))
    ]


def export_sponsor_contacts(user) -> list[dict]:
    """Where the person is a sponsorship's billing, marketing or logistics contact, by their verified addresses."""
    return [
        {
            "event": contact.sponsorship.package.event.name,
            "package": contact.sponsorship.package.name,
            "organization": contact.sponsorship.organization.name,
            "role": contact.role,
            "name": contact.name,
            "email": contact.email,
        }
        for contact in selectors.sponsor_contacts_for_user(user)
    ]


def anonymise(user) -> None:
    """Orders are financial rows and stay; the person's name, e-mail and billing details go.

    Their orders are those placed signed in and those placed as a guest with one of their verified
    addresses (an unverified one may be someone else's); tickets bought for them lose their details too.
    Their waiting-list entries, found by the same addresses, leave the list and lose the address.
    Runs before the account's addresses are removed (portal.accounts.services.user_anonymise).
    """

    emails = list(selectors.verified_emails(user))
    with transaction.atomic():
        orders = Order.objects.filter(Q(user=user) | selectors.email_in_q("buyer_email", emails))
        tickets = Ticket.objects.filter(Q(order__in=orders) | selectors.email_in_q("attendee_email", emails))
        # Their audit entries named them too ("Full access: Grace Hopper", renames' before and after).
        audit_forget_person(Ticket, list(tickets.values_list("pk", flat=True)), label="Ticket (anonymised)")
        tickets.update(attendee_name="", attendee_email="", company="", job_title="", pronouns="")
        for order in orders.only("pk", "code"):
            Order.objects.filter(pk=order.pk).update(
                user=None,
                buyer_name="Anonymised",
                buyer_email=f"order-{order.code.lower()}@{ANONYMISED_DOMAIN}",
                billing_company="",
                billing_address="",
                billing_vat_id="",
            )
        services.waiting_list_anonymise(emails=emails, anonymised_email=anonymised_email(user))
        services.sponsor_contacts_anonymise(user=user, emails=emails, anonymised_email=anonymised_email(user))


def register() -> None:

    list_template = "account/sections/list.html"
    sections.register_section("events", list_template, section_context, order=50, reads=section_reads)
    sections.register_section(
        "sponsorships", list_template, sponsorship_section_context, order=55, reads=sponsorship_section_reads
    )
    sections.register_section(
        "sponsor_pages", list_template, sponsor_pages_section, order=56, reads=sponsor_pages_section_reads
    )
    sections.register_export("event_orders", export)
    sections.register_export("event_waiting_lists", export_waiting_lists)
    sections.register_export("sponsorship_contacts", export_sponsor_contacts)
    sections.register_anonymiser("events", anonymise)
