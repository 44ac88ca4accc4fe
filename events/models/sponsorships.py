"""Sponsorship packages, sponsorships and the sponsor waiting list."""

from datetime import timedelta
from decimal import Decimal

from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from events.contract_terms import HELP_TEXT as CONTRACT_TERMS_HELP
from events.contract_terms import validate_contract_terms
from events.models.event import Event
from events.models.ticket_types import PromoCode, TicketType
from portal.core.status import StatusMachine
from portal.core.text import validate_plain_text
from portal.core.uploads import validate_logo_file
from portal.payments.models import PaymentMethod


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
    contract_terms = models.TextField(blank=True, validators=[validate_contract_terms], help_text=CONTRACT_TERMS_HELP)
    discount_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="A discount code for the sponsor's community, in percent; 0: none.",
    )
    discount_tickets = models.PositiveIntegerField(default=0, help_text="How many tickets the discount code covers.")
    asset_deadline = models.DateTimeField(
        null=True, blank=True, help_text="Logos and booth staff lists are accepted until then; empty: no deadline."
    )

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
    # Who the invoice is made out to, as the applicant gave it on the application's review page.
    billing_name = models.CharField("legal name", max_length=200, blank=True, validators=[validate_plain_text])
    billing_address = models.TextField("billing address", blank=True)
    billing_country = models.CharField("country", max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code.")
    billing_vat_number = models.CharField("VAT number", max_length=40, blank=True)
    billing_po_number = models.CharField("purchase order number", max_length=60, blank=True)

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


class SponsorshipContact(models.Model):
    """A person the events team writes to about one side of a sponsorship (any of them may be the same person)."""

    class Role(models.TextChoices):
        BILLING = "billing", "Billing"
        MARKETING = "marketing", "Marketing"
        LOGISTICS = "logistics", "Logistics"

    sponsorship = models.ForeignKey(Sponsorship, on_delete=models.CASCADE, related_name="role_contacts")
    role = models.CharField(max_length=12, choices=Role.choices)
    name = models.CharField(max_length=200, validators=[validate_plain_text])
    email = models.EmailField()

    class Meta:
        ordering = ["sponsorship", "role"]
        constraints = [
            models.UniqueConstraint(fields=["sponsorship", "role"], name="sponsorship_contact_one_per_role"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} contact: {self.name} <{self.email}>"


class SponsorRepresentationRequest(StatusMachine, models.Model):
    """Someone applies for an organisation already on the site that they do not administer: its admins (or,
    when it has none, Events staff) confirm that they represent it before the application goes in.

    The application waits here (`application`: package aside, what the review page showed); confirming
    submits it with the applicant as a contact of the sponsorship, not as an admin of the organisation."""

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        REFUSED = "refused", "Refused"

    TRANSITIONS = {
        Status.PENDING: {Status.CONFIRMED, Status.REFUSED},
        Status.CONFIRMED: set(),
        Status.REFUSED: set(),
    }

    organization = models.ForeignKey("members.Organization", on_delete=models.CASCADE, related_name="+")
    package = models.ForeignKey(SponsorshipPackage, on_delete=models.PROTECT, related_name="representation_requests")
    applicant = models.ForeignKey("portal.User", on_delete=models.CASCADE, related_name="+")
    application = models.JSONField(default=dict)
    token = models.CharField(max_length=64, unique=True)
    asked_staff = models.BooleanField(default=False, help_text="The organisation had no admins: Events staff decide.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey("portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sponsorship = models.ForeignKey(Sponsorship, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "package", "applicant"],
                condition=Q(status="pending"),
                name="sponsor_representation_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.applicant} for {self.organization}" if self.organization_id else "representation request"
