"""Tiers, organisations, memberships, applications, dues periods and the people who act for organisations.

An organisation's tier is never stored on the organisation: it is the tier of its current membership.
A membership row is one tier for one period: a tier change ends that row and starts another (history kept).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from members.uploads import validate_logo, validate_svg_logo  # noqa: F401 - validate_svg_logo: migration 0001
from portal.industries import Industry

# /members/manage/ and /members/individuals/ are routes, /join/apply/ the application form.
RESERVED_SLUGS = frozenset({"manage", "individuals", "apply"})


def validate_not_reserved_slug(value: str) -> None:
    """Organisation slugs share /members/<slug>/ with the site's own routes."""
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError(f"“{value}” is reserved by the website; choose another slug.", code="reserved_slug")


class OrganizationSize(models.TextChoices):
    SMALL = "1-49", "1–49 employees"
    MEDIUM = "50-249", "50–249 employees"
    LARGE = "250-999", "250–999 employees"
    ENTERPRISE = "1000+", "1,000 employees or more"


class MembershipTier(models.Model):
    """A level of corporate membership; rank 1 is the highest."""

    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    rank = models.PositiveSmallIntegerField(
        unique=True, help_text="1 is the highest tier; the directory lists tiers in this order."
    )
    annual_fee = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    description = models.TextField(blank=True)
    benefits = models.TextField(blank=True, help_text="One benefit per line.")
    seat_limit = models.PositiveIntegerField(
        null=True, blank=True, help_text="How many organisations may hold this tier at once; empty for no limit."
    )
    board_seat = models.BooleanField(default=False, help_text="Members of this tier appoint a board director.")
    is_public = models.BooleanField(
        default=True, help_text="Shown on /join/ and open to applications; hide tiers granted by invitation only."
    )

    class Meta:
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.name

    @property
    def benefit_list(self) -> list[str]:
        return [line.strip() for line in self.benefits.splitlines() if line.strip()]

    @property
    def seats_left(self) -> int | None:
        """Free seats, when the tier is limited and the selector counted the seats taken (tiers_with_seats).

        A seat is taken by an approved (not yet paid), active or grace membership.
        """
        count = getattr(self, "seats_taken", getattr(self, "members_count", None))
        if self.seat_limit is None or count is None:
            return None
        return max(self.seat_limit - count, 0)

    @property
    def is_full(self) -> bool:
        return self.seats_left == 0


def logo_upload_to(instance: "Organization", filename: str) -> str:
    return f"organizations/logos/{filename}"


class Organization(models.Model):
    """A company or institution that is, was or wants to be a member."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True, validators=[validate_not_reserved_slug])
    # A plain file, not a Wagtail image: member logos are usually SVG, which renditions do not handle.
    logo = models.FileField(
        upload_to=logo_upload_to,
        blank=True,
        validators=[FileExtensionValidator(["svg", "png", "jpg", "jpeg"]), validate_logo],
        help_text="PNG, JPEG or SVG, at most 1 MB. SVGs with scripts or external content are refused.",
    )
    website = models.URLField(blank=True)
    description = models.TextField(blank=True)
    country = models.CharField(max_length=100, blank=True)
    industry = models.CharField(max_length=30, choices=Industry.choices, blank=True)
    size = models.CharField(max_length=20, choices=OrganizationSize.choices, blank=True)
    legal_name = models.CharField(max_length=200, blank=True, help_text="As it should appear on invoices.")
    billing_address = models.TextField(blank=True)
    vat_id = models.CharField("VAT ID", max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.slug:
            validate_not_reserved_slug(self.slug)


class Membership(models.Model):
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

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]


class OrganizationRole(models.Model):
    """What a person may do for an organisation; at approval the applicant becomes its admin."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Administrator"
        BILLING = "billing", "Billing contact"
        TECHNICAL = "technical", "Technical contact"
        MARKETING = "marketing", "Marketing contact"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organization_roles")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["organization__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="organization_role_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} ({self.get_role_display()})"


