"""E-mails about a sponsorship contract: the sponsor hears it is ready to sign and when it is signed by both
sides; Events staff hear when it waits for their countersignature."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from events.models import Sponsorship
from portal.accounts.groups import EVENTS_STAFF, group_member_emails


def _context(sponsorship_id: int) -> dict:
    sponsorship = Sponsorship.objects.select_related("organization", "package__event", "requested_by", "contract").get(
        pk=sponsorship_id
    )
    event = sponsorship.package.event
    return {
        "sponsorship": sponsorship,
        "event": event,
        "contract_url": settings.SITE_URL + reverse("events:sponsorship-contract", kwargs={"pk": sponsorship.pk}),
        "invoice_on_signature": settings.SPONSORSHIP_INVOICE_ON == "signature",
        "events_email": settings.EVENTS_EMAIL,
    }


def _send(sponsorship_id: int, template: str, subject: str) -> None:
    context = _context(sponsorship_id)
    sponsorship, event = context["sponsorship"], context["event"]
    to = [sponsorship.contact_email]
    requester = sponsorship.requested_by
    if requester and requester.email and requester.email.lower() != sponsorship.contact_email.lower():
        to.append(requester.email)
    EmailMultiAlternatives(
        subject=subject.format(package=sponsorship.package.name, event=event.name),
        body=render_to_string(f"events/contracts/email/{template}.txt", context),
        to=to,
    ).send()


def send_sponsorship_contract_ready(sponsorship_id: int) -> None:
    _send(sponsorship_id, "contract_ready", "Your {package} sponsorship of {event}: the contract is ready to sign")


def send_sponsorship_contract_countersigned(sponsorship_id: int) -> None:
    _send(sponsorship_id, "contract_countersigned", "Your {package} sponsorship of {event}: contract signed")


def send_sponsorship_contract_signed(sponsorship_id: int) -> None:
    """Events staff hear that a sponsor signed and the contract waits for their countersignature."""
    staff = group_member_emails(EVENTS_STAFF)
    if not staff:
        return
    context = _context(sponsorship_id)
    sponsorship = context["sponsorship"]
    context["contract"] = sponsorship.contract
    context["countersign_url"] = settings.SITE_URL + reverse(
        "events_sponsorship_contract", kwargs={"pk": sponsorship.pk}
    )
    EmailMultiAlternatives(
        subject=f"Contract to countersign: {sponsorship.organization.name}, {sponsorship.package.name}",
        body=render_to_string("events/contracts/email/contract_to_countersign.txt", context),
        to=staff,
    ).send()
