"""Factories for the payment tests: a User stands in for the thing paid for (any model can own a payment)."""

from decimal import Decimal

import factory
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from portal.accounts.users import User
from portal.payments import invoicing, services
from portal.payments.invoicing import Line
from portal.payments.models import Invoice, Payment, PaymentMethod

BUYER = {
    "buyer_name": "Example Cloud GmbH",
    "buyer_address": "Hauptstrasse 1\n10115 Berlin",
    "buyer_country": "DE",
    "buyer_vat_id": "DE123456789",
    "buyer_po_number": "PO-2026-0042",
    "buyer_email": "ap@example-cloud.example",
}
LINES = [Line("Gold membership 2026", Decimal("10000.00"), tax_rate=Decimal("19")), Line("Setup", Decimal("50.00"))]


class OwnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"buyer{n}@example.org")


class PaymentFactory(factory.django.DjangoModelFactory):
    """A ledger row made directly (services are tested with payment_create)."""

    class Meta:
        model = Payment

    owner_object_id = factory.LazyAttribute(lambda o: str(o.owner_obj.pk))
    owner_content_type = factory.LazyAttribute(lambda o: ContentType.objects.get_for_model(o.owner_obj))
    amount = Decimal("100.00")
    currency = "EUR"
    payer_email = factory.LazyAttribute(lambda o: o.owner_obj.email)

    class Params:
        owner_obj = factory.SubFactory(OwnerFactory)


def transfer_received(payment: Payment, amount, *, reference: str, actor, **options) -> Payment:
    """Finance record a bank transfer of `amount` for the payment, received today."""
    return services.payment_mark_transfer_received(
        payment=payment,
        amount=Decimal(amount),
        received_on=timezone.localdate(),
        reference=reference,
        actor=actor,
        **options,
    )


def bank_transfer_invoiced() -> tuple[Payment, Invoice]:
    """A payment by bank transfer for BUYER's LINES (11,950.00 EUR with tax) and its issued invoice."""
    owner = OwnerFactory()
    payment = services.payment_create(
        owner=owner,
        amount=Decimal("11950.00"),
        currency="EUR",
        payer_email=owner.email,
        description="Gold membership 2026",
        method=PaymentMethod.BANK_TRANSFER,
    )
    return payment, invoicing.bank_transfer_invoice_issue(payment=payment, buyer=dict(BUYER), lines=LINES)
