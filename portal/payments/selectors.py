"""Reads of the payment ledger, shaped for their pages."""

import functools
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import F, Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from wagtail.models import ModelLogEntry

from portal.core.joined import raw_list
from portal.core.tax import REVERSE_CHARGE_NOTE
from portal.payments.models import (
    OPEN_STATUSES,
    PAID_STATUSES,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    PayerReturn,
    Payment,
    PaymentMethod,
    PaymentStatus,
)


def payment_for_payer(public_id: str) -> Payment:
    """The pay page's payment: the unguessable id is the permission (404 otherwise)."""

    # No join for the owner's content type: the payer's pages never show it, and the owner is
    # looked up through Django's content-type cache.
    return get_object_or_404(Payment, public_id=public_id)


def payments_that_paid_the_owner(content_type_id, object_id) -> QuerySet[Payment]:
    """Payments that paid an owner (not duplicates or refused money); the arguments may be OuterRefs."""
    return Payment.objects.filter(
        owner_content_type_id=content_type_id,
        owner_object_id=object_id,
        status__in=PAID_STATUSES,
        is_duplicate=False,
        refused_reason="",
    )


def _column(name: str) -> str:
    field = Payment._meta.get_field(name)
    return connection.ops.quote_name(str(getattr(field, "column", name)))


def _paid_by_another(owner_type: str, owner_id: str, not_id: str) -> str:
    """payments_that_paid_the_owner less one payment, as SQL: `other` rows paying the owner given by the
    three SQL expressions; its values (the paid statuses, not a duplicate, not refused) as parameters."""
    statuses = ", ".join(["%s"] * len(PAID_STATUSES))
    return (
        f"SELECT 1 FROM {connection.ops.quote_name(Payment._meta.db_table)} other"  # noqa: S608
        f" WHERE other.{_column('owner_content_type')} = {owner_type} AND other.{_column('owner_object_id')} = {owner_id}"
        f" AND other.{_column('status')} IN ({statuses}) AND other.{_column('is_duplicate')} = %s"
        f" AND other.{_column('refused_reason')} = %s AND other.{_column('id')} <> {not_id}"
    )


_PAID_BY_ANOTHER_PARAMS: list[Any] = [*sorted(PAID_STATUSES), False, ""]


@functools.cache
def _paid_by_another_sql() -> str:
    return _paid_by_another("%s", "%s", "%s") + " LIMIT 1"


@functools.cache
def _pay_page_sql() -> str:
    owner = (f"p.{_column('owner_content_type')}", f"p.{_column('owner_object_id')}", f"p.{_column('id')}")
    return (
        f"SELECT p.*, EXISTS({_paid_by_another(*owner)}) AS paid_by_another"  # noqa: S608
        f" FROM {connection.ops.quote_name(Payment._meta.db_table)} p WHERE p.{_column('public_id')} = %s"
    )


def owner_paid_by_another(payment: Payment) -> bool:
    """Whether a payment other than `payment` paid its owner (payments_that_paid_the_owner). Asked by the
    card payment and its success; written out, since compiling the ORM's query cost five times what
    running it does (tests/payments/test_paid_by_another.py keeps the two equal)."""
    params: list[Any] = [payment.owner_content_type_id, str(payment.owner_object_id)]
    params += [*_PAID_BY_ANOTHER_PARAMS, payment.pk]
    with connection.cursor() as cursor:
        cursor.execute(_paid_by_another_sql(), params)
        return cursor.fetchone() is not None


def payment_for_pay_page(public_id: str) -> Payment:
    """payment_for_payer, knowing in the same statement whether another payment already paid its owner (the
    page's refusal asks; the card payment asks again under the lock). Written out: the ORM's Exists
    annotation took 1.65 ms of CPU to compile, against 0.4 ms for the payment alone."""
    found = raw_list(Payment, _pay_page_sql(), [*_PAID_BY_ANOTHER_PARAMS, public_id])
    if not found:
        raise Http404("No payment here")
    payment = found[0]
    payment._paid_by_another = bool(payment.paid_by_another)  # type: ignore[attr-defined]
    return payment


def replacement_for_payer(payment: Payment) -> dict | None:
    """For a replaced payment's page: the invoice it was for, and the payment (and invoice) that replace it."""
    if payment.replaced_at is None:
        return None
    new = payment.replaced_by
    return {
        "old_invoice": invoice_for_payment(payment),
        "payment": new,
        "invoice": invoice_for_payment(new) if new is not None else None,
    }


def payments_to_reconcile(*, before: datetime) -> QuerySet[Payment]:
    """Card payments still open at Stripe that have not moved since `before`."""
    return (
        Payment.objects.filter(
            method=PaymentMethod.CARD,
            status__in=[PaymentStatus.PROCESSING, PaymentStatus.REQUIRES_ACTION, PaymentStatus.CREATED],
            updated_at__lt=before,
            held_reason="",  # Finance decide on a held payment; re-reading it changes nothing
        )
        .exclude(stripe_payment_intent_id="")
        .order_by("updated_at")
    )


def payments_for_owner(owner) -> QuerySet[Payment]:
    """All attempts to pay for one thing, newest first."""

    return Payment.objects.filter(
        owner_content_type=ContentType.objects.get_for_model(owner, for_concrete_model=False),
        owner_object_id=str(owner.pk),
    ).order_by("-created_at", "-id")


