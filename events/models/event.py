"""An event: its dates, place, currency and time zone, the registration settings it is sold with."""

import zoneinfo
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from events.models.codes import validate_time_zone


class Event(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        CANCELED = "canceled", "Canceled"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    summary = models.CharField(max_length=300, blank=True)
    venue = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=100, blank=True)
    start = models.DateTimeField()
    end = models.DateTimeField()
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    currency = models.CharField(max_length=3, default="USD")
    registration_opens = models.DateTimeField(null=True, blank=True)
    registration_closes = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    refund_policy = models.TextField(blank=True, help_text="Shown to buyers before they pay.")
    refund_cutoff = models.DateTimeField(
        null=True, blank=True, help_text="Orders may be canceled for a refund until this moment; empty: no refunds."
    )
    refund_fee = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Kept from each canceled ticket's refund (handling fee), in the event's currency.",
    )
    changes_cutoff = models.DateTimeField(
        null=True, blank=True, help_text="Attendee names and companies may be changed until this moment."
    )
    bundle_assign_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Companies may assign and reassign the attendees of their ticket bundles until this moment; "
        "empty: until the event starts.",
    )
    code_of_conduct_url = models.URLField(blank=True)
    # How tickets and sponsorships of this event are taxed; empty: the kind's default rule (Finance).
    ticket_tax_rule = models.ForeignKey(
        "portal.TaxRule",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "ticket"},
        help_text="How tickets are taxed; empty: the default rule for tickets.",
    )
    sponsorship_tax_rule = models.ForeignKey(
        "portal.TaxRule",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "sponsorship"},
        help_text="How sponsorships are taxed; empty: the default rule for sponsorships.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="event_ends_after_start"),
            models.CheckConstraint(
                condition=Q(registration_opens__isnull=True)
                | Q(registration_closes__isnull=True)
                | Q(registration_closes__gt=models.F("registration_opens")),
                name="event_registration_window",
            ),
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="event_currency_iso"),
            models.CheckConstraint(condition=Q(refund_fee__gte=0), name="event_refund_fee_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/events/{self.slug}/"

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def local(self, moment):
        """A UTC moment in the event's own time zone, for display and local cut-offs."""
        return timezone.localtime(moment, self.tz) if moment else None

    def registration_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and (self.registration_opens is None or self.registration_opens <= now)
            and (self.registration_closes is None or now < self.registration_closes)
            and now < self.end
        )

    @property
    def bundle_assign_cutoff(self):
        """Until when a company's ticket bundle may be assigned: the event's own cut-off, or its start."""
        return self.bundle_assign_until or self.start

    def get_register_url(self) -> str:
        return reverse("events:register", kwargs={"slug": self.slug})
