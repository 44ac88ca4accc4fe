"""Writes of the membership workflow: applications, approval under the tier's seat lock, dues, tier changes.

Seats (the capacity rule of docs/ARCHITECTURE.md): approval locks the tier row, counts the memberships holding a seat (approved,
active, grace), then writes, in one transaction; two staff approving the last seat at once queue on
the lock and the second is refused with TierFull.
"""

import datetime
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.text import slugify

from members import emails, selectors, tasks
from members.exceptions import ApplicationNotOpen, DuplicateApplication, MembershipError, TierFull, TierNotOpen
from members.models import (
    INDIVIDUAL_RESERVED_SLUGS,
    DuesCredit,
    DuesPeriod,
    DuesReminder,
    IndividualAffiliation,
    IndividualMember,
    Membership,
    MembershipApplication,
    MembershipTier,
    Organization,
    OrganizationRole,
    TierWaitlistEntry,
    validate_not_reserved_slug,
)
from members.selectors import tier_seats_taken
from members.signals import member_joined, member_lapsed
from portal.core import cache, capacity
from portal.core.audit import audit
from portal.core.countries import country_code
from portal.core.tasking import enqueue_on_commit
from portal.core.tax import TaxKind, sale_tax
from portal.payments import invoicing
from portal.payments import services as payments
from portal.payments.models import InvoiceStatus, Payment, PaymentMethod
from portal.payments.registry import Refusal

AGREEMENT_VERSION = "2026-01"
# What an application says of the organisation, then of its people and how it pays.
ORGANIZATION_FIELDS = (
    "organization_name",
    "legal_name",
    "website",
    "description",
    "country",
    "industry",
    "size",
    "billing_address",
    "vat_id",
)
CONTACT_FIELDS = ("contact_name", "contact_email", "billing_email", "technical_email", "marketing_email")
APPLICATION_FIELDS = (*ORGANIZATION_FIELDS, *CONTACT_FIELDS, "payment_method")

A = MembershipApplication.Status
M = Membership.Status


def _today() -> datetime.date:
    return timezone.localdate()


def tier_lock(tier_pk: int) -> MembershipTier:
    """The tier's row, locked until the transaction ends: it owns the seats."""
    (tier,) = capacity.lock(MembershipTier.objects.filter(pk=tier_pk))
    return tier


def tier_ensure_seat(tier: MembershipTier, *, today: datetime.date | None = None, full_message: str = "") -> None:
    """Call with the tier row locked: refuse (TierFull) when every seat is taken."""
    seats = f"all {tier.seat_limit} seat{'s' if tier.seat_limit != 1 else ''} are taken"
    capacity.ensure_room(
        taken=tier_seats_taken(tier=tier, today=today),
        wanted=1,
        limit=tier.seat_limit,
        refuse=lambda left: TierFull(
            full_message or f"The {tier.name} tier is full: {seats}. Join its waiting list, or apply for another tier.",
            extra={"tier": tier.slug},
        ),
    )


def _open_applications_like(*, name: str, slug: str, legal_name: str):
    same = Q(organization_slug=slug) | Q(organization_name__iexact=name.strip())
    if legal_name.strip():
        same |= Q(legal_name__iexact=legal_name.strip())
    return MembershipApplication.objects.filter(same, status__in=MembershipApplication.OPEN_STATUSES)


def _already_applied(name: str) -> DuplicateApplication:
    return DuplicateApplication(
        f"An application for {name} is already being reviewed. We will write to its applicant with the "
        "decision; you cannot send a second one meanwhile."
    )


def _is_open_application_clash(error: IntegrityError) -> bool:
    # PostgreSQL names the constraint; SQLite names the column.
    text = str(error)
    return "application_one_open_per_organization" in text or "membershipapplication.organization_slug" in text


def _current_membership(organization: Organization) -> Membership | None:
    day = _today()
    return (
        organization.memberships.filter(status__in=Membership.SEAT_STATUSES, starts__lte=day)
        .filter(Q(ends__isnull=True) | Q(ends__gte=day))
        .first()
    )