def latest_payments_for_owners(owners) -> dict:
    """{str(owner's pk): its newest payment} for owners of one model, in one query; each payment's `issued_invoices`
    are its numbered invoices, newest first (the transfer instructions live on them)."""

    owners = list(owners)
    if not owners:
        return {}
    invoices = Invoice.objects.filter(kind=InvoiceKind.INVOICE).exclude(number="").order_by("-created_at")
    payments = (
        Payment.objects.filter(
            owner_content_type=ContentType.objects.get_for_model(owners[0], for_concrete_model=False),
            owner_object_id__in=[str(owner.pk) for owner in owners],
        )
        .prefetch_related(Prefetch("invoices", queryset=invoices, to_attr="issued_invoices"))
        .order_by("created_at", "id")
    )
    return {payment.owner_object_id: payment for payment in payments}  # the newest wins


__all__ = [
    "OPEN_STATUSES",
    "latest_payments_for_owners",
    "owner_paid_by_another",
    "payment_for_pay_page",
    "payment_for_payer",
    "payments_that_paid_the_owner",
    "payments_for_owner",
    "payments_to_reconcile",
]


FINANCE_GROUP = "Finance"


def user_is_finance(user) -> bool:
    """The finance screens are for the Finance group (and superusers)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name=FINANCE_GROUP).exists()


def payments_for_finance() -> QuerySet[Payment]:
    return Payment.objects.select_related("owner_content_type").order_by("-created_at", "-id")


def payment_for_finance(pk: int) -> Payment:

    return get_object_or_404(
        Payment.objects.select_related("owner_content_type").prefetch_related(
            "refunds__created_by", "stripe_events", "invoices", "disputes", "payer_returns__done_by"
        ),
        pk=pk,
    )


def payment_audit_trail(payment: Payment):

    return (
        ModelLogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Payment), object_id=str(payment.pk))
        .select_related("user")
        .order_by("-timestamp", "-id")
    )


def invoices_for_finance():

    return Invoice.objects.select_related("payment", "credited_invoice").order_by("-created_at", "-id")


def invoice_for_finance(pk: int):

    return get_object_or_404(
        Invoice.objects.select_related("payment", "credited_invoice").prefetch_related("lines", "credit_notes"),
        pk=pk,
    )


def invoice_number_for_payment(payment: Payment) -> str:
    """The number of the payment's latest issued invoice, or "" (the return page links to it)."""

    invoices = Invoice.objects.filter(payment=payment, kind=InvoiceKind.INVOICE).exclude(number="")
    return invoices.order_by("-created_at").values_list("number", flat=True).first() or ""


def invoice_for_payment(payment: Payment, *, with_lines: bool = False):
    """The payment's latest issued invoice, if it has one (bank transfers show its instructions)."""

    invoices = Invoice.objects.filter(payment=payment, kind=InvoiceKind.INVOICE).exclude(number="")
    if with_lines:
        invoices = invoices.prefetch_related("lines")
    invoice = invoices.order_by("-created_at").first()
    if invoice is not None:
        Invoice._meta.get_field("payment").set_cached_value(invoice, payment)  # the receipt says how it was paid
    return invoice


def payer_returns_for_finance():
    """Money to send back by transfer, the open ones first (oldest first), then the done ones."""

    return PayerReturn.objects.select_related("payment", "done_by").order_by(
        F("done_at").desc(nulls_first=True), "created_at", "id"
    )


def payer_return_for_finance(pk: int):

    return get_object_or_404(PayerReturn.objects.select_related("payment"), pk=pk)


def _taxed_documents(*, start, end):
    """Issued invoices and credit notes of a period (not void), with their lines: what tax reports add up."""
    return (
        Invoice.objects.exclude(number="")
        .exclude(status=InvoiceStatus.VOID)
        .filter(issued_on__gte=start, issued_on__lte=end)
        .prefetch_related("lines")
        .order_by("series", "year", "sequence")
    )


def tax_collected(*, start, end) -> list[dict]:
    """Tax per country where it is due, rate and currency over a period: invoices less credit notes."""
    totals: dict[tuple[str, Decimal, str], dict] = {}
    for invoice in _taxed_documents(start=start, end=end):
        sign = -1 if invoice.kind == InvoiceKind.CREDIT_NOTE else 1
        for rate, net, tax in invoice.tax_rows():
            key = (invoice.tax_country, rate, invoice.currency)
            row = totals.setdefault(
                key, {"country": key[0], "rate": rate, "currency": key[2], "net": Decimal("0"), "tax": Decimal("0")}
            )
            row["net"] += sign * net
            row["tax"] += sign * tax
    return [totals[key] for key in sorted(totals, key=lambda k: (k[0], -k[1], k[2]))]


def reverse_charged_sales(*, start, end) -> list[dict]:
    """Reverse-charged sales per buyer country and VAT number (an EC Sales List): net, less credit notes."""
    totals: dict[tuple[str, str, str], dict] = {}
    for invoice in _taxed_documents(start=start, end=end).filter(tax_note=REVERSE_CHARGE_NOTE):
        sign = -1 if invoice.kind == InvoiceKind.CREDIT_NOTE else 1
        key = (invoice.tax_country, invoice.buyer_vat_id, invoice.currency)
        row = totals.setdefault(
            key,
            {"country": key[0], "vat_id": key[1], "buyer": invoice.buyer_name, "currency": key[2], "net": Decimal("0")},
        )
        row["net"] += sign * invoice.net_total
    return [totals[key] for key in sorted(totals)]
