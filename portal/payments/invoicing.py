"""Invoices and credit notes: services for the one numbered document (kept apart from services.py for size).

Numbers are taken under a row lock on the year's sequence, inside the transaction that issues the
document, so a rolled-back issue leaves no gap and two issues at once never share a number.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from portal.core import money
from portal.core.audit import audit
from portal.core.exceptions import InvalidTransition
from portal.core.joined import keep_prefetched
from portal.payments import emails
from portal.payments.exceptions import PaymentError
from portal.payments.models import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceSequence,
    InvoiceStatus,
    Payment,
    PaymentMethod,
    Refund,
)

SERIES = {InvoiceKind.INVOICE: "INV", InvoiceKind.CREDIT_NOTE: "CN"}
BUYER_FIELDS = (
    "buyer_name",
    "buyer_address",
    "buyer_country",
    "buyer_vat_id",
    "buyer_po_number",
    "buyer_email",
    "buyer_vat_check",
)


class InvoiceNotEditable(InvalidTransition):
    code = "invoice_not_editable"


@dataclass(frozen=True)
class Line:
    description: str
    unit_price: Decimal
    quantity: Decimal = Decimal("1")
    tax_rate: Decimal = Decimal("0")
    # The unit price includes the tax (split out of it), else the tax is added on top.
    price_includes_tax: bool = False
    # The line's tax as the owner already stated it (an order's page): kept as is, so the invoice says
    # exactly what the buyer was shown. None: worked out here, rounded as TAX_ROUNDING says.
    tax: Decimal | None = None


def _lock(invoice_pk: int) -> Invoice:
    return Invoice.objects.select_for_update().get(pk=invoice_pk)


def _next_number(series: str, year: int) -> tuple[int, str]:
    """The next number of a series in a year, under a lock on its sequence row (no gap, no duplicate)."""
    # One statement takes the number and locks the row until the commit (the ORM would need a locked
    # read, then a write). The year's first invoice creates the row: a concurrent creator's insert
    # fails on the unique key, and the update then waits for the winner's lock.
    number = _take_number(series, year)
    if number is None:
        try:
            with transaction.atomic():
                InvoiceSequence.objects.create(series=series, year=year, last_number=1)
            number = 1
        except IntegrityError:
            number = _take_number(series, year)
            if number is None:  # pragma: no cover - the row the insert collided with is gone
                raise
    return number, f"{series}-{year}-{number:05d}"


def _take_number(series: str, year: int) -> int | None:
    table = connection.ops.quote_name(InvoiceSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_number = last_number + 1 WHERE series = %s AND year = %s "  # noqa: S608
            "RETURNING last_number",
            [series, year],
        )
        row = cursor.fetchone()
    return None if row is None else row[0]


def _two_places(value) -> Decimal:
    """Quantities and tax rates are stored with two decimals (not money: no currency decides them)."""
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _totals(invoice: Invoice) -> tuple[Decimal, Decimal]:
    lines = list(invoice.lines.all())
    net = sum((line.net(invoice.currency) for line in lines), Decimal("0"))
    tax = sum((line.tax(invoice.currency) for line in lines), Decimal("0"))
    return net, tax


def _line_amount(line: Line, currency: str) -> Decimal:
    """Quantity × unit price as the stored line will compute it (InvoiceLine.amount)."""
    unit_price = money.round_money(Decimal(line.unit_price), currency)
    return money.round_money(_two_places(line.quantity) * unit_price, currency)


def line_taxes(lines: list[Line], currency: str) -> list[Decimal]:
    """Each line's tax: as stated by its owner, else through portal.core.money with the configured rounding."""
    worked = money.tax_lines(
        [
            (
                _line_amount(line, currency),
                _two_places(line.tax_rate),
                line.price_includes_tax,
            )
            for line in lines
        ],
        currency,
        rounding=settings.TAX_ROUNDING,
    )
    return [
        money.round_money(line.tax, currency) if line.tax is not None else tax
        for line, (_net, tax) in zip(lines, worked, strict=True)
    ]


def lines_totals(lines: list[Line], currency: str) -> tuple[Decimal, Decimal, Decimal]:
    """(net, tax, gross) of lines as an invoice of them will state them: the amount to ask the payer for."""
    currency = money.normalise_currency(currency)
    taxes = line_taxes(lines, currency)
    net = Decimal("0")
    for line, tax in zip(lines, taxes, strict=True):
        amount = _line_amount(line, currency)
        net += amount - tax if line.price_includes_tax else amount
    tax_total = sum(taxes, Decimal("0"))
    return net, tax_total, net + tax_total


