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
