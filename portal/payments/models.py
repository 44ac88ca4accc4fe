"""The payment ledger: one Payment per attempt to pay for something, and Stripe's events as received."""

import secrets
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from portal.core import money
from portal.core.reverse import reverse
from portal.core.status import StatusMachine
from portal.core.text import validate_plain_text


def new_public_id() -> str:
    """Unguessable: the pay page is reached by this id alone."""
    return secrets.token_urlsafe(18)


class PaymentStatus(models.TextChoices):
    CREATED = "created", "Created"
    REQUIRES_ACTION = "requires_action", "Requires action"
    PROCESSING = "processing", "Processing"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELED = "canceled", "Canceled"
    REFUNDED = "refunded", "Refunded"
    PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"


S = PaymentStatus

# Where a payment may go from each status. Anything else is refused, so a late or out-of-order
# event can never move a payment backwards (succeeded never returns to processing).
# failed -> succeeded is allowed: when Stripe says money moved, that is the truth to record.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.CREATED: frozenset({S.REQUIRES_ACTION, S.PROCESSING, S.SUCCEEDED, S.FAILED, S.CANCELED}),
    S.REQUIRES_ACTION: frozenset({S.PROCESSING, S.SUCCEEDED, S.FAILED, S.CANCELED}),
    S.PROCESSING: frozenset({S.SUCCEEDED, S.FAILED, S.CANCELED}),
    S.FAILED: frozenset({S.SUCCEEDED}),
    S.SUCCEEDED: frozenset({S.PARTIALLY_REFUNDED, S.REFUNDED}),
    S.PARTIALLY_REFUNDED: frozenset({S.PARTIALLY_REFUNDED, S.REFUNDED}),
    S.CANCELED: frozenset(),
    S.REFUNDED: frozenset(),
}
PAID_STATUSES = frozenset({S.SUCCEEDED, S.PARTIALLY_REFUNDED, S.REFUNDED})
OPEN_STATUSES = frozenset({S.CREATED, S.REQUIRES_ACTION, S.PROCESSING})


class PaymentMethod(models.TextChoices):
    CARD = "card", "Card"
    BANK_TRANSFER = "bank_transfer", "Bank transfer"


# The same methods as a payer chooses between them (application and sponsorship forms).
PAYER_METHOD_CHOICES = [
    (PaymentMethod.CARD.value, "Card, online"),
    (PaymentMethod.BANK_TRANSFER.value, "Bank transfer, against an invoice"),
]