def _draft(
    *,
    currency: str,
    buyer: dict,
    lines: list[Line],
    payment: Payment | None,
    payment_terms_days: int,
    notes: str,
    tax_note: str = "",
    tax_country: str = "",
) -> tuple[Invoice, list[InvoiceLine]]:
    """An unsaved draft and its lines, checked, with the totals the database will store."""
    if not lines:
        raise PaymentError("An invoice needs at least one line.")
    unknown = set(buyer) - set(BUYER_FIELDS)
    if unknown:
        raise ValueError(f"Unknown buyer fields: {sorted(unknown)}")
    if not (buyer.get("buyer_name") or "").strip():
        raise PaymentError("The buyer's legal name is required.")
    currency = money.normalise_currency(currency)
    rows = [
        InvoiceLine(
            position=n,
            description=line.description[:300],
            quantity=_two_places(line.quantity),
            unit_price=money.round_money(Decimal(line.unit_price), currency),
            tax_rate=_two_places(line.tax_rate),
            tax_amount=tax,
            price_includes_tax=line.price_includes_tax,
        )
        for n, (line, tax) in enumerate(zip(lines, line_taxes(lines, currency), strict=True))
    ]
    # The totals from the lines as they will be stored (two places, as the database rounds them).
    net = sum((row.net(currency) for row in rows), Decimal("0"))
    tax = sum((row.tax(currency) for row in rows), Decimal("0"))
    invoice = Invoice(
        currency=currency,
        payment=payment,
        payment_terms_days=payment_terms_days,
        notes=notes,
        tax_note=tax_note[:300],
        tax_country=tax_country,
        net_total=net,
        tax_total=tax,
        total=net + tax,
        **buyer,
    )
    return invoice, rows


def _insert(invoice: Invoice, rows: list[InvoiceLine]) -> None:
    invoice.save(force_insert=True)
    for row in rows:
        row.invoice = invoice
    InvoiceLine.objects.bulk_create(rows)
    _keep_lines(invoice, rows)


def _keep_lines(invoice: Invoice, rows: list[InvoiceLine]) -> None:
    """The lines just written are the invoice's lines: its PDF reads them without a query."""
    keep_prefetched(invoice, "lines", sorted(rows, key=lambda row: row.position))


def invoice_create(
    *,
    currency: str,
    buyer: dict,
    lines: list[Line],
    payment: Payment | None = None,
    payment_terms_days: int = 30,
    notes: str = "",
    tax_note: str = "",
    tax_country: str = "",
    actor=None,
) -> Invoice:
    """A draft invoice; the buyer's details stay editable until it is issued."""
    invoice, rows = _draft(
        currency=currency,
        buyer=buyer,
        lines=lines,
        payment=payment,
        payment_terms_days=payment_terms_days,
        notes=notes,
        tax_note=tax_note,
        tax_country=tax_country,
    )
    with transaction.atomic():
        _insert(invoice, rows)
        audit("guildhall.invoice.create", invoice, actor=actor, data={"total": str(invoice.total)})
    return invoice


def invoice_issue_paid(
    *,
    currency: str,
    buyer: dict,
    lines: list[Line],
    payment: Payment,
    notes: str = "",
    tax_note: str = "",
    tax_country: str = "",
    actor=None,
) -> Invoice:
    """The invoice of a payment that has already succeeded: created, issued and paid in one step.

    The same document and history (create, issue and paid entries) as invoice_create → invoice_issue
    → invoice_mark_paid, in one insert instead of three passes through a draft.
    """
    invoice, rows = _draft(
        currency=currency,
        buyer=buyer,
        lines=lines,
        payment=payment,
        payment_terms_days=0,
        notes=notes,
        tax_note=tax_note,
        tax_country=tax_country,
    )
    # Called inside the receipt's transaction: a failure here fails it all, so no savepoint (two round trips).
    with transaction.atomic(savepoint=False):
        today = timezone.localdate()
        series = SERIES[InvoiceKind.INVOICE]
        invoice.sequence, invoice.number = _next_number(series, today.year)
        invoice.series, invoice.year = series, today.year
        invoice.seller = dict(settings.INVOICE_SELLER)
        invoice.issued_on = invoice.due_on = today
        invoice.move_to(InvoiceStatus.ISSUED)
        invoice.move_to(InvoiceStatus.PAID)
        invoice.paid_at = timezone.now()
        _insert(invoice, rows)
        audit("guildhall.invoice.create", invoice, actor=actor, data={"total": str(invoice.total)})
        audit("guildhall.invoice.issue", invoice, actor=actor, data={"number": invoice.number})
        audit("guildhall.invoice.paid", invoice, actor=actor)
    return invoice