class MembershipApplication(models.Model):
    """A company's request to join at a tier; staff review it, then approve or reject it with a reason."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        UNDER_REVIEW = "under_review", "Under review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    class PaymentMethod(models.TextChoices):
        CARD = "card", "Card, online"
        BANK_TRANSFER = "bank_transfer", "Bank transfer, against an invoice"

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
    organization_name = models.CharField(max_length=200)
    organization_slug = models.SlugField(max_length=100, help_text="Derived from the name; the directory address.")
    legal_name = models.CharField(max_length=200)
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
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField()
    billing_email = models.EmailField(help_text="Invoices and dues reminders go here.")
    technical_email = models.EmailField(blank=True)
    marketing_email = models.EmailField(blank=True)
    payment_method = models.CharField(max_length=20, choices=PaymentMethod.choices, default=PaymentMethod.CARD)
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

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]


class DuesPeriod(models.Model):
    """One period of a membership's dues: its amount, its invoice and the payments made for it."""

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
        from django.contrib.contenttypes.models import ContentType

        from portal.payments.models import Payment

        return Payment.objects.filter(
            owner_content_type=ContentType.objects.get_for_model(DuesPeriod), owner_object_id=str(self.pk)
        ).order_by("created_at")


class TierWaitlistEntry(models.Model):
    """Someone who wants a seat of a full tier; staff contact them when one frees up."""

    tier = models.ForeignKey(MembershipTier, on_delete=models.CASCADE, related_name="waitlist")
    email = models.EmailField()
    organization_name = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["tier__rank", "created_at"]
        verbose_name = "waiting list entry"
        verbose_name_plural = "waiting list"
        constraints = [models.UniqueConstraint(fields=["tier", "email"], name="waitlist_once_per_tier")]

    def __str__(self) -> str:
        return f"{self.organization_name} <{self.email}> for {self.tier}"


# --- Renewals (issue 8) -------------------------------------------------------------------


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


# --- Individual members (issue 8) ---------------------------------------------------------

# /members/individuals/join/, edit/ and leave/ are routes; profiles live beside them.
INDIVIDUAL_RESERVED_SLUGS = frozenset({"join", "edit", "leave"})


class IndividualMember(models.Model):
    """A person's individual membership of the foundation, with their public profile.

    Leaving sets `left_at` and takes the profile off the site; the row stays as history, and joining
    again starts a new row. One current membership per person and one current profile per slug.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="individual_memberships")
    slug = models.SlugField(max_length=100, help_text="The profile's address: /members/individuals/<slug>/.")
    display_name = models.CharField(max_length=120)
    bio = models.TextField(blank=True, max_length=2000)
    # A string reference: members never imports the page models (STYLE); project pages are content.
    projects = models.ManyToManyField("portal.ProjectPage", blank=True, related_name="individual_members")
    agreement_version = models.CharField(max_length=20)
    agreement_accepted_at = models.DateTimeField()
    joined_at = models.DateTimeField(default=timezone.now, editable=False)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["display_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(left_at__isnull=True), name="individual_member_one_current"
            ),
            models.UniqueConstraint(
                fields=["slug"], condition=Q(left_at__isnull=True), name="individual_member_slug_current"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name + ("" if self.left_at is None else " (left)")

    def get_absolute_url(self) -> str:
        # The URL map (README) fixes /members/individuals/<slug>/ as a route of the directory page.
        return f"/members/individuals/{self.slug}/"

    @property
    def is_current(self) -> bool:
        return self.left_at is None


class IndividualAffiliation(models.Model):
    """Where an individual member works or worked: an organisation (linked when it is a member), title, dates."""

    member = models.ForeignKey(IndividualMember, on_delete=models.CASCADE, related_name="affiliations")
    organization_name = models.CharField("organisation", max_length=200)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="individual_affiliations",
        help_text="The member organisation, when it is one.",
    )
    title = models.CharField(max_length=200, blank=True)
    starts = models.DateField(null=True, blank=True)
    ends = models.DateField(null=True, blank=True, help_text="Empty while current.")

    class Meta:
        ordering = [models.F("ends").desc(nulls_first=True), models.F("starts").desc(nulls_last=True), "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts__isnull=True) | Q(ends__isnull=True) | Q(ends__gte=models.F("starts")),
                name="individual_affiliation_ends_after_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} at {self.organization_name}" if self.title else self.organization_name


# --- Member admin pages (/members/manage/): invitations and tier change requests -----------------


class OrganizationInvitation(models.Model):
    """An admin's invitation to take one role for an organisation, by e-mail, valid for 7 days.

    Only a SHA-256 of the token is stored: the link in the e-mail is the one copy of the secret.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=OrganizationRole.Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_not_accepted_and_revoked",
            ),
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="invitation_expires_later"),
        ]
        indexes = [models.Index(fields=["organization", "email"])]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization} ({self.get_role_display()})"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    @property
    def is_pending(self) -> bool:
        return self.status == "pending"


class TierChangeRequest(models.Model):
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

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]
