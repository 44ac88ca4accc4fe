"""E-mails of the membership workflow (sent through Celery after commit by the mail backend)."""

from django.conf import settings
from django.core.mail import send_mail

from members.models import DuesPeriod, MembershipApplication
from portal.accounts.groups import MEMBERSHIP_STAFF, group_member_emails

FOUNDATION = "Open Infrastructure Foundation"


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def membership_staff_emails() -> list[str]:
    return group_member_emails(MEMBERSHIP_STAFF)


def notify_membership_staff(*, subject: str, message: str) -> None:
    """A notice to the Membership staff group (nothing is sent while it has nobody)."""
    recipients = membership_staff_emails()
    if recipients:
        send_mail(subject=subject, message=message, from_email=None, recipient_list=recipients)


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
    notify_membership_staff(
        subject=f"New membership application: {application.organization_name} ({application.requested_tier.name})",
        message=(
            f"{application.organization_name} ({application.legal_name}, {application.country}) applied for "
            f"{application.requested_tier.name} membership.\n"
            f"Applicant: {application.contact_name} <{application.applicant.email}>\n\n"
            f"Review it: {_absolute('/admin/members/applications/')}\n"
        ),
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


def send_grace_notice(
    *, dues: DuesPeriod, recipients: list[str], paid_until, lapses_on, reminder: bool = False
) -> None:
    """Entering grace (and, with `reminder`, a reminder during it): the billing contacts, copied to staff."""
    organization = dues.membership.organization
    subject = (
        f"Reminder: {organization.name}'s membership lapses on {lapses_on:%d %B %Y} unless the dues are paid"
        if reminder
        else f"{organization.name}'s membership dues are overdue: grace period until {lapses_on:%d %B %Y}"
    )
    send_mail(
        subject=subject,
        message=(
            f"Hello,\n\n{organization.name}'s {dues.membership.tier.name} membership of the {FOUNDATION} was paid "
            f"until {paid_until:%d %B %Y} and its renewal is unpaid. It stays in the member directory during a "
            f"grace period; unpaid on {lapses_on:%d %B %Y}, it lapses and leaves the directory.\n\n"
            f"{_invoice_line(dues)}\n\n{_how_to_pay(dues)}\n\n"
            f"If you have paid already, thank you, and please ignore this message.\n"
        ),
        from_email=None,
        recipient_list=recipients,
        fail_silently=False,
    )
    if not reminder:
        notify_membership_staff(
            subject=f"[Membership] {organization.name} entered its grace period",
            message=f"{organization.name}'s dues are unpaid since {paid_until:%d %B %Y}; it lapses on {lapses_on:%d %B %Y}.\n",
        )


def send_lapse_notice(*, dues: DuesPeriod | None, membership, recipients: list[str], paid_until) -> None:
    """A lapse: the billing contacts hear what to pay to come back; Membership staff hear of it too."""
    organization = membership.organization
    to_pay = f"{_invoice_line(dues)}\n\n{_how_to_pay(dues)}" if dues is not None else "Write to us to renew."
    if recipients:
        send_mail(
            subject=f"{organization.name}'s membership has lapsed",
            message=(
                f"Hello,\n\n{organization.name}'s {membership.tier.name} membership of the {FOUNDATION} was paid "
                f"until {paid_until:%d %B %Y} and has lapsed: the organisation has left the member directory.\n\n"
                f"To come back, pay the renewal: {to_pay}\n\nIt is listed again as soon as the payment arrives.\n"
            ),
            from_email=None,
            recipient_list=recipients,
        )
    notify_membership_staff(
        subject=f"[Membership] {organization.name}'s membership lapsed",
        message=f"{organization.name} ({membership.tier.name}) did not pay its dues due {paid_until:%d %B %Y}.\n",
    )


def send_waitlist_seat_free(*, entry) -> None:
    """The first person on a tier's waiting list hears that a seat is free, and until when it is held."""
    send_mail(
        subject=f"A {entry.tier.name} membership seat is free",
        message=(
            f"Hello,\n\nA seat of the {entry.tier.name} tier of the {FOUNDATION} is free, and {entry.organization_name} "
            f"is first on its waiting list. Apply by {entry.hold_until:%d %B %Y} to take it: "
            f"{_absolute('/join/apply/')}\n\nAfter that date the seat is offered to the next on the list.\n"
        ),
        from_email=None,
        recipient_list=[entry.email],
    )