def application_submit(*, applicant, tier: MembershipTier, data: dict, agreement_accepted: bool, logo=None):
    """An application at a public tier with a free seat; one open application per organisation (name, slug or legal name)."""
    if not agreement_accepted:
        raise MembershipError("Please accept the membership agreement to apply.", code="agreement_required")
    unknown = set(data) - set(APPLICATION_FIELDS)
    if unknown:
        raise ValueError(f"Unknown application fields: {sorted(unknown)}")
    name = (data.get("organization_name") or "").strip()
    slug = slugify(name)[:100]
    if not slug:
        raise MembershipError("Give your organisation's name.", code="name_required")
    try:
        validate_not_reserved_slug(slug)
    except ValidationError as error:
        raise MembershipError(error.messages[0], code="reserved_name") from error
    with transaction.atomic():
        locked_tier = tier_lock(tier.pk)
        if not locked_tier.is_public:
            raise TierNotOpen(f"The {locked_tier.name} tier is not open to applications.")
        tier_ensure_seat(locked_tier)
        if _open_applications_like(name=name, slug=slug, legal_name=data.get("legal_name", "")).exists():
            raise _already_applied(name)
        existing = Organization.objects.filter(slug=slug).first()
        if existing is not None and _current_membership(existing) is not None:
            raise DuplicateApplication(
                f"{existing.name} is already a member. Its administrators can change the tier from its admin pages."
            )
        application = MembershipApplication(
            applicant=applicant,
            requested_tier=locked_tier,
            organization=existing,
            organization_slug=slug,
            agreement_version=AGREEMENT_VERSION,
            agreement_accepted_at=timezone.now(),
            **{key: (value.strip() if isinstance(value, str) else value) for key, value in data.items()},
        )
        if logo:
            application.logo = logo
        # The one-open-application constraint is the database's to check, at the insert: a check here
        # would not see an application that another transaction is writing at the same moment.
        application.full_clean(exclude=["organization"], validate_constraints=False)
        try:
            application.save()
        except IntegrityError as error:
            if not _is_open_application_clash(error):
                raise
            raise _already_applied(name) from error
        audit("guildhall.membership_application.submit", application, actor=applicant, data={"tier": locked_tier.slug})
        emails.send_application_received(application=application)
        emails.send_application_notice_to_staff(application=application)
    return application


def _lock_application(application: MembershipApplication) -> MembershipApplication:
    # of=("self",): the tier is locked on purpose, in tier_lock, not as a side effect of the join.
    return (
        MembershipApplication.objects.select_for_update(of=("self",))
        .select_related("requested_tier", "applicant")
        .get(pk=application.pk)
    )


def _move_application(application: MembershipApplication, status: str, *, actor) -> None:
    if not application.can_move_to(status):
        raise ApplicationNotOpen(
            f"This application is already {application.get_status_display().lower()}; it cannot be "
            f"{MembershipApplication.Status(status).label.lower()} now."
        )
    application.move_to(status)
    application.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
    application.reviewed_at = timezone.now()


def application_start_review(*, application: MembershipApplication, actor) -> MembershipApplication:
    with transaction.atomic():
        locked = _lock_application(application)
        _move_application(locked, A.UNDER_REVIEW, actor=actor)
        locked.save(update_fields=["status", "reviewed_by", "reviewed_at"])
        audit("guildhall.membership_application.review", locked, actor=actor)
    return locked


def application_reject(*, application: MembershipApplication, reason: str, actor) -> MembershipApplication:
    """A rejection needs a reason; the applicant receives it by e-mail."""
    reason = (reason or "").strip()
    if not reason:
        raise MembershipError("Give the applicant a reason for the rejection.", code="reason_required")
    with transaction.atomic():
        locked = _lock_application(application)
        _move_application(locked, A.REJECTED, actor=actor)
        locked.rejection_reason = reason
        locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "rejection_reason"])
        audit("guildhall.membership_application.reject", locked, actor=actor, data={"reason": reason})
        emails.send_application_rejected(application=locked)
    return locked


def _organization_for(application: MembershipApplication) -> Organization:
    """The organisation the application is for: the one already known by its slug, or a new one."""
    organization = application.organization or Organization.objects.filter(slug=application.organization_slug).first()
    fields = {
        "legal_name": application.legal_name,
        "billing_address": application.billing_address,
        "vat_id": application.vat_id,
        "country": application.country,
        "size": application.size,
    }
    if organization is None:
        organization = Organization(
            name=application.organization_name,
            slug=application.organization_slug,
            website=application.website,
            description=application.description,
            industry=application.industry,
            **fields,
        )
    else:
        if _current_membership(organization) is not None:
            raise DuplicateApplication(f"{organization.name} is already a member.")
        for key, value in fields.items():
            if value:
                setattr(organization, key, value)
    if application.logo:
        application.logo.open("rb")
        try:
            content = application.logo.read()
        finally:
            application.logo.close()
        filename = (application.logo.name or "logo").rsplit("/", 1)[-1]
        organization.logo.save(filename, ContentFile(content), save=False)
    organization.save()
    return organization


def application_approve(*, application: MembershipApplication, actor) -> Membership:
    """Lock the tier, count its seats, then create the membership (approved), the admin role and the first dues."""
    with transaction.atomic():
        tier = tier_lock(application.requested_tier_id)
        locked = _lock_application(application)
        _move_application(locked, A.APPROVED, actor=actor)
        tier_ensure_seat(tier)
        organization = _organization_for(locked)
        locked.organization = organization
        locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "organization"])
        membership = Membership.objects.create(
            organization=organization, tier=tier, starts=_today(), status=M.APPROVED, application=locked
        )
        OrganizationRole.objects.get_or_create(
            user=locked.applicant, organization=organization, role=OrganizationRole.Role.ADMIN
        )
        audit(
            "guildhall.membership_application.approve",
            locked,
            actor=actor,
            data={"organization": organization.slug, "tier": tier.slug},
        )
        audit("guildhall.membership.create", membership, actor=actor, data={"tier": tier.slug})
        dues = dues_period_create(
            membership=membership,
            starts=membership.starts,
            payer_email=locked.billing_email,
            method=locked.payment_method,
            actor=actor,
        )
        emails.send_application_approved(application=locked, dues=dues)
    return membership


