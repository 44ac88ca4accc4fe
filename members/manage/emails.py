"""E-mails of the member admin pages (sent through Celery after commit by the mail backend)."""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from members.emails import FOUNDATION, notify_membership_staff
from members.models import OrganizationInvitation, TierChangeRequest


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def send_invitation(*, invitation: OrganizationInvitation, token: str) -> None:
    """The link is the only copy of the token; it works for the invited address only, for 7 days."""
    inviter = invitation.invited_by.get_full_name() or invitation.invited_by.email if invitation.invited_by else ""
    send_mail(
        subject=f"{invitation.organization.name} invites you to act as its {invitation.get_role_display().lower()}",
        message=(
            f"Hello,\n\n{inviter or 'An administrator'} invites you to act as {invitation.organization.name}'s "
            f"{invitation.get_role_display().lower()} with the {FOUNDATION}.\n\n"
            f"Accept the invitation here (log in, or sign up with this e-mail address, {invitation.email}):\n"
            f"{_absolute(reverse('manage:invitation', kwargs={'token': token}))}\n\n"
            f"The link works until {invitation.expires_at:%d %B %Y, %H:%M} UTC. If you did not expect it, "
            "simply ignore this message.\n"
        ),
        from_email=None,
        recipient_list=[invitation.email],
    )


def send_tier_change_requested(*, change_request: TierChangeRequest) -> None:
    notify_membership_staff(
        subject=f"Tier change request: {change_request.organization.name} → {change_request.tier.name}",
        message=(
            f"{change_request.organization.name} asks to move from {change_request.membership.tier.name} to "
            f"{change_request.tier.name}.\n"
            + (f"Their note: {change_request.note}\n" if change_request.note else "")
            + f"\nApprove or decline it: {_absolute('/admin/members/tier-changes/')}\n"
        ),
    )


def send_tier_change_decided(*, change_request: TierChangeRequest) -> None:
    """To the admin who asked: the decision, and the reason of a decline."""
    person = change_request.requested_by
    if person is None or not person.email:
        return
    organization, tier = change_request.organization, change_request.tier
    new = change_request.new_membership
    if (
        change_request.status == TierChangeRequest.Status.APPROVED
        and new is not None
        and new.starts > timezone.localtime(new.created_at).date()
    ):
        subject = f"{organization.name} moves to the {tier.name} tier on {new.starts:%d %B %Y}"
        body = (
            f"Your request is approved: {organization.name} moves to the {tier.name} tier at its renewal, on "
            f"{new.starts:%d %B %Y}; the renewal invoice is at the {tier.name} fee.\n"
        )
    elif change_request.status == TierChangeRequest.Status.APPROVED:
        subject = f"{organization.name} is now a {tier.name} member"
        body = f"Your request is approved: {organization.name} is a {tier.name} member from today.\n"
        open_dues = (
            new.dues_periods.filter(paid_at__isnull=True).select_related("payment", "invoice").first() if new else None
        )
        if open_dues is not None and open_dues.payment is not None:
            body += (
                f"\nInvoice {open_dues.invoice.number if open_dues.invoice else ''} for "
                f"{open_dues.payment.amount_display} is due: {_absolute(open_dues.payment.get_absolute_url())}\n"
            )
    else:
        subject = f"Your tier change request for {organization.name}"
        body = (
            f"We cannot move {organization.name} to the {tier.name} tier now.\n\n"
            f"The reason:\n{change_request.decline_reason}\n\nIf you have questions, simply reply to this e-mail.\n"
        )
    overview = _absolute(reverse("manage:overview", kwargs={"slug": organization.slug}))
    send_mail(
        subject=subject,
        message=f"Hello,\n\n{body}\nYour organisation's pages: {overview}\n",
        from_email=None,
        recipient_list=[person.email],
    )