class Payment(StatusMachine, models.Model):
    TRANSITIONS = ALLOWED_TRANSITIONS

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    owner_content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    owner_object_id = models.CharField(max_length=64)
    owner = GenericForeignKey("owner_content_type", "owner_object_id")

    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    amount_refunded = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    method = models.CharField(max_length=20, choices=PaymentMethod.choices, default=PaymentMethod.CARD)
    status = models.CharField(max_length=24, choices=PaymentStatus.choices, default=PaymentStatus.CREATED)
    failure_message = models.CharField(max_length=500, blank=True)

    payer_email = models.EmailField()
    description = models.CharField(max_length=300, blank=True)
    return_url = models.CharField(max_length=500, blank=True)

    stripe_payment_intent_id = models.CharField(max_length=100, blank=True)
    stripe_charge_id = models.CharField(max_length=100, blank=True)
    stripe_customer_id = models.CharField(max_length=100, blank=True)
    # Set when what was to be paid changed before it was paid (a tier change, say): this payment is
    # canceled and its pay page points to the one that replaces it (empty when nothing is left to pay).
    replaced_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaces", editable=False
    )
    replaced_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when a second payment for an owner that was already paid succeeds: it is refunded, not fulfilled.
    is_duplicate = models.BooleanField(default=False)
    # Bank transfers, as staff recorded them when the money arrived.
    transfer_reference = models.CharField(max_length=140, blank=True)
    transfer_received_on = models.DateField(null=True, blank=True)
    # What the bank actually credited (transfers can arrive short, by fees, or in several parts);
    # null until a transfer is recorded. A short remainder Finance accepted is written off, audited.
    amount_received = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    amount_written_off = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    # Set when money arrived for an owner that could no longer take it (an expired order, a canceled
    # sponsorship): it is given back, never fulfilled, and the payer is told why in these words.
    refused_reason = models.CharField(max_length=300, blank=True)
    # Set when Stripe reports a success that does not match the payment (amount or currency):
    # nothing is fulfilled and Finance decide.
    held_reason = models.CharField(max_length=300, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    # Set by the task that sends the receipt after the success is committed: it is sent once.
    receipt_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner_content_type", "owner_object_id"]),
            models.Index(fields=["status", "updated_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["stripe_payment_intent_id"],
                condition=~Q(stripe_payment_intent_id=""),
                name="payments_payment_unique_intent",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0) & Q(amount_refunded__lte=models.F("amount")),
                name="payments_payment_refund_within_amount",
            ),
            models.CheckConstraint(condition=Q(status__in=PaymentStatus.values), name="payments_payment_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{money.format_money(self.amount, self.currency)} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("payments:pay", kwargs={"public_id": self.public_id})

    def get_return_url(self) -> str:
        return reverse("payments:return", kwargs={"public_id": self.public_id})

    @property
    def owner_label(self) -> str:
        # By id from the content-type cache: the foreign key would cost a query per payment.
        model = (
            ContentType.objects.get_for_id(self.owner_content_type_id).model_class()
            if self.owner_content_type_id
            else None
        )
        return model._meta.label if model is not None else ""

    @property
    def amount_display(self) -> str:
        return money.format_money(self.amount, self.currency)

    @property
    def amount_refundable(self) -> Decimal:
        return self.amount - self.amount_refunded

    @property
    def is_paid(self) -> bool:
        return self.status in PAID_STATUSES

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_refused(self) -> bool:
        """Money arrived that is given back (a refused or duplicate payment): no receipt, no fulfilment."""
        return bool(self.refused_reason) or self.is_duplicate

    @property
    def is_partly_paid(self) -> bool:
        return self.status == PaymentStatus.CREATED and bool(self.amount_received)

    @property
    def amount_outstanding(self) -> Decimal:
        return self.amount - (self.amount_received or Decimal("0"))


class RefundStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class Refund(StatusMachine, models.Model):
    # A refund is recorded as succeeded when asked for; Stripe answering "pending" moves it back until it settles.
    TRANSITIONS = {
        RefundStatus.PENDING: {RefundStatus.SUCCEEDED, RefundStatus.FAILED},
        RefundStatus.SUCCEEDED: {RefundStatus.PENDING},
        RefundStatus.FAILED: set(),
    }

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    reason = models.CharField(max_length=300)
    status = models.CharField(max_length=20, choices=RefundStatus.choices, default=RefundStatus.PENDING)
    stripe_refund_id = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payments_refund_amount_positive")]

    def __str__(self) -> str:
        return f"Refund {money.format_money(self.amount, self.payment.currency)}"


class PayerReturn(models.Model):
    """Money Finance must send back by bank transfer (a duplicate or surplus transfer, a refused one,
    a refund of a transfer): no gateway can do it, so it is a task on the finance screens until done."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="payer_returns")
    # The refund this return carries out (a whole payment given back); none for a surplus.
    refund = models.OneToOneField(Refund, on_delete=models.PROTECT, null=True, blank=True, related_name="payer_return")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=300)
    payer_reference = models.CharField("payer's bank reference", max_length=140, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_reference = models.CharField("reference of the transfer sent", max_length=140, blank=True)

    class Meta:
        ordering = ["done_at", "-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payments_payerreturn_amount_positive")]

    def __str__(self) -> str:
        return f"Return {money.format_money(self.amount, self.currency)} to {self.payment.payer_email}"

    @property
    def amount_display(self) -> str:
        return money.format_money(self.amount, self.currency)


class DisputeStatus(models.TextChoices):
    WARNING_NEEDS_RESPONSE = "warning_needs_response", "Inquiry: needs a response"
    WARNING_UNDER_REVIEW = "warning_under_review", "Inquiry: under review"
    WARNING_CLOSED = "warning_closed", "Inquiry closed"
    NEEDS_RESPONSE = "needs_response", "Needs a response"
    UNDER_REVIEW = "under_review", "Under review"
    WON = "won", "Won"
    LOST = "lost", "Lost"
    PREVENTED = "prevented", "Prevented"


_DISPUTE_OPEN = (
    DisputeStatus.WARNING_NEEDS_RESPONSE,
    DisputeStatus.WARNING_UNDER_REVIEW,
    DisputeStatus.NEEDS_RESPONSE,
    DisputeStatus.UNDER_REVIEW,
)


class Dispute(StatusMachine, models.Model):
    """A chargeback on a card payment, as Stripe's charge.dispute.* events report it."""

    # Stripe decides the moves: an open dispute may go to any other state; a closed one stays closed.
    TRANSITIONS = {
        **{status: {other for other in DisputeStatus if other != status} for status in _DISPUTE_OPEN},
        **{status: set() for status in DisputeStatus if status not in _DISPUTE_OPEN},
    }

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="disputes")
    stripe_dispute_id = models.CharField(max_length=100, unique=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=32, choices=DisputeStatus.choices)
    evidence_due_by = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When a lost dispute was written into the ledger (once).
    reversed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Dispute {self.stripe_dispute_id} ({self.get_status_display()})"

    @property
    def amount_display(self) -> str:
        return money.format_money(self.amount, self.currency)

    @property
    def is_open(self) -> bool:
        return self.status in _DISPUTE_OPEN


class StripeEvent(models.Model):
    """Every verified webhook delivery, once: the unique event id makes a repeat a no-op."""

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="stripe_events")
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class InvoiceSequence(models.Model):
    """The last number used per series and year; locked while a number is taken, so numbers have no gaps."""

    series = models.CharField(max_length=8)
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="payments_invoicesequence_unique")]

    def __str__(self) -> str:
        return f"{self.series}-{self.year}: {self.last_number}"


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", "Invoice"
    CREDIT_NOTE = "credit_note", "Credit note"


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ISSUED = "issued", "Issued"
    PAID = "paid", "Paid"
    VOID = "void", "Void"


