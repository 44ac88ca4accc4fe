"""The sponsor hears of every change to its benefits and material; Events staff hear when material arrives.

Each function builds one message and sends it through the Celery mail backend (portal/core/mail.py).
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from events.models import SponsorBenefit, Sponsorship
from portal.accounts.groups import EVENTS_STAFF, group_member_emails


def _sponsorship(sponsorship_id: int) -> Sponsorship:
    return Sponsorship.objects.select_related("organization", "package__event", "pass_code").get(pk=sponsorship_id)


def _context(sponsorship: Sponsorship, **extra) -> dict:
    return {
        "sponsorship": sponsorship,
        "event": sponsorship.package.event,
        "events_email": settings.EVENTS_EMAIL,
        "page_url": settings.SITE_URL
        + reverse("events:sponsor-account", kwargs={"organization": sponsorship.organization.slug}),
        **extra,
    }


def _send(sponsorship: Sponsorship, subject: str, template: str, context: dict, to: list[str]) -> None:
    EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"events/sponsor_account/email/{template}.txt", context),
        to=to,
    ).send()


def send_benefits_released(sponsorship_id: int, benefit_ids: list[int]) -> None:
    sponsorship = _sponsorship(sponsorship_id)
    benefits = list(SponsorBenefit.objects.filter(pk__in=benefit_ids).select_related("promo_code"))
    _send(
        sponsorship,
        f"{sponsorship.package.event.name}: sponsor benefits released",
        "benefits_released",
        _context(sponsorship, benefits=benefits),
        [sponsorship.contact_email],
    )


def send_benefits_withdrawn(sponsorship_id: int, benefit_ids: list[int]) -> None:
    sponsorship = _sponsorship(sponsorship_id)
    benefits = list(SponsorBenefit.objects.filter(pk__in=benefit_ids))
    _send(
        sponsorship,
        f"{sponsorship.package.event.name}: sponsor benefits withdrawn",
        "benefits_withdrawn",
        _context(sponsorship, benefits=benefits),
        [sponsorship.contact_email],
    )


def send_benefit_fulfilled(benefit_id: int) -> None:
    benefit = SponsorBenefit.objects.get(pk=benefit_id)
    sponsorship = _sponsorship(benefit.sponsorship_id)
    _send(
        sponsorship,
        f"{sponsorship.package.event.name}: {benefit.name} delivered",
        "benefit_fulfilled",
        _context(sponsorship, benefit=benefit),
        [sponsorship.contact_email],
    )


def send_asset_received(sponsorship_id: int, what: str) -> None:
    """The sponsor gets a receipt; Events staff get a note to fetch the material."""
    sponsorship = _sponsorship(sponsorship_id)
    context = _context(
        sponsorship,
        what=what,
        deadline=sponsorship.package.event.local(sponsorship.package.asset_deadline),
        staff_url=settings.SITE_URL + reverse("events_sponsorship_benefits", kwargs={"pk": sponsorship.pk}),
    )
    event_name = sponsorship.package.event.name
    _send(sponsorship, f"{event_name}: we received your {what}", "asset_received", context, [sponsorship.contact_email])
    staff = group_member_emails(EVENTS_STAFF)
    if staff:
        _send(
            sponsorship,
            f"Sponsor material: {sponsorship.organization.name} sent its {what} for {event_name}",
            "asset_received_staff",
            context,
            staff,
        )