def _buyer(organization: Organization, *, email: str) -> dict:
    address = organization.billing_address
    code = country_code(organization.country)
    if not code and organization.country:
        address = f"{address}\n{organization.country}".strip()
    return {
        "buyer_name": organization.legal_name or organization.name,
        "buyer_address": address,
        "buyer_country": code,
        "buyer_vat_id": organization.vat_id,
        "buyer_po_number": organization.po_number,
        "buyer_email": email,
    }


def dues_period_create(
    *,
    membership: Membership,
    starts: datetime.date,
    payer_email: str,
    method: str = "card",
    due_on: datetime.date | None = None,
    ends: datetime.date | None = None,
    amount: Decimal | None = None,
    description: str = "",
    credits=(),
    actor=None,
) -> DuesPeriod:
    """A year of dues at the tier's fee (or `amount` until `ends`: a pro-rata upgrade), with its issued
    invoice (due on `due_on`, else in 30 days) and the payment to settle it (none when free). Each of
    `credits` (DuesCredit) is a line of its own taking its amount off, and is marked applied."""

    tier = membership.tier
    organization = membership.organization
    ends = ends or year_end(starts)
    amount = tier.annual_fee if amount is None else amount
    description = description or f"{tier.name} membership dues {starts:%d %b %Y} – {ends:%d %b %Y}: {organization.name}"
    terms = max((due_on - _today()).days, 0) if due_on is not None else 30
    tax = sale_tax(
        kind=TaxKind.DUES,
        rule_id=tier.tax_rule_id,
        place="",
        buyer_country=organization.country,
        vat_id=organization.vat_id,
        business=True,
        on=starts,
    )
    with transaction.atomic():
        dues = DuesPeriod.objects.create(
            membership=membership, starts=starts, ends=ends, amount=amount, currency=tier.currency
        )
        audit("guildhall.dues.create", dues, actor=actor, data={"amount": str(dues.amount), "currency": dues.currency})
        lines = [
            invoicing.Line(
                description=description,
                unit_price=tax.basis(dues.amount, dues.currency),
                tax_rate=tax.rate,
                price_includes_tax=tax.price_includes_tax,
            )
        ]
        for credit in credits:
            # A credit note's amount is what was paid, tax included: it takes back its share of the tax.
            lines.append(
                invoicing.Line(
                    description=f"Credit note {credit.credit_note.number}",
                    unit_price=-credit.amount,
                    tax_rate=tax.rate,
                    price_includes_tax=True,
                )
            )
            credit.applied_to = dues
            credit.save(update_fields=["applied_to"])
        gross = invoicing.lines_totals(lines, dues.currency)[2]
        if gross != dues.amount:
            dues.amount = gross
            dues.save(update_fields=["amount"])
        if dues.amount == Decimal("0"):
            # Free amounts never reach Stripe: a free tier's dues are settled at once.
            _dues_settled(dues, actor=actor)
            return dues
        buyer = _buyer(organization, email=payer_email)
        if tax.vat_check:
            buyer |= {"buyer_vat_id": tax.vat_number, "buyer_vat_check": tax.vat_message}
        bank_transfer = method == PaymentMethod.BANK_TRANSFER
        payment = payments.payment_create(
            owner=dues,
            amount=dues.amount,
            currency=dues.currency,
            payer_email=payer_email,
            description=description,
            method=PaymentMethod.BANK_TRANSFER if bank_transfer else PaymentMethod.CARD,
            actor=actor,
        )
        if bank_transfer:
            buyer.pop("buyer_email")
            invoice = invoicing.bank_transfer_invoice_issue(
                payment=payment,
                buyer=buyer,
                lines=lines,
                payment_terms_days=terms,
                tax_note=tax.note,
                tax_country=tax.country,
                actor=actor,
            )
        else:
            invoice = invoicing.invoice_create(
                currency=dues.currency,
                buyer=buyer,
                lines=lines,
                payment=payment,
                payment_terms_days=terms,
                tax_note=tax.note,
                tax_country=tax.country,
                actor=actor,
            )
            invoice = invoicing.invoice_issue(invoice=invoice, actor=actor)
        dues.payment, dues.invoice = payment, invoice
        dues.save(update_fields=["payment", "invoice"])
    return dues


def year_end(starts: datetime.date) -> datetime.date:
    """The last day of a year of dues from `starts` (from 29 February: 28 February of the next year)."""
    try:
        return starts.replace(year=starts.year + 1) - datetime.timedelta(days=1)
    except ValueError:
        return datetime.date(starts.year + 1, 2, 28)


