"""Memberships, applications, dues periods, renewal reminders and tier change requests.

An organisation's tier is never stored on the organisation: it is the tier of its current membership.
A membership row is one tier for one period: a tier change ends that row and starts another (history kept).
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from members.models.organizations import MembershipTier, Organization, OrganizationSize
from members.uploads import validate_logo
from portal.core.industries import Industry
from portal.core.status import StatusMachine
from portal.core.text import validate_plain_text
from portal.payments.models import PAYER_METHOD_CHOICES, Payment, PaymentMethod


class Membership(StatusMachine, models.Model):
    """An organisation's membership at one tier for one period.

    approved: staff approved the application, the first dues are not paid yet (the seat is held);
    active: dues paid, shown in the directory; grace: dues overdue but still shown for a while;
    lapsed: dues not paid after the grace period; canceled: ended by the member, by staff or by a tier change.
    """

    class Status(models.TextChoices):
        APPROVED = "approved", "Approved, awaiting dues"
        ACTIVE = "active", "Active"
        GRACE = "grace", "Grace period"
        LAPSED = "lapsed", "Lapsed"
        CANCELED = "canceled", "Canceled"

    # Statuses that hold a seat of the tier, and those shown in the directory.
    SEAT_STATUSES = (Status.APPROVED, Status.ACTIVE, Status.GRACE)
    PUBLIC_STATUSES = (Status.ACTIVE, Status.GRACE)
    TRANSITIONS = {
        Status.APPROVED: {Status.ACTIVE, Status.CANCELED},
        Status.ACTIVE: {Status.GRACE, Status.LAPSED, Status.CANCELED},
        Status.GRACE: {Status.ACTIVE, Status.LAPSED, Status.CANCELED},
        Status.LAPSED: {Status.ACTIVE, Status.CANCELED},
        Status.CANCELED: set(),
    }

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    tier = models.ForeignKey(MembershipTier, on_delete=models.PROTECT, related_name="memberships")
    starts = models.DateField()
    ends = models.DateField(null=True, blank=True, help_text="Empty while the membership runs on.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.APPROVED)
    application = models.ForeignKey(
        "MembershipApplication", on_delete=models.SET_NULL, null=True, blank=True, related_name="memberships"
    )
    previous = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next",
        help_text="The row this one continues after a tier change.",
    )
    ended_reason = models.CharField(max_length=200, blank=True)
    # Set when dues were taken back (a lost card dispute): staff decide, the membership is not ended for it.
    flagged_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-starts", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__isnull=True) | Q(ends__gte=models.F("starts")), name="membership_ends_after_starts"
            ),
        ]
        indexes = [models.Index(fields=["status", "starts", "ends"])]

    def __str__(self) -> str:
        return f"{self.organization} · {self.tier} ({self.get_status_display()})"


class MembershipApplication(StatusMachine, models.Model):
    """A company's request to join at a tier; staff review it, then approve or reject it with a reason."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        UNDER_REVIEW = "under_review", "Under review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    OPEN_STATUSES = (Status.SUBMITTED, Status.UNDER_REVIEW)
    TRANSITIONS = {
        Status.SUBMITTED: {Status.UNDER_REVIEW, Status.APPROVED, Status.REJECTED},
        Status.UNDER_REVIEW: {Status.APPROVED, Status.REJECTED},
        Status.APPROVED: set(),
        Status.REJECTED: set(),
    }

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="membership_applications"
    )
    requested_tier = models.ForeignKey(MembershipTier, on_delete=models.PROTECT, related_name="applications")
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        help_text="Set at approval (or when an existing organisation applies again).",
    )
    # The organisation as the applicant described it.
    organization_name = models.CharField(max_length=200, validators=[validate_plain_text])
    organization_slug = models.SlugField(max_length=100, help_text="Derived from the name; the directory address.")
    legal_name = models.CharField(max_length=200, validators=[validate_plain_text])
    website = models.URLField()
    description = models.TextField(blank=True)
    country = models.CharField(max_length=100)
    industry = models.CharField(max_length=30, choices=Industry.choices, blank=True)
    size = models.CharField(max_length=20, choices=OrganizationSize.choices, blank=True)
    billing_address = models.TextField()
    vat_id = models.CharField("VAT ID", max_length=40, blank=True)
    logo = models.FileField(
        upload_to="applications/logos/",
        blank=True,
        validators=[FileExtensionValidator(["svg", "png", "jpg", "jpeg"]), validate_logo],
    )
    # Contacts.
    contact_name = models.CharField(max_length=200, validators=[validate_plain_text])
    contact_email = models.EmailField()
    billing_email = models.EmailField(help_text="Invoices and dues reminders go here.")
    technical_email = models.EmailField(blank=True)
    marketing_email = models.EmailField(blank=True)
    payment_method = models.CharField(max_length=20, choices=PAYER_METHOD_CHOICES, default=PaymentMethod.CARD.value)
    # The membership agreement.
    agreement_version = models.CharField(max_length=20)
    agreement_accepted_at = models.DateTimeField()

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    rejection_reason = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""), name="application_rejection_has_reason"
            ),
            # One open application per organisation, even when two arrive at once for different tiers
            # (the service locks only the tier row, so those two would not queue).
            models.UniqueConstraint(
                fields=["organization_slug"],
                condition=Q(status__in=["submitted", "under_review"]),
                name="application_one_open_per_organization",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_name} → {self.requested_tier} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class DuesPeriod(models.Model):
    """One period of a membership's dues: its amount, its invoice and the payments made for it."""

    # Not fields: set by members.manage.selectors for the organisation's invoices page.
    attempts: list
    amount_display: str

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="dues_periods")
    starts = models.DateField()
    ends = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    invoice = models.ForeignKey("payments.Invoice", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    payment = models.ForeignKey(
        "payments.Payment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The payment the dues were first asked with; retries are further payments for this period.",
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    refunded_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-starts", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends__gte=models.F("starts")), name="dues_period_ends_after_starts"),
            models.UniqueConstraint(fields=["membership", "starts"], name="dues_period_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.membership.organization} dues {self.starts:%Y-%m-%d}–{self.ends:%Y-%m-%d}"

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None

    def payments(self):
        """Every payment made for this period (the first one and any retries), through the payments ledger."""

        return Payment.objects.filter(
            owner_content_type=ContentType.objects.get_for_model(DuesPeriod), owner_object_id=str(self.pk)
        ).order_by("created_at")


# --- Renewals -----------------------------------------------------------------------------


class DuesReminder(models.Model):
    """A renewal reminder sent for an unpaid dues period, `days_before` the end of the paid period.

    One row per period and offset (the unique constraint), so however often the renewal task runs, each
    reminder goes out at most once; the renewal notice that comes with the invoice counts as the reminder
    due on the day it is sent.
    """

    dues = models.ForeignKey(DuesPeriod, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.SmallIntegerField(help_text="Days before the end of the paid period (30, 7, 0).")
    with_invoice = models.BooleanField(default=False, help_text="Sent as the renewal notice with the invoice.")
    sent_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["dues", "-days_before"]
        constraints = [models.UniqueConstraint(fields=["dues", "days_before"], name="dues_reminder_once")]

    def __str__(self) -> str:
        return f"{self.dues}: reminder {self.days_before} days before"


class TierChangeRequest(StatusMachine, models.Model):
    """An organisation admin asks for another tier; staff approve (a new membership row) or decline it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the membership team"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    TRANSITIONS = {
        Status.PENDING: {Status.APPROVED, Status.DECLINED},
        Status.APPROVED: set(),
        Status.DECLINED: set(),
    }

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="tier_change_requests")
    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", help_text="The membership row to change."
    )
    tier = models.ForeignKey(MembershipTier, on_delete=models.PROTECT, related_name="+", verbose_name="requested tier")
    note = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    new_membership = models.OneToOneField(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], condition=Q(status="pending"), name="tier_change_one_pending_per_organization"
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""), name="tier_change_decline_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} → {self.tier} ({self.get_status_display()})"


class DuesCredit(models.Model):
    """What a credit note owes an organisation (a downgrade Finance let start early): there is no account
    balance, so it is taken off the next renewal invoice as a line, or refunded if the organisation leaves."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="dues_credits")
    credit_note = models.OneToOneField("payments.Invoice", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    applied_to = models.ForeignKey(
        DuesPeriod,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credits",
        help_text="The renewal whose invoice took it off.",
    )
    refund = models.OneToOneField("payments.Refund", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="dues_credit_amount_positive")]

    def __str__(self) -> str:
        return f"{self.organization}: credit {self.amount} {self.currency} ({self.credit_note})"