def invoice_update_buyer(*, invoice: Invoice, actor=None, **buyer) -> Invoice:
    """Legal name, address, VAT ID and PO number can change until the invoice is issued, never after."""
    unknown = set(buyer) - set(BUYER_FIELDS)
    if unknown:
        raise ValueError(f"Unknown buyer fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = _lock(invoice.pk)
        if not locked.is_editable:
            raise InvoiceNotEditable("An issued invoice cannot be changed: issue a credit note instead.")
        for name, value in buyer.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(buyer))
        audit("guildhall.invoice.update", locked, actor=actor, data={k: str(v) for k, v in buyer.items()})
    return locked


def invoice_issue(*, invoice: Invoice, actor=None) -> Invoice:
    """Give the draft its number (gap-free, per year), freeze its totals and the seller's details."""
    with transaction.atomic():
        locked = _lock(invoice.pk)
        if not locked.can_move_to(InvoiceStatus.ISSUED):
            raise InvoiceNotEditable(f"A {locked.get_status_display().lower()} invoice cannot be issued.")
        today = timezone.localdate()
        series = SERIES[InvoiceKind(locked.kind)]
        locked.sequence, locked.number = _next_number(series, today.year)
        locked.series, locked.year = series, today.year
        net, tax = _totals(locked)
        locked.net_total, locked.tax_total, locked.total = net, tax, net + tax
        locked.seller = dict(settings.INVOICE_SELLER)
        locked.issued_on = today
        locked.due_on = today + timedelta(days=locked.payment_terms_days)
        locked.move_to(InvoiceStatus.ISSUED)
        locked.save()
        audit("guildhall.invoice.issue", locked, actor=actor, data={"number": locked.number})
    return locked


def invoice_mark_paid(*, invoice: Invoice, actor=None) -> Invoice:
    with transaction.atomic():
        locked = _lock(invoice.pk)
        if locked.status == InvoiceStatus.PAID:
            return locked
        if not locked.can_move_to(InvoiceStatus.PAID):
            raise InvoiceNotEditable(f"A {locked.get_status_display().lower()} invoice cannot be paid.")
        locked.move_to(InvoiceStatus.PAID)
        locked.paid_at = timezone.now()
        locked.save(update_fields=["status", "paid_at"])
        audit("guildhall.invoice.paid", locked, actor=actor)
    return locked


def invoice_void(*, invoice: Invoice, actor=None) -> Invoice:
    """Only an unpaid invoice can be voided; its number stays used (no gap)."""
    with transaction.atomic():
        locked = _lock(invoice.pk)
        if not locked.can_move_to(InvoiceStatus.VOID):
            raise InvoiceNotEditable(f"A {locked.get_status_display().lower()} invoice cannot be voided.")
        if locked.payment is not None and locked.payment.is_paid:
            raise InvoiceNotEditable("This invoice has been paid: refund it instead.")
        locked.move_to(InvoiceStatus.VOID)
        locked.voided_at = timezone.now()
        locked.save(update_fields=["status", "voided_at"])
        audit("guildhall.invoice.void", locked, actor=actor)
    return locked


def credit_note_issue(
    *, invoice: Invoice, amount: Decimal, reason: str, refund: Refund | None = None, actor=None
) -> Invoice:
    """A correction of an issued invoice: its own number in the CN series, referencing the invoice."""
    if invoice.status not in (InvoiceStatus.ISSUED, InvoiceStatus.PAID) or invoice.kind != InvoiceKind.INVOICE:
        raise InvoiceNotEditable("Only an issued invoice can be credited.")
    if amount <= 0:
        raise PaymentError("A credit note must be for more than zero.")
    credited = sum((note.total for note in invoice.credit_notes.exclude(status=InvoiceStatus.VOID)), Decimal("0"))
    if amount > invoice.total - credited:
        remaining = money.format_money(invoice.total - credited, invoice.currency)
        raise PaymentError(f"At most {remaining} can still be credited on {invoice.number}.")
    with transaction.atomic():
        note = Invoice.objects.create(
            kind=InvoiceKind.CREDIT_NOTE,
            credited_invoice=invoice,
            payment=invoice.payment,
            refund=refund,
            currency=invoice.currency,
            notes=reason,
            tax_note=invoice.tax_note,
            tax_country=invoice.tax_country,
            payment_terms_days=0,
            **{name: getattr(invoice, name) for name in BUYER_FIELDS},
        )
        InvoiceLine.objects.bulk_create(_credit_lines(invoice=invoice, note=note, amount=amount, reason=reason))
        audit("guildhall.invoice.create", note, actor=actor, data={"credits": invoice.number, "total": str(amount)})
        note = invoice_issue(invoice=note, actor=actor)
        # A credit note settles itself: nothing is due on it.
        note.move_to(InvoiceStatus.PAID)
        note.paid_at = timezone.now()
        note.save(update_fields=["status", "paid_at"])
    return note