def _dues_settled(dues: DuesPeriod, *, actor=None, payment=None) -> None:
    """Dues paid: the period is paid and its membership active (it appears in the directory and the API).

    A lapsed membership comes back only if its tier has a seat (checked under the tier's lock); when the
    tier filled up meanwhile, the payment is refunded in full and the membership stays out."""
    dues.paid_at = timezone.now()
    dues.save(update_fields=["paid_at"])
    membership = Membership.objects.select_for_update().get(pk=dues.membership_id)
    if membership.status == M.LAPSED:
        try:
            tier_ensure_seat(tier_lock(membership.tier_id))
        except TierFull:
            audit("guildhall.dues.paid", dues, actor=actor, data={"reactivated": False, "reason": "tier full"})
            if payment is not None:
                enqueue_on_commit(tasks.refund_dues_payment, payment.pk)
            return
    if membership.status != M.ACTIVE and membership.can_move_to(M.ACTIVE):
        old = membership.status
        membership.move_to(M.ACTIVE)
        membership.ends = None  # a lapsed membership whose dues arrive runs on again
        membership.save(update_fields=["status", "ends"])
        audit("guildhall.membership.activate", membership, actor=actor, data={"from": old})
        if old in (M.APPROVED, M.LAPSED):
            member_joined.send(sender=Membership, membership=membership)
    audit("guildhall.dues.paid", dues, actor=actor)
    transaction.on_commit(cache.purge)


def _dues_refusal_message(dues: DuesPeriod) -> str:

    if dues.membership.status == M.CANCELED:
        return "The membership these dues are for was canceled"
    if dues.invoice is not None and dues.invoice.status == InvoiceStatus.VOID:
        return f"Invoice {dues.invoice.number} for these dues was canceled"
    return ""


def dues_refusal(dues: DuesPeriod):
    """Payments registry: dues of a canceled membership, or with a voided invoice, are not paid."""

    message = _dues_refusal_message(dues)
    if not message:
        return None
    return Refusal(f"{message}, so it can no longer be paid. Nothing was charged; please write to the membership team.")


def dues_paid(payment) -> str | None:
    """Payments registry: a dues payment succeeded (called once, inside the transaction that records it).
    Returns why the money is refused when the membership or its invoice was canceled meanwhile."""
    dues = (
        DuesPeriod.objects.select_for_update(of=("self",))
        .select_related("membership", "invoice")
        .get(pk=payment.owner_object_id)
    )
    if dues.paid_at is not None:
        return None
    refused = _dues_refusal_message(dues)
    if refused:
        return f"{refused} before your payment arrived."
    _dues_settled(dues, payment=payment)
    _dues_invoice_paid(dues)
    return None


def dues_dispute_lost(payment, amount: Decimal) -> None:
    """Payments registry: dues taken back by a lost card dispute flag the membership for staff."""
    dues = DuesPeriod.objects.get(pk=payment.owner_object_id)
    membership = Membership.objects.select_for_update().get(pk=dues.membership_id)
    membership.flagged_reason = f"Card dispute lost: {payment.amount_display} of dues taken back"
    membership.save(update_fields=["flagged_reason"])
    audit("guildhall.membership.flag", membership, data={"reason": membership.flagged_reason})


def _dues_invoice_paid(dues: DuesPeriod) -> None:
    """Dues paid by a later payment (a retry, or a card instead of a transfer) settle the period's invoice too."""

    invoice = dues.invoice
    if invoice is not None and invoice.status == InvoiceStatus.ISSUED:
        invoicing.invoice_mark_paid(invoice=invoice)


def dues_refunded(payment, amount: Decimal) -> None:
    """Payments registry: a refund of dues. A full refund cancels the membership it paid for."""
    dues = DuesPeriod.objects.select_for_update().get(pk=payment.owner_object_id)
    dues.refunded_amount += amount
    dues.save(update_fields=["refunded_amount"])
    audit("guildhall.dues.refunded", dues, data={"amount": str(amount)})
    if dues.refunded_amount >= dues.amount:
        membership = Membership.objects.select_for_update().get(pk=dues.membership_id)
        if membership.can_move_to(M.CANCELED):
            membership.move_to(M.CANCELED)
            membership.ends = max(_today(), membership.starts)
            membership.ended_reason = "Dues refunded in full."
            membership.save(update_fields=["status", "ends", "ended_reason"])
            audit("guildhall.membership.cancel", membership, data={"reason": membership.ended_reason})
        transaction.on_commit(cache.purge)


def dues_payment_refund_no_seat(*, payment_id: int) -> None:
    """Refund what is left of a dues payment that could not bring a lapsed membership back (its tier is full)."""

    payment = Payment.objects.get(pk=payment_id)
    if payment.is_paid and payment.amount_refundable > 0:
        payments.payment_refund(
            payment=payment,
            amount=payment.amount_refundable,
            reason="The membership tier filled up while the membership was lapsed",
        )


