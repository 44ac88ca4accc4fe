"""Tiers, organisations, the people who act for them, and the tiers' waiting lists."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils import timezone

from members.uploads import validate_logo
from portal.core.industries import Industry
from portal.core.text import validate_plain_text

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
    tax_rule = models.ForeignKey(
        "portal.TaxRule",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "dues"},
        help_text="How this tier's dues are taxed; empty: the default rule for dues.",
    )
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

    # Not a field: the signed-in person's roles here, set by members.manage.selectors.organization_for_user.
    user_roles: frozenset[str]

    name = models.CharField(max_length=200, validators=[validate_plain_text])
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
    legal_name = models.CharField(
        max_length=200, blank=True, validators=[validate_plain_text], help_text="As it should appear on invoices."
    )
    billing_address = models.TextField(blank=True)
    vat_id = models.CharField("VAT ID", max_length=40, blank=True)
    po_number = models.CharField(
        "purchase order number", max_length=60, blank=True, help_text="Printed on the dues invoices."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.slug:
            validate_not_reserved_slug(self.slug)


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


class TierWaitlistEntry(models.Model):
    """Someone who wants a seat of a full tier; staff contact them when one frees up."""

    tier = models.ForeignKey(MembershipTier, on_delete=models.CASCADE, related_name="waitlist")
    email = models.EmailField()
    organization_name = models.CharField(max_length=200, validators=[validate_plain_text])
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # When a seat freed and this entry was first in line: the seat is offered to it until hold_until.
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    hold_until = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["tier__rank", "created_at"]
        verbose_name = "waiting list entry"
        verbose_name_plural = "waiting list"
        constraints = [models.UniqueConstraint(fields=["tier", "email"], name="waitlist_once_per_tier")]

    def __str__(self) -> str:
        return f"{self.organization_name} <{self.email}> for {self.tier}"
