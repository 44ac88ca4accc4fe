"""Orders, their lines and the tickets they issue."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone

from events.models.codes import new_order_code, new_secret, new_ticket_code
from events.models.event import Event
from events.models.ticket_types import PromoCode, TicketType
from events.ticket_codes import new_short_code
from portal.core.reverse import reverse
from portal.core.status import StatusMachine
from portal.core.text import validate_plain_text


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
    billing_country = models.CharField(max_length=2, blank=True)
    # The tax as the buyer was shown it when ordering: `total` is what they pay (gross), `tax` is in it.
    tax = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    prices_include_tax = models.BooleanField(default=True)
    tax_note = models.CharField(max_length=300, blank=True)  # the reverse charge, a sale outside the scope
    tax_country = models.CharField(max_length=2, blank=True)  # where the tax is due
    vat_check = models.CharField(max_length=200, blank=True)  # how the VAT number was checked (VIES number)
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
    payment_link_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the unpaid order's link was e-mailed (once)."
    )
    # Set when the money was taken back (a lost card dispute): staff decide what happens to the tickets.
    flagged_reason = models.CharField(max_length=300, blank=True)

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
    def net(self) -> Decimal:
        return self.total - self.tax

    @property
    def tax_rate(self) -> Decimal:
        """The order's VAT rate (one per order: all its tickets are taxed alike), from its lines."""
        return max((line.tax_rate for line in self.lines.all()), default=Decimal("0"))

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
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"))
    # The line's tax after its discount, and the part of it the discount took off (for the invoice's lines).
    tax = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    discount_tax = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    # Tickets of this line canceled one by one: their seats are free again, the line stays as sold.
    canceled_quantity = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "ticket_type__position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="order_line_price_not_negative"),
            models.CheckConstraint(condition=Q(discount__gte=0), name="order_line_discount_not_negative"),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_line_total_not_negative"),
            models.UniqueConstraint(fields=["order", "ticket_type"], name="order_line_one_per_type"),
            models.CheckConstraint(
                condition=Q(canceled_quantity__lte=models.F("quantity")), name="order_line_canceled_at_most_quantity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.ticket_type.name}"

    @property
    def subtotal_before_discount(self) -> Decimal:
        return self.total + self.discount

    @property
    def gross(self) -> Decimal:
        """What the line costs the buyer: its total, with the tax added when prices exclude it."""
        return self.total if self.order.prices_include_tax else self.total + self.tax


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
    canceled_at = models.DateTimeField(null=True, blank=True, help_text="Canceled on its own; the QR code is void.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "pk"]
        permissions = [("check_in_ticket", "Can check in tickets at the door")]

    def __str__(self) -> str:
        return f"{self.ticket_type.name}: {self.attendee_name or 'unnamed'}"

    def get_absolute_url(self) -> str:
        """The holder's own page: this ticket only, reached by its unguessable code (void once reissued)."""
        return reverse("events:ticket", kwargs={"slug": self.order.event.slug, "code": self.code})

    @property
    def is_named(self) -> bool:
        return bool(self.attendee_name)

    def is_new_holder(self, name: str, email: str) -> bool:
        """Someone else than the attendee named now: another name, or another address (case aside)."""
        return name.strip() != self.attendee_name or email.strip().lower() != self.attendee_email.lower()

    def set_holder(self, *, name: str, email: str, company: str, job_title: str, pronouns: str) -> None:
        """The attendee and their badge details as typed, trimmed (the caller saves)."""
        self.attendee_name, self.attendee_email = name.strip(), email.strip()
        self.company, self.job_title, self.pronouns = company.strip(), job_title.strip(), pronouns.strip()

    @property
    def is_canceled(self) -> bool:
        return self.canceled_at is not None