def dues_credits_refund(*, organization_id: int, actor=None) -> list:
    """An organisation that leaves with credits not yet taken off a renewal (an early downgrade) is paid
    them back, each against the payment of the invoice it credits; its credit note records the refund."""

    refunded = []
    for pk in DuesCredit.objects.filter(
        organization_id=organization_id, applied_to__isnull=True, refund__isnull=True
    ).values_list("pk", flat=True):
        with transaction.atomic():
            credit = DuesCredit.objects.select_for_update().select_related("credit_note").get(pk=pk)
            note = credit.credit_note
            if credit.refund_id is not None or credit.applied_to_id is not None or note.payment is None:
                continue
            credit.refund = payments.payment_refund(
                payment=note.payment,
                amount=credit.amount,
                reason=f"Credit note {note.number} paid back: the membership ended",
                credit_note=note,
                actor=actor,
            )
            credit.save(update_fields=["refund"])
            refunded.append(credit)
    return refunded


def _renewal_payer(membership: Membership, last: DuesPeriod) -> str:
    if last.payment is not None:
        return last.payment.payer_email
    role = (
        membership.organization.roles.filter(role__in=[OrganizationRole.Role.BILLING, OrganizationRole.Role.ADMIN])
        .select_related("user")
        .order_by("role")
        .first()
    )
    return role.user.email if role else ""


def _billing_recipients(membership: Membership, dues: DuesPeriod) -> list[str]:
    """The dues' payer and the organisation's billing contacts; its admins when it has neither."""
    roles = membership.organization.roles.filter(user__is_active=True).exclude(user__email="").select_related("user")
    emails_by_role: dict[str, list[str]] = {}
    for role in roles:
        emails_by_role.setdefault(role.role, []).append(role.user.email)
    payer = [dues.payment.payer_email] if dues.payment is not None and dues.payment.payer_email else []
    found = payer + emails_by_role.get(OrganizationRole.Role.BILLING, [])
    found = found or emails_by_role.get(OrganizationRole.Role.ADMIN, [])
    return list(dict.fromkeys(email.lower() for email in found))


def _reminder_due(*, paid_until: datetime.date, day: datetime.date) -> int | None:
    """The reminder due on `day`: the nearest offset already reached, so a missed day sends the current
    reminder once, not a burst of stale ones."""
    reached = [days for days in settings.MEMBERS_RENEWAL_REMINDER_DAYS if day >= paid_until - datetime.timedelta(days)]
    return min(reached) if reached else None


def _record_reminder(dues: DuesPeriod, *, days_before: int, with_invoice: bool = False) -> bool:
    """Record that the reminder goes out; False when it went out already (the unique constraint decides)."""

    try:
        with transaction.atomic():
            DuesReminder.objects.create(dues=dues, days_before=days_before, with_invoice=with_invoice)
    except IntegrityError:
        return False
    if dues.invoice is not None:
        invoicing.invoice_mark_reminded(invoice=dues.invoice)  # the generic invoice reminder is not repeated
    audit("guildhall.dues.remind", dues, data={"days_before": days_before, "with_invoice": with_invoice})
    return True


def _lapse(membership: Membership, *, paid_until: datetime.date, dues: DuesPeriod | None, day: datetime.date) -> None:
    membership.move_to(M.LAPSED)
    membership.ends = max(paid_until, membership.starts)
    membership.save(update_fields=["status", "ends"])
    audit("guildhall.membership.lapse", membership, data={"unpaid_since": str(paid_until + datetime.timedelta(1))})
    member_lapsed.send(sender=Membership, membership=membership)
    recipients = _billing_recipients(membership, dues) if dues is not None else []
    emails.send_lapse_notice(dues=dues, membership=membership, recipients=recipients, paid_until=paid_until)
    transaction.on_commit(cache.purge)
    transaction.on_commit(lambda: waitlist_offer_seat(tier_id=membership.tier_id, today=day))

    from members.tier_changes import open_credits  # a cycle: tier changes build on these services

    if open_credits(membership.organization_id).exists():  # it leaves: what it was owed is paid back
        enqueue_on_commit(tasks.refund_dues_credits, membership.organization_id)


def _grace_reminder_due(*, paid_until: datetime.date, day: datetime.date) -> int | None:
    """The latest grace reminder reached on `day` (days after the end), recorded as a negative days_before."""
    reached = [days for days in settings.MEMBERS_GRACE_REMINDER_DAYS if day >= paid_until + datetime.timedelta(days)]
    return -max(reached) if reached else None


def _credits_that_fit(membership: Membership) -> list:
    """Open credits taken off the renewal, oldest first, as long as they fit in the tier's fee (no negative
    invoice): a credit that does not fit waits for the next renewal, or is refunded if the organisation leaves."""
    from members.tier_changes import open_credits  # a cycle: tier changes build on these services

    room, fitting = membership.tier.annual_fee, []
    for credit in open_credits(membership.organization_id):
        if credit.currency == membership.tier.currency and credit.amount <= room:
            fitting.append(credit)
            room -= credit.amount
    return fitting


