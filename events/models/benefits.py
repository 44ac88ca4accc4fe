"""What a sponsorship gives, one row per benefit with a state, and what the sponsor sends in (logos, booth staff).

A benefit is created from the package when the sponsorship is approved; it is released on payment (or
early by staff, with a reason), marked fulfilled when staff have delivered it, and withdrawn when the
sponsorship is canceled. Only a released or fulfilled logo benefit puts the logo on the public listing;
a passes or discount code works only while its benefit is released or fulfilled.
"""

from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from events.models.sponsorships import Sponsorship
from events.models.ticket_types import PromoCode
from portal.core.status import StatusMachine
from portal.core.text import validate_plain_text
from portal.core.uploads import validate_logo_file


class SponsorBenefit(StatusMachine, models.Model):
    class Kind(models.TextChoices):
        LOGO = "logo", "Logo placement"
        PASSES = "passes", "Passes"
        DISCOUNT = "discount", "Discount code"
        BOOTH = "booth", "Booth"
        ADDON = "addon", "Add-on"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RELEASED = "released", "Released"
        FULFILLED = "fulfilled", "Fulfilled"
        WITHDRAWN = "withdrawn", "Withdrawn"

    TRANSITIONS = {
        Status.PENDING: {Status.RELEASED, Status.WITHDRAWN},
        Status.RELEASED: {Status.FULFILLED, Status.WITHDRAWN},
        Status.FULFILLED: {Status.WITHDRAWN},
        Status.WITHDRAWN: set(),
    }
    # Benefits the sponsor can use: the logo shows, a code applies at checkout.
    GIVEN = (Status.RELEASED, Status.FULFILLED)
    # One of each per sponsorship; booths and add-ons come from the package's benefit lines.
    SINGLE_KINDS = (Kind.LOGO, Kind.PASSES, Kind.DISCOUNT)

    sponsorship = models.ForeignKey(Sponsorship, on_delete=models.PROTECT, related_name="benefit_rows")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    promo_code = models.OneToOneField(
        PromoCode, null=True, blank=True, on_delete=models.PROTECT, related_name="sponsor_benefit"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey("portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    released_early = models.BooleanField(default=False, help_text="Released by staff before the sponsorship was paid.")
    release_reason = models.CharField(max_length=300, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    fulfilled_by = models.ForeignKey("portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sponsorship", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["sponsorship", "kind"],
                condition=Q(kind__in=["logo", "passes", "discount"]),
                name="sponsor_benefit_one_logo_passes_discount",
            ),
            models.CheckConstraint(
                condition=Q(status="pending")
                | Q(status="withdrawn", released_at__isnull=True)
                | Q(released_at__isnull=False),
                name="sponsor_benefit_released_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display().lower()})"

    def invalid_move_message(self, status: str) -> str:
        return f"{self.name}: a {self.get_status_display().lower()} benefit cannot become {self.Status(status).label.lower()}."

    @property
    def is_given(self) -> bool:
        return self.status in self.GIVEN


def sponsor_asset_upload_to(instance: "SponsorLogo", filename: str) -> str:
    return f"sponsors/assets/{instance.sponsorship_id}/{filename}"


class SponsorLogo(models.Model):
    """A logo the sponsor uploaded for one sponsorship: one file per format (SVG, PNG, JPEG)."""

    class Format(models.TextChoices):
        SVG = "svg", "SVG"
        PNG = "png", "PNG"
        JPEG = "jpeg", "JPEG"

    sponsorship = models.ForeignKey(Sponsorship, on_delete=models.CASCADE, related_name="logo_files")
    format = models.CharField(max_length=4, choices=Format.choices)
    file = models.FileField(
        upload_to=sponsor_asset_upload_to,
        validators=[FileExtensionValidator(["svg", "png", "jpg", "jpeg"]), validate_logo_file],
    )
    uploaded_by = models.ForeignKey("portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["sponsorship", "format"]
        constraints = [
            models.UniqueConstraint(fields=["sponsorship", "format"], name="sponsor_logo_one_per_format"),
        ]

    def __str__(self) -> str:
        return f"{self.get_format_display()} logo"


class BoothStaffMember(models.Model):
    """Someone who will staff the sponsor's booth; the list is replaced as a whole by the sponsor."""

    sponsorship = models.ForeignKey(Sponsorship, on_delete=models.CASCADE, related_name="booth_staff")
    name = models.CharField(max_length=200, validators=[validate_plain_text])
    email = models.EmailField()
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["sponsorship", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["sponsorship", "email"], name="booth_staff_once_per_sponsorship"),
        ]

    def __str__(self) -> str:
        return self.name
