"""The sponsor's e-mails about the contract: ready to sign, and signed by both sides."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from events.models import Sponsorship


def _send(sponsorship_id: int, template: str, subject: str) -> None:
    sponsorship = Sponsorship.objects.select_related("organization", "package__event", "requested_by").get(
        pk=sponsorship_id
    )
    event = sponsorship.package.event
    context = {
        "sponsorship": sponsorship,
        "event": event,
        "contract_url": settings.SITE_URL + reverse("events:sponsorship-contract", kwargs={"pk": sponsorship.pk}),
        "invoice_on_signature": settings.SPONSORSHIP_INVOICE_ON == "signature",
        "events_email": settings.EVENTS_EMAIL,
    }
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