def _renew_one(pk: int, *, day: datetime.date, notice_days: int, grace_days: int) -> list[str]:
    """One membership's renewal step on `day`, under its row lock; returns what happened."""
    done: list[str] = []
    membership = Membership.objects.select_for_update().select_related("tier", "organization").get(pk=pk)
    if membership.status not in (M.ACTIVE, M.GRACE):
        return done
    paid = (
        DuesPeriod.objects.filter(membership__organization_id=membership.organization_id, paid_at__isnull=False)
        .select_related("payment")
        .order_by("-ends")
        .first()
    )
    if paid is None:
        return done
    paid_until = paid.ends
    upcoming = (
        membership.dues_periods.filter(starts__gt=paid_until).select_related("payment", "invoice").order_by("starts")
    ).first()
    reminder = _reminder_due(paid_until=paid_until, day=day)
    if upcoming is None:
        if membership.status != M.ACTIVE or day < paid_until - datetime.timedelta(days=notice_days):
            return done
        upcoming = dues_period_create(
            membership=membership,
            starts=paid_until + datetime.timedelta(days=1),
            payer_email=_renewal_payer(membership, paid),
            method=paid.payment.method if paid.payment is not None else "card",
            due_on=max(paid_until, day),
            credits=_credits_that_fit(membership),
        )
        done.append("invoiced")
        if upcoming.is_paid:  # a free tier renews by itself
            return done
        emails.send_renewal_notice(
            dues=upcoming, recipients=_billing_recipients(membership, upcoming), paid_until=paid_until
        )
        if reminder is not None:
            _record_reminder(upcoming, days_before=reminder, with_invoice=True)
    elif upcoming.is_paid:
        return done
    elif reminder is not None and _record_reminder(upcoming, days_before=reminder):
        emails.send_renewal_reminder(
            dues=upcoming, recipients=_billing_recipients(membership, upcoming), paid_until=paid_until, today=day
        )
        done.append("reminded")
    lapses_on = paid_until + datetime.timedelta(days=grace_days + 1)
    if day >= lapses_on:
        _lapse(membership, paid_until=paid_until, dues=upcoming, day=day)
        done.append("lapsed")
    elif day > paid_until and membership.status == M.ACTIVE:
        membership.move_to(M.GRACE)
        membership.save(update_fields=["status"])
        audit("guildhall.membership.grace", membership, data={"since": str(day)})
        # The grace notice counts as the grace reminders already reached (a late run sends one e-mail).
        grace_reminder = _grace_reminder_due(paid_until=paid_until, day=day)
        if grace_reminder is not None:
            _record_reminder(upcoming, days_before=grace_reminder)
        emails.send_grace_notice(
            dues=upcoming,
            recipients=_billing_recipients(membership, upcoming),
            paid_until=paid_until,
            lapses_on=lapses_on,
        )
        done.append("grace")
    elif day > paid_until:
        grace_reminder = _grace_reminder_due(paid_until=paid_until, day=day)
        if grace_reminder is not None and _record_reminder(upcoming, days_before=grace_reminder):
            emails.send_grace_notice(
                dues=upcoming,
                recipients=_billing_recipients(membership, upcoming),
                paid_until=paid_until,
                lapses_on=lapses_on,
                reminder=True,
            )
            done.append("reminded")
    return done


def memberships_renew(*, today: datetime.date | None = None) -> dict[str, int]:
    """Daily, and safe to run any number of times: the next period's dues are invoiced
    MEMBERS_RENEWAL_NOTICE_DAYS before the paid period ends; while unpaid, the billing contacts are reminded
    MEMBERS_RENEWAL_REMINDER_DAYS before the end (each once); unpaid after the end the membership enters its
    grace period, and MEMBERS_GRACE_DAYS later it lapses and leaves the directory."""
    day = today or _today()
    notice_days, grace_days = settings.MEMBERS_RENEWAL_NOTICE_DAYS, settings.MEMBERS_GRACE_DAYS
    paid_until = DuesPeriod.objects.filter(
        membership__organization_id=OuterRef("organization_id"), paid_at__isnull=False
    ).order_by("-ends")
    due = (
        # A row followed by another (a downgrade at renewal) leaves its renewal to that one.
        Membership.objects.filter(status__in=[M.ACTIVE, M.GRACE], next__isnull=True)
        .annotate(paid_until=Subquery(paid_until.values("ends")[:1]))
        .filter(paid_until__lte=day + datetime.timedelta(days=notice_days))
        .order_by("pk")
    )
    counts = dict.fromkeys(("invoiced", "reminded", "grace", "lapsed"), 0)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            for outcome in _renew_one(pk, day=day, notice_days=notice_days, grace_days=grace_days):
                counts[outcome] += 1
    # Seats whose offer expired unanswered go to the next on the list.
    for tier_id in TierWaitlistEntry.objects.values_list("tier_id", flat=True).distinct().order_by("tier_id"):
        waitlist_offer_seat(tier_id=tier_id, today=day)
    return counts


def describe_dues(dues: DuesPeriod) -> str:
    return str(dues)


