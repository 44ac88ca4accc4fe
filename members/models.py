"""Tiers, organisations and memberships: the first member models (the membership issue extends them).

An organisation's tier is never stored on the organisation: it is the tier of its active membership.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

# /members/manage/ and /members/individuals/ are routes, /join/apply/ the application form.
RESERVED_SLUGS = frozenset({"manage", "individuals", "apply"})


def validate_not_reserved_slug(value: str) -> None:
    """Organisation slugs share /members/<slug>/ with the site's own routes."""
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError(f"“{value}” is reserved by the website; choose another slug.", code="reserved_slug")


class Industry(models.TextChoices):
    CLOUD = "cloud", "Public cloud"
    TELECOM = "telecom", "Telecommunications"
    HARDWARE = "hardware", "Hardware and semiconductors"
    SOFTWARE = "software", "Software and services"
    FINANCE = "finance", "Financial services"
    RETAIL = "retail", "Retail and e-commerce"
    RESEARCH = "research", "Academic and research"
    GOVERNMENT = "government", "Energy, transportation and government"
    MANUFACTURING = "manufacturing", "Manufacturing"
    MEDIA = "media", "Web and entertainment"
    NONPROFIT = "nonprofit", "Non-profit"


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

    class Meta:
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.name

    @property
    def benefit_list(self) -> list[str]:
        return [line.strip() for line in self.benefits.splitlines() if line.strip()]

    @property
    def seats_left(self) -> int | None:
        """Free seats, when the tier is limited and the selector counted its members (tiers_with_seats)."""
        count = getattr(self, "members_count", None)
        if self.seat_limit is None or count is None:
            return None
        return max(self.seat_limit - count, 0)


SVG_FORBIDDEN = (
    b"<script",
    b"<!doctype",
    b"<!entity",
    b"foreignobject",
    b"javascript:",
    b"<iframe",
    b"<embed",
    b"<object",
)


def validate_svg_logo(file) -> None:
    """Logos are served from our own origin: an SVG may not carry scripts, event handlers or entities."""
    if not file or not file.name.lower().endswith(".svg"):
        return
    file.seek(0)
    data = file.read().lower()
    file.seek(0)
    if any(token in data for token in SVG_FORBIDDEN) or re.search(rb"\son[a-z]+\s*=", data):
        raise ValidationError(
            "This SVG contains scripts or external content; upload a plain SVG or a PNG.", code="unsafe_svg"
        )


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
        validators=[FileExtensionValidator(["svg", "png", "jpg", "jpeg", "webp"]), validate_svg_logo],
    )
    website = models.URLField(blank=True)
    description = models.TextField(blank=True)
    country = models.CharField(max_length=100, blank=True)
    industry = models.CharField(max_length=30, choices=Industry.choices, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.slug:
            validate_not_reserved_slug(self.slug)


class Membership(models.Model):
    """An organisation's membership at a tier for a period."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACTIVE = "active", "Active"
        LAPSED = "lapsed", "Lapsed"
        CANCELLED = "cancelled", "Cancelled"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    tier = models.ForeignKey(MembershipTier, on_delete=models.PROTECT, related_name="memberships")
    starts = models.DateField()
    ends = models.DateField(null=True, blank=True, help_text="Empty while the membership runs on.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-starts"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__isnull=True) | Q(ends__gte=models.F("starts")), name="membership_ends_after_starts"
            ),
        ]
        indexes = [models.Index(fields=["status", "starts", "ends"])]

    def __str__(self) -> str:
        return f"{self.organization} · {self.tier} ({self.get_status_display()})"
