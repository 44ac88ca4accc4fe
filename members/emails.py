"""E-mails of the membership workflow (sent through Celery after commit by the mail backend)."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.mail import send_mail

from members.models import DuesPeriod, MembershipApplication
from portal.accounts.groups import MEMBERSHIP_STAFF

FOUNDATION = "Open Infrastructure Foundation"


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def membership_staff_emails() -> list[str]:
    return (
        list(
            Group.objects.get(name=MEMBERSHIP_STAFF)
            .user_set.filter(is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
            .order_by("email")
        )
        if Group.objects.filter(name=MEMBERSHIP_STAFF).exists()
        else []
    )


def send_application_received(*, application: MembershipApplication) -> None:
    """The applicant's confirmation."""
    send_mail(
        subject=f"We received {application.organization_name}'s membership application",
        message=(
            f"Hello {application.contact_name},\n\n"
            f"Thank you for applying for {application.requested_tier.name} membership of the {FOUNDATION} on behalf "
            f"of {application.organization_name}. Our membership team reviews applications within a few working "
            f"days and will write to you with the decision.\n\n"
            f"You can follow its status under My account: {_absolute('/accounts/')}\n"
        ),
        from_email=None,
        recipient_list=[application.applicant.email],
    )


def send_waitlist_joined(*, entry) -> None:
    """The confirmation of a place on a full tier's waiting list."""
    send_mail(
        subject=f"You are on the {entry.tier.name} membership waiting list",
        message=(
            f"Hello,\n\n{entry.organization_name} is on the waiting list of the {entry.tier.name} tier of the "
            f"{FOUNDATION}: all its {entry.tier.seat_limit} seats are taken. We will write to this address as soon "
            f"as a seat frees up; entries are offered in the order they joined.\n\n"
            f"The tiers: {_absolute('/join/')}\n"
        ),
        from_email=None,
        recipient_list=[entry.email],
    )


def send_application_notice_to_staff(*, application: MembershipApplication) -> None:
    recipients = membership_staff_emails()
    if not recipients:
        return
    send_mail(
        subject=f"New membership application: {application.organization_name} ({application.requested_tier.name})",
        message=(
            f"{application.organization_name} ({application.legal_name}, {application.country}) applied for "
            f"{application.requested_tier.name} membership.\n"
            f"Applicant: {application.contact_name} <{application.applicant.email}>\n\n"
            f"Review it: {_absolute('/admin/members/applications/')}\n"
        ),
        from_email=None,
        recipient_list=recipients,
    )


def send_application_rejected(*, application: MembershipApplication) -> None:
    send_mail(
        subject=f"Your membership application for {application.organization_name}",
        message=(
            f"Hello {application.contact_name},\n\n"
            f"Thank you for your interest in the {FOUNDATION}. We are sorry: we cannot approve "
            f"{application.organization_name}'s application for {application.requested_tier.name} membership.\n\n"
            f"The reason:\n{application.rejection_reason}\n\n"
            f"If you have questions, simply reply to this e-mail.\n"
        ),
        from_email=None,
        recipient_list=[application.applicant.email],
    )


def send_application_approved(*, application: MembershipApplication, dues: DuesPeriod | None) -> None:
    lines = [
        f"Hello {application.contact_name},",
        "",
        f"Welcome: {application.organization_name} is approved as a {application.requested_tier.name} member of "
        f"the {FOUNDATION}.",
    ]
    if dues is not None and dues.payment is not None:
        lines += [
            "",
            f"Your first year's dues are {dues.payment.amount_display}. "
            + (
                f"Pay them by card here: {_absolute(dues.payment.get_absolute_url())}"
                if dues.payment.method == "card"
                else "The invoice with the bank transfer instructions follows in a separate e-mail."
            ),
            "Your organisation appears in the member directory as soon as they are paid.",
        ]
    lines += ["", f"You are your organisation's administrator; see My account: {_absolute('/accounts/')}"]
    send_mail(
        subject=f"{application.organization_name} is approved as a member",
        message="\n".join(lines) + "\n",
        from_email=None,
        recipient_list=[application.applicant.email],
    )


# --- Renewals -----------------------------------------------------------------------------


def _how_to_pay(dues: DuesPeriod) -> str:
    payment = dues.payment
    if payment is not None and payment.method == "card":
        return f"Pay it by card here: {_absolute(payment.get_absolute_url())}"
    return dues.invoice.notes if dues.invoice is not None and dues.invoice.notes else "Pay it by bank transfer."


def _invoice_line(dues: DuesPeriod) -> str:
    number = f"Invoice {dues.invoice.number}" if dues.invoice is not None else "The invoice"
    amount = dues.payment.amount_display if dues.payment is not None else f"{dues.amount} {dues.currency}"
    return f"{number} for {amount} covers {dues.starts:%d %B %Y} to {dues.ends:%d %B %Y}."


def send_renewal_notice(*, dues: DuesPeriod, recipients: list[str], paid_until) -> None:
    """The next period's invoice, sent to the billing contacts N days before the paid period ends."""
    organization = dues.membership.organization
    send_mail(
        subject=f"Renewal of {organization.name}'s membership: please pay by {paid_until:%d %B %Y}",
        message=(
            f"Hello,\n\n{organization.name}'s {dues.membership.tier.name} membership of the {FOUNDATION} is paid "
            f"until {paid_until:%d %B %Y}. {_invoice_line(dues)}\n\n{_how_to_pay(dues)}\n\n"
            f"Unpaid after {paid_until:%d %B %Y}, the membership enters a grace period and then lapses: the "
            f"organisation leaves the member directory until the dues are paid.\n\n"
            f"Your organisation's dues are also under My account: {_absolute('/accounts/')}\n"
        ),
        from_email=None,
        recipient_list=recipients,
    )


def send_renewal_reminder(*, dues: DuesPeriod, recipients: list[str], paid_until, today) -> None:
    """A reminder of the unpaid renewal invoice; its wording follows how close the end of the paid period is."""
    organization = dues.membership.organization
    if today < paid_until:
        when = f"ends in {(paid_until - today).days} days, on {paid_until:%d %B %Y}"
    elif today == paid_until:
        when = "ends today"
    else:
        when = f"ended on {paid_until:%d %B %Y}; it is in its grace period"
    send_mail(
        subject=f"Reminder: {organization.name}'s membership dues are unpaid",
        message=(
            f"Hello,\n\n{organization.name}'s paid membership period {when}. {_invoice_line(dues)}\n\n"
            f"{_how_to_pay(dues)}\n\nIf you have paid already, thank you, and please ignore this message.\n"
        ),
        from_email=None,
        recipient_list=recipients,
    )