def membership_change_tier(*, membership: Membership, tier: MembershipTier, actor, early: bool = False) -> Membership:
    """A tier change, priced by members.tier_changes.tier_change_quote (see there)."""
    from members import tier_changes  # a cycle: tier changes build on these services

    return tier_changes.membership_change_tier(membership=membership, tier=tier, actor=actor, early=early)


def waitlist_join(*, tier: MembershipTier, email: str, organization_name: str) -> TierWaitlistEntry:
    """One entry per e-mail address and tier, confirmed by e-mail; joining again is harmless. Only tiers with
    a seat limit have a waiting list: any other takes applications at once."""
    if tier.seat_limit is None:
        raise TierNotOpen(f"The {tier.name} tier has no seat limit and no waiting list: apply directly.")
    with transaction.atomic():
        try:
            with transaction.atomic():
                entry = TierWaitlistEntry.objects.create(
                    tier=tier, email=email.strip().lower(), organization_name=organization_name.strip()
                )
        except IntegrityError:
            return TierWaitlistEntry.objects.get(tier=tier, email=email.strip().lower())
        audit("guildhall.waitlist.join", entry, data={"tier": tier.slug})
        transaction.on_commit(lambda: emails.send_waitlist_joined(entry=entry))
    return entry


def waitlist_offer_seat(*, tier_id: int, today: datetime.date | None = None) -> list[TierWaitlistEntry]:
    """A seat of a limited tier is free: offer it to the first on the waiting list not yet told, held
    MEMBERS_WAITLIST_HOLD_DAYS for them (one offer per free seat not already held). Safe to call often."""
    day = today or _today()
    with transaction.atomic():
        tier = tier_lock(tier_id)
        if tier.seat_limit is None:
            return []
        waiting = TierWaitlistEntry.objects.filter(tier=tier).select_related("tier")
        held = waiting.filter(hold_until__gte=day).count()
        free = tier.seat_limit - tier_seats_taken(tier=tier, today=day) - held
        offered = list(waiting.filter(notified_at__isnull=True).order_by("created_at", "pk")[: max(free, 0)])
        for entry in offered:
            entry.notified_at = timezone.now()
            entry.hold_until = day + datetime.timedelta(days=settings.MEMBERS_WAITLIST_HOLD_DAYS)
            entry.save(update_fields=["notified_at", "hold_until"])
            audit("guildhall.waitlist.offer", entry, data={"tier": tier.slug, "hold_until": str(entry.hold_until)})
            transaction.on_commit(partial(emails.send_waitlist_seat_free, entry=entry))
    return offered


def organization_role_grant(*, organization: Organization, user, role: str, actor) -> OrganizationRole:
    with transaction.atomic():
        granted, created = OrganizationRole.objects.get_or_create(user=user, organization=organization, role=role)
        if created:
            audit("guildhall.organization_role.grant", granted, actor=actor, data={"role": role})
    return granted


# --- Individual members -------------------------------------------------------------------

INDIVIDUAL_AGREEMENT_VERSION = "2026-01"
AFFILIATION_FIELDS = ("organization_name", "organization", "title", "starts", "ends")


def _individual_slug(*, user, display_name: str) -> str:
    """The profile's address: the person's previous one when free, else their name, numbered if taken."""
    current = IndividualMember.objects.filter(left_at__isnull=True).exclude(user=user)
    previous = IndividualMember.objects.filter(user=user).order_by("-joined_at").values_list("slug", flat=True).first()
    if previous and not current.filter(slug=previous).exists():
        return previous
    base = slugify(display_name)[:90] or "member"
    taken = set(current.filter(slug__startswith=base).values_list("slug", flat=True)) | INDIVIDUAL_RESERVED_SLUGS
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _clean_profile(*, display_name: str, projects) -> tuple[str, list]:
    display_name = (display_name or "").strip()
    if not display_name:
        raise MembershipError("Give the name to show on your profile.", code="name_required")
    projects = list(projects)
    allowed = set(selectors.project_choices().filter(pk__in=[p.pk for p in projects]).values_list("pk", flat=True))
    if any(project.pk not in allowed for project in projects):
        raise MembershipError("Choose projects among the foundation's projects.", code="unknown_project")
    return display_name, projects


def _set_affiliations(member: IndividualMember, affiliations: list[dict]) -> None:
    """Replace the member's affiliations; an affiliation linked to a member organisation takes its name if none is given."""
    rows = []
    for data in affiliations:
        unknown = set(data) - set(AFFILIATION_FIELDS)
        if unknown:
            raise ValueError(f"Unknown affiliation fields: {sorted(unknown)}")
        organization = data.get("organization")
        name = (data.get("organization_name") or "").strip() or (organization.name if organization else "")
        if not name:
            raise MembershipError("Give each affiliation's organisation.", code="affiliation_name_required")
        starts, ends = data.get("starts"), data.get("ends")
        if starts and ends and ends < starts:
            raise MembershipError(f"The affiliation with {name} ends before it starts.", code="affiliation_dates")
        title = (data.get("title") or "").strip()
        rows.append(
            IndividualAffiliation(
                member=member, organization_name=name, organization=organization, title=title, starts=starts, ends=ends
            )
        )
    member.affiliations.all().delete()
    IndividualAffiliation.objects.bulk_create(rows)


