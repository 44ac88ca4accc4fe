"""What an event sells: ticket types with their capacity and sale windows, and promo codes."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone

from events.models.event import Event


class TicketType(models.Model):
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="ticket_types")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    price = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    capacity = models.PositiveIntegerField(help_text="Seats that may be held or sold.")
    sale_starts = models.DateTimeField(null=True, blank=True)
    sale_ends = models.DateTimeField(null=True, blank=True)
    max_per_order = models.PositiveSmallIntegerField(default=10)
    needs_approval = models.BooleanField(default=False, help_text="Orders wait for staff approval (students, …).")
    hidden = models.BooleanField(default=False, help_text="Only sold with a promo code that names it.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["event", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="ticket_type_price_not_negative"),
            models.CheckConstraint(condition=Q(max_per_order__gte=1), name="ticket_type_max_per_order_positive"),
            models.CheckConstraint(
                condition=Q(sale_starts__isnull=True)
                | Q(sale_ends__isnull=True)
                | Q(sale_ends__gt=models.F("sale_starts")),
                name="ticket_type_sale_window",
            ),
            models.UniqueConstraint(fields=["event", "name"], name="ticket_type_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.event.name})" if self.event_id else self.name

    def on_sale(self, now=None) -> bool:
        now = now or timezone.now()
        return (self.sale_starts is None or self.sale_starts <= now) and (
            self.sale_ends is None or now < self.sale_ends
        )


class PromoCode(models.Model):
    class Kind(models.TextChoices):
        PERCENT = "percent", "Percent off"
        FIXED = "fixed", "Fixed amount off each ticket"

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="promo_codes")
    code = models.CharField(max_length=40, help_text="Case does not matter.")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PERCENT)
    value = models.DecimalField(max_digits=10, decimal_places=2, help_text="Percent (1–100) or amount.")
    ticket_types = models.ManyToManyField(
        TicketType, blank=True, related_name="promo_codes", help_text="Empty: every ticket type."
    )
    max_uses = models.PositiveIntegerField(null=True, blank=True, help_text="Orders that may use it; empty: no limit.")
    max_tickets = models.PositiveIntegerField(
        null=True, blank=True, help_text="Tickets it may discount in all (a sponsor's passes); empty: no limit."
    )
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["event", "code"]
        constraints = [
            models.UniqueConstraint(Upper("code"), "event", name="promo_code_unique_per_event"),
            models.CheckConstraint(condition=Q(value__gt=0), name="promo_code_value_positive"),
            models.CheckConstraint(
                condition=~Q(kind="percent") | Q(value__lte=100), name="promo_code_percent_at_most_100"
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gt=models.F("valid_from")),
                name="promo_code_validity_window",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def is_valid_at(self, now) -> bool:
        return (
            self.active
            and (self.valid_from is None or self.valid_from <= now)
            and (self.valid_until is None or now < self.valid_until)
        )
