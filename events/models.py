"""Summit registration: events, ticket types, promo codes, orders, their lines and tickets.

Commerce lives here, not in pages: an event page (portal/site/pages/events.py) only carries content and
finds its event by slug. Prices are Decimal in the event's currency; times are aware UTC and shown
in the event's time zone.
"""

import secrets
import zoneinfo
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone

from events.ticket_codes import new_short_code
from portal.core.status import StatusMachine
from portal.core.text import validate_plain_text
from portal.core.uploads import validate_logo_file
from portal.payments.models import PaymentMethod

ORDER_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"{value!r} is not a time zone of the IANA database.") from None


def new_order_code() -> str:
    return "".join(secrets.choice(ORDER_CODE_ALPHABET) for _ in range(8))


def new_secret() -> str:
    return secrets.token_urlsafe(24)


def new_ticket_code() -> str:
    # 128 bits: the QR code on a badge is the ticket, so it must not be guessable.
    return secrets.token_urlsafe(16)


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
    changes_cutoff = models.DateTimeField(
        null=True, blank=True, help_text="Attendee names and companies may be changed until this moment."
    )
    code_of_conduct_url = models.URLField(blank=True)
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

    def get_register_url(self) -> str:
        return reverse("events:register", kwargs={"slug": self.slug})


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


class Order(StatusMachine, models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending payment"
        PAID = "paid", "Paid"
        EXPIRED = "expired", "Expired"
        CANCELED = "canceled", "Canceled"
        REFUNDED = "refunded", "Refunded"
        PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"

    # The allowed moves; anything else raises InvalidTransition. expired -> paid is a late
    # payment whose seats were still free when it was re-checked.
    TRANSITIONS = {
        Status.PENDING: {Status.PAID, Status.EXPIRED, Status.CANCELED},
        Status.EXPIRED: {Status.PAID},
        Status.PAID: {Status.CANCELED, Status.REFUNDED, Status.PARTIALLY_REFUNDED},
        Status.PARTIALLY_REFUNDED: {Status.REFUNDED, Status.PARTIALLY_REFUNDED, Status.CANCELED},
        # A canceled paid order becomes refunded when the gateway confirms the refund.
        Status.CANCELED: {Status.REFUNDED},
        Status.REFUNDED: set(),
    }
    # Orders in these states hold or own seats (pending ones only until their hold expires).
    SOLD = (Status.PAID, Status.PARTIALLY_REFUNDED)

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="orders")
    code = models.CharField(max_length=12, unique=True, default=new_order_code, editable=False)
    secret = models.CharField(max_length=64, unique=True, default=new_secret, editable=False)
    user = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="event_orders"
    )
    buyer_name = models.CharField(max_length=200, validators=[validate_plain_text])
    buyer_email = models.EmailField()
    billing_company = models.CharField(max_length=200, blank=True, validators=[validate_plain_text])
    billing_address = models.TextField(blank=True)
    billing_vat_id = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    discount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    total = models.DecimalField(max_digits=12, decimal_places=2)
    refunded_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    promo_code = models.ForeignKey(PromoCode, null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    needs_approval = models.BooleanField(default=False)
    approved_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Seats are held until then; empty while waiting for approval."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    canceled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "expires_at"]), models.Index(fields=["buyer_email"])]
        constraints = [
            models.CheckConstraint(condition=Q(subtotal__gte=0), name="order_subtotal_not_negative"),
            models.CheckConstraint(condition=Q(discount__gte=0), name="order_discount_not_negative"),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
            models.CheckConstraint(condition=Q(refunded_amount__gte=0), name="order_refund_not_negative"),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_at__isnull=False), name="order_paid_has_paid_at"
            ),
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="order_currency_iso"),
        ]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("events:order", kwargs={"slug": self.event.slug, "code": self.code, "secret": self.secret})

    def invalid_move_message(self, status: str) -> str:
        return (
            f"Order {self.code} cannot go from {self.get_status_display().lower()} to "
            f"{self.Status(status).label.lower()}."
        )

    def hold_expired(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.EXPIRED or (
            self.status == self.Status.PENDING and self.expires_at is not None and self.expires_at <= now
        )

    @property
    def is_paid(self) -> bool:
        return self.status in self.SOLD

    @property
    def awaiting_approval(self) -> bool:
        return self.status == self.Status.PENDING and self.needs_approval and self.approved_at is None


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="lines")
    ticket_type = models.ForeignKey(TicketType, on_delete=models.PROTECT, related_name="order_lines")
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    discount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    total = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["order", "ticket_type__position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="order_line_price_not_negative"),
            models.CheckConstraint(condition=Q(discount__gte=0), name="order_line_discount_not_negative"),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_line_total_not_negative"),
            models.UniqueConstraint(fields=["order", "ticket_type"], name="order_line_one_per_type"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.ticket_type.name}"


class Ticket(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="tickets")
    ticket_type = models.ForeignKey(TicketType, on_delete=models.PROTECT, related_name="tickets")
    code = models.CharField(max_length=40, unique=True, default=new_ticket_code, editable=False)
    short_code = models.CharField(
        max_length=8, unique=True, default=new_short_code, editable=False, help_text="Printed under the QR code."
    )
    attendee_name = models.CharField(max_length=200, blank=True, validators=[validate_plain_text])
    attendee_email = models.EmailField(blank=True)
    company = models.CharField(max_length=200, blank=True, validators=[validate_plain_text])
    job_title = models.CharField(
        max_length=200, blank=True, validators=[validate_plain_text], help_text="Printed on the badge."
    )
    pronouns = models.CharField(
        max_length=40, blank=True, validators=[validate_plain_text], help_text="Printed on the badge."
    )
    checked_in_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "pk"]
        permissions = [("check_in_ticket", "Can check in tickets at the door")]

    def __str__(self) -> str:
        return f"{self.ticket_type.name}: {self.attendee_name or 'unnamed'}"

    @property
    def is_named(self) -> bool:
        return bool(self.attendee_name)