def _credit_lines(*, invoice: Invoice, note: Invoice, amount: Decimal, reason: str) -> list[InvoiceLine]:
    """The credit's lines: the amount shared over the invoice's rates by what each still has to credit,
    each taking back its share of that rate's tax (all of what is left of it when the rest is credited)."""
    currency = invoice.currency
    left: dict[Decimal, tuple[Decimal, Decimal]] = {rate: (net + tax, tax) for rate, net, tax in invoice.tax_rows()}
    for earlier in invoice.credit_notes.exclude(status=InvoiceStatus.VOID).exclude(pk=note.pk):
        for rate, net, tax in earlier.tax_rows():
            gross, taxed = left.get(rate, (Decimal("0"), Decimal("0")))
            left[rate] = (gross - net - tax, taxed - tax)
    rates = [rate for rate, (gross, _tax) in left.items() if gross > 0]
    rows = []
    shares = money.allocate(amount, [left[rate][0] for rate in rates], currency)
    for position, (rate, share) in enumerate(zip(rates, shares, strict=True)):
        if not share:
            continue
        gross, taxed = left[rate]
        tax = taxed if share == gross else money.round_money(taxed * share / gross, currency)
        label = f" ({rate.normalize():f} % VAT)" if len(rates) > 1 else ""
        rows.append(
            InvoiceLine(
                invoice=note,
                position=position,
                description=f"Credit on invoice {invoice.number}: {reason}{label}"[:300],
                unit_price=share - tax,
                tax_rate=rate,
                tax_amount=tax,
            )
        )
    return rows


def bank_transfer_invoice_issue(
    *,
    payment: Payment,
    buyer: dict,
    lines: list[Line],
    payment_terms_days: int = 30,
    tax_note: str = "",
    tax_country: str = "",
    actor=None,
) -> Invoice:
    """A bank-transfer payment gets an issued invoice with the payment instructions, e-mailed to the payer."""
    if payment.method != PaymentMethod.BANK_TRANSFER:
        raise PaymentError("Only a bank-transfer payment is invoiced with transfer instructions.")
    seller = settings.INVOICE_SELLER
    with transaction.atomic():
        invoice = invoice_create(
            currency=payment.currency,
            buyer={"buyer_email": payment.payer_email, **buyer},
            lines=lines,
            payment=payment,
            payment_terms_days=payment_terms_days,
            tax_note=tax_note,
            tax_country=tax_country,
            actor=actor,
        )
        if invoice.total != payment.amount:
            raise PaymentError("The invoice's total must equal the payment's amount.")
        invoice = invoice_issue(invoice=invoice, actor=actor)
        invoice.notes = (
            f"Please transfer {invoice.total_display} to {seller['name']}, {seller['bank_name']}, "
            f"IBAN {seller['iban']}, BIC {seller['bic']}, quoting {invoice.number} by {invoice.due_on:%d %B %Y}."
        )
        invoice.save(update_fields=["notes"])

        emails.send_invoice(invoice=invoice)
    return invoice


def invoices_paid_for_payment(*, payment: Payment) -> list[Invoice]:
    """When a payment succeeds, its issued invoices are paid. Returns all its paid invoices, for the
    receipt that carries them (`payment.invoices` may be prefetched: one query at most)."""
    paid = []
    for invoice in payment.invoices.all():
        if invoice.kind != InvoiceKind.INVOICE:
            continue
        if invoice.status == InvoiceStatus.ISSUED:
            invoice = invoice_mark_paid(invoice=invoice)
        if invoice.status == InvoiceStatus.PAID:
            paid.append(invoice)
    return paid


def invoice_mark_reminded(*, invoice: Invoice) -> None:
    """An owner that reminds of its own invoices (membership renewals) records it: the generic reminder
    below then leaves the invoice alone instead of repeating it."""
    Invoice.objects.filter(pk=invoice.pk, reminded_at__isnull=True).update(reminded_at=timezone.now())


def invoice_reminders_send(*, today: date | None = None) -> int:
    """Remind once, a few days before the due date, of each issued invoice still unpaid."""

    today = today or timezone.localdate()
    horizon = today + timedelta(days=settings.INVOICE_REMINDER_DAYS_BEFORE_DUE)
    sent = 0
    for pk in Invoice.objects.filter(
        kind=InvoiceKind.INVOICE, status=InvoiceStatus.ISSUED, reminded_at__isnull=True, due_on__lte=horizon
    ).values_list("pk", flat=True):
        with transaction.atomic():
            invoice = _lock(pk)
            if invoice.reminded_at or invoice.status != InvoiceStatus.ISSUED:
                continue
            invoice.reminded_at = timezone.now()
            invoice.save(update_fields=["reminded_at"])
            emails.send_invoice_reminder(invoice=invoice)
            sent += 1
    return sent