def individual_member_join(
    *, user, display_name: str, bio: str = "", affiliations=(), projects=(), agreement_accepted: bool
) -> IndividualMember:
    """A signed-in person joins as an individual member, accepting the current individual member agreement."""
    if not agreement_accepted:
        raise MembershipError("Please accept the individual member agreement to join.", code="agreement_required")
    display_name, projects = _clean_profile(display_name=display_name, projects=projects)
    already = MembershipError("You are an individual member already.", code="already_member")
    if IndividualMember.objects.filter(user=user, left_at__isnull=True).exists():
        raise already
    try:
        with transaction.atomic():
            member = IndividualMember.objects.create(
                user=user,
                slug=_individual_slug(user=user, display_name=display_name),
                display_name=display_name,
                bio=(bio or "").strip(),
                agreement_version=INDIVIDUAL_AGREEMENT_VERSION,
                agreement_accepted_at=timezone.now(),
            )
            _set_affiliations(member, list(affiliations))
            member.projects.set(projects)
            audit(
                "guildhall.individual_member.join",
                member,
                actor=user,
                data={"agreement_version": INDIVIDUAL_AGREEMENT_VERSION},
            )
            transaction.on_commit(cache.purge)
    except IntegrityError as error:
        # The one-current-membership constraint: a double submission, or a second tab.
        if IndividualMember.objects.filter(user=user, left_at__isnull=True).exists():
            raise already from error
        raise
    return member


def individual_member_update(
    *, member: IndividualMember, display_name: str, bio: str = "", affiliations=(), projects=(), actor
) -> IndividualMember:
    """The member edits their public profile (the address stays, so links to it keep working)."""
    display_name, projects = _clean_profile(display_name=display_name, projects=projects)
    with transaction.atomic():
        locked = IndividualMember.objects.select_for_update().get(pk=member.pk)
        if not locked.is_current:
            raise MembershipError("You left the individual membership; join again to have a profile.", code="left")
        locked.display_name, locked.bio = display_name, (bio or "").strip()
        locked.save(update_fields=["display_name", "bio"])
        _set_affiliations(locked, list(affiliations))
        locked.projects.set(projects)
        audit("guildhall.individual_member.update", locked, actor=actor)
        transaction.on_commit(cache.purge)
    return locked


def individual_member_leave(*, member: IndividualMember, actor) -> IndividualMember:
    """Leaving takes the profile off the site at once; the row stays (with left_at) as history."""
    with transaction.atomic():
        locked = IndividualMember.objects.select_for_update().get(pk=member.pk)
        if not locked.is_current:
            return locked
        locked.left_at = timezone.now()
        locked.save(update_fields=["left_at"])
        audit("guildhall.individual_member.leave", locked, actor=actor)
        transaction.on_commit(cache.purge)
    return locked


AUDIT_ACTIONS = {
    "guildhall.membership.flag": ("Flag membership", "Membership flagged: its dues were taken back"),
    "guildhall.membership_application.submit": ("Submit application", "Membership application submitted"),
    "guildhall.membership_application.review": ("Review application", "Membership application under review"),
    "guildhall.membership_application.approve": ("Approve application", "Membership application approved"),
    "guildhall.membership_application.reject": ("Reject application", "Membership application rejected"),
    "guildhall.membership.create": ("Create membership", "Membership created"),
    "guildhall.membership.activate": ("Activate membership", "Membership activated"),
    "guildhall.membership.cancel": ("Cancel membership", "Membership canceled"),
    "guildhall.membership.change_tier": ("Change tier", "Membership tier changed"),
    "guildhall.membership.grace": ("Grace period", "Membership dues overdue: grace period"),
    "guildhall.membership.lapse": ("Lapse membership", "Membership lapsed"),
    "guildhall.dues.create": ("Create dues", "Dues period created"),
    "guildhall.dues.paid": ("Dues paid", "Dues paid"),
    "guildhall.dues.refunded": ("Dues refunded", "Dues refunded"),
    "guildhall.dues.remind": ("Remind of dues", "Dues reminder sent"),
    "guildhall.waitlist.join": ("Join waiting list", "Joined a tier's waiting list"),
    "guildhall.waitlist.offer": ("Offer a seat", "A freed seat offered to the waiting list"),
    "guildhall.dues.credit": ("Credit dues", "Dues credited for an early downgrade"),
    "guildhall.organization_role.grant": ("Grant role", "Organisation role granted"),
    "guildhall.individual_member.join": ("Join as individual member", "Individual member joined"),
    "guildhall.individual_member.update": ("Edit individual profile", "Individual member profile edited"),
    "guildhall.individual_member.leave": ("Leave individual membership", "Individual member left"),
}