# --- Waiting list for sold-out ticket types -------------------------------------------------


class WaitingListEntry(StatusMachine, models.Model):
    """Someone waiting for seats of a sold-out ticket type; an offer holds seats for them alone."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        OFFERED = "offered", "Offered"
        ORDERED = "ordered", "Ordered"
        EXPIRED = "expired", "Offer expired"
        LEFT = "left", "Left the list"

    ACTIVE = (Status.WAITING, Status.OFFERED)
    TRANSITIONS = {
        Status.WAITING: {Status.OFFERED, Status.LEFT},
        Status.OFFERED: {Status.ORDERED, Status.EXPIRED, Status.LEFT},
        Status.ORDERED: set(),
        Status.EXPIRED: set(),
        Status.LEFT: set(),
    }

    ticket_type = models.ForeignKey(TicketType, on_delete=models.PROTECT, related_name="waiting_list")
    email = models.EmailField()
    quantity = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "waiting list entries"
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="waiting_list_quantity_positive"),
            models.UniqueConstraint(
                fields=["ticket_type", "email"],
                condition=Q(status__in=["waiting", "offered"]),
                name="waiting_list_one_active_entry_per_email",
            ),
            models.CheckConstraint(
                condition=~Q(status="offered") | Q(offer_expires_at__isnull=False), name="waiting_list_offer_expires"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.quantity} × {self.ticket_type.name})"

    def offer_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.OFFERED and self.offer_expires_at is not None and now < self.offer_expires_at


# --- Sponsorships -----------------------------------------------------------------------------


class SponsorshipPackage(models.Model):
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="sponsorship_packages")
    name = models.CharField(max_length=100)
    price = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    slots = models.PositiveIntegerField(help_text="How many sponsors this package may have.")
    benefits = models.TextField(blank=True, help_text="One benefit per line.")
    passes_included = models.PositiveIntegerField(default=0, help_text="Free full-access tickets for the sponsor.")
    pass_ticket_types = models.ManyToManyField(
        TicketType, blank=True, related_name="+", help_text="Tickets the passes are for; empty: every ticket type."
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Higher packages first (0 is the top).")

    class Meta:
        ordering = ["event", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="sponsorship_package_unique_name"),
            models.CheckConstraint(condition=Q(price__gte=0), name="sponsorship_package_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.event.name})" if self.event_id else self.name

    @property
    def benefit_list(self) -> list[str]:
        return [line.strip() for line in self.benefits.splitlines() if line.strip()]


def sponsor_logo_upload_to(instance: "Sponsorship", filename: str) -> str:
    return f"sponsors/logos/{filename}"


class Sponsorship(StatusMachine, models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        APPROVED = "approved", "Approved"
        INVOICED = "invoiced", "Invoiced"
        PAID = "paid", "Paid"
        CANCELED = "canceled", "Canceled"

    TRANSITIONS = {
        Status.REQUESTED: {Status.APPROVED, Status.CANCELED},
        Status.APPROVED: {Status.INVOICED, Status.CANCELED},
        Status.INVOICED: {Status.PAID, Status.CANCELED},
        Status.PAID: {Status.CANCELED},
        Status.CANCELED: set(),
    }
    # A request without a decision holds its slot this long.
    REQUEST_HOLD_DAYS = 14

    organization = models.ForeignKey("members.Organization", on_delete=models.PROTECT, related_name="sponsorships")
    package = models.ForeignKey(SponsorshipPackage, on_delete=models.PROTECT, related_name="sponsorships")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED, db_index=True)
    contacts = models.ManyToManyField("portal.User", blank=True, related_name="sponsorship_contacts")
    contact_email = models.EmailField(help_text="Where invoices and pass codes are sent.")
    payment_method = models.CharField(
        max_length=20,
        choices=PaymentMethod.choices,
        default=PaymentMethod.CARD,
        help_text="How the sponsor asked to pay the invoice.",
    )
    logo = models.FileField(
        upload_to=sponsor_logo_upload_to,
        blank=True,
        validators=[FileExtensionValidator(["svg", "png", "jpg", "jpeg"]), validate_logo_file],
        help_text="PNG, JPEG or SVG, at most 1 MB. Empty: the organisation's logo is shown.",
    )
    requested_by = models.ForeignKey("portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField(null=True, blank=True)
    invoiced_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    canceled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    pass_code = models.OneToOneField(
        PromoCode, null=True, blank=True, on_delete=models.PROTECT, related_name="sponsorship"
    )

    class Meta:
        ordering = ["package__event", "package__position", "requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "package"],
                condition=~Q(status="canceled"),
                name="sponsorship_one_live_per_organization_and_package",
            ),
            models.CheckConstraint(condition=~Q(status="paid") | Q(paid_at__isnull=False), name="sponsorship_paid_at"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.package}" if self.package_id and self.organization_id else "sponsorship"

    def invalid_move_message(self, status: str) -> str:
        return f"A {self.get_status_display().lower()} sponsorship cannot become {self.Status(status).label.lower()}."

    def request_expires_at(self):
        return self.requested_at + timedelta(days=self.REQUEST_HOLD_DAYS)

    @property
    def logo_file(self):
        return self.logo if self.logo else self.organization.logo


class SponsorWaitingListEntry(models.Model):
    """An organisation that wants a full package if a slot comes free."""

    package = models.ForeignKey(SponsorshipPackage, on_delete=models.PROTECT, related_name="waiting_list")
    organization = models.ForeignKey("members.Organization", on_delete=models.PROTECT, related_name="+")
    email = models.EmailField()
    requested_by = models.ForeignKey("portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "sponsor waiting list entries"
        constraints = [
            models.UniqueConstraint(
                fields=["package", "organization"], condition=Q(active=True), name="sponsor_waiting_list_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} waits for {self.package}"