INVOICE_TRANSITIONS: dict[str, frozenset[str]] = {
    InvoiceStatus.DRAFT: frozenset({InvoiceStatus.ISSUED, InvoiceStatus.VOID}),
    InvoiceStatus.ISSUED: frozenset({InvoiceStatus.PAID, InvoiceStatus.VOID}),
    InvoiceStatus.PAID: frozenset(),
    InvoiceStatus.VOID: frozenset(),
}


class Invoice(StatusMachine, models.Model):
    """The one numbered document: an issued invoice never changes; a correction is a credit note."""

    TRANSITIONS = INVOICE_TRANSITIONS

    kind = models.CharField(max_length=12, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    status = models.CharField(max_length=8, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT)
    number = models.CharField(max_length=32, blank=True)
    series = models.CharField(max_length=8, blank=True)
    year = models.PositiveIntegerField(null=True, blank=True)
    sequence = models.PositiveIntegerField(null=True, blank=True)

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="invoices")
    credited_invoice = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="credit_notes"
    )
    refund = models.OneToOneField(Refund, on_delete=models.PROTECT, null=True, blank=True, related_name="credit_note")

    currency = models.CharField(max_length=3)
    buyer_name = models.CharField("legal name", max_length=200, validators=[validate_plain_text])
    buyer_address = models.TextField("address", blank=True)
    buyer_country = models.CharField("country", max_length=2, blank=True)
    buyer_vat_id = models.CharField("VAT ID", max_length=40, blank=True)
    buyer_po_number = models.CharField("purchase order number", max_length=60, blank=True)
    buyer_email = models.EmailField("e-mail", blank=True)
    # How the buyer's VAT number was checked (offline, or VIES with its consultation number).
    buyer_vat_check = models.CharField("VAT number check", max_length=200, blank=True)
    # The mention the tax needs (the reverse charge, a sale outside the scope of VAT).
    tax_note = models.CharField(max_length=300, blank=True)
    # Where the tax is due (the place of supply, the buyer's country for a reverse charge): for the reports.
    tax_country = models.CharField(max_length=2, blank=True)
    seller = models.JSONField(default=dict, blank=True)  # the foundation's details as they were at issue
    notes = models.TextField(blank=True)
    payment_terms_days = models.PositiveIntegerField(default=30)

    net_total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    tax_total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))

    created_at = models.DateTimeField(auto_now_add=True)
    issued_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["number"], condition=~Q(number=""), name="payments_invoice_unique_number"),
            models.UniqueConstraint(
                fields=["series", "year", "sequence"],
                condition=Q(sequence__isnull=False),
                name="payments_invoice_unique_sequence",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | ~Q(number=""), name="payments_invoice_issued_has_number"
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"Draft {self.get_kind_display().lower()} #{self.pk}"

    @property
    def is_editable(self) -> bool:
        return self.status == InvoiceStatus.DRAFT

    @property
    def total_display(self) -> str:
        return money.format_money(self.total, self.currency)

    def tax_rows(self, lines: Iterable["InvoiceLine"] | None = None) -> list[tuple[Decimal, Decimal, Decimal]]:
        """(rate, net, tax) per rate, highest first: the document's tax table (of `lines`, its lines read already)."""
        return money.tax_by_rate(
            [
                (line.tax_rate, line.net(self.currency), line.tax(self.currency))
                for line in (self.lines.all() if lines is None else lines)
            ]
        )

    def tax_table(self) -> list[dict]:
        """The tax table as pages show it: rate, net, tax and gross per rate."""
        return [{"rate": rate, "net": net, "tax": tax, "gross": net + tax} for rate, net, tax in self.tax_rows()]


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    description = models.CharField(max_length=300)
    quantity = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("1"))
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    tax_rate = models.DecimalField("tax rate (%)", max_digits=5, decimal_places=2, default=Decimal("0"))
    # The line's tax, worked out once by portal.core.money (per line or shared out per rate) and frozen.
    tax_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    # The unit price includes the tax (a ticket's price to people): the net is what remains without it.
    price_includes_tax = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description

    def amount(self, currency: str) -> Decimal:
        """Quantity × unit price, as the line shows it (with its tax when the price includes it)."""
        return money.round_money(self.quantity * self.unit_price, currency)

    def net(self, currency: str) -> Decimal:
        amount = self.amount(currency)
        return amount - self.tax_amount if self.price_includes_tax else amount

    def tax(self, currency: str) -> Decimal:
        return self.tax_amount

    def gross(self, currency: str) -> Decimal:
        return self.net(currency) + self.tax_amount
