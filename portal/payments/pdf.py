"""Invoice and credit-note PDFs, set with `portal.core.pdf.Document` so every name prints as typed."""

from django.utils import timezone

from portal.core import money
from portal.core.pdf import Align, Document, draw
from portal.payments.models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus

COLUMNS = (85, 15, 35, 15, 40)  # description, quantity, unit price, tax rate, amount (mm; the page has 190)
ALIGN: tuple[Align, ...] = ("L", "R", "R", "R", "R")  # figures line up on the right
TOTAL_LABEL_WIDTH = sum(COLUMNS[:-1])  # the totals' labels end where the amount column starts
PAID_GREEN = (22, 120, 60)
VOID_GREY = (120, 120, 120)


def _stamp(doc: Document, invoice: Invoice) -> None:
    """A paid or void invoice says so beside its title, in colour, and a paid one says when."""
    if invoice.status == InvoiceStatus.PAID:
        doc.colour(*PAID_GREEN)
        doc.style(14, bold=True)
        doc.line(8, "PAID")
        if invoice.paid_at:
            doc.style(10)
            doc.line(5, f"Paid on {timezone.localtime(invoice.paid_at):%d %B %Y}{_paid_by(invoice)}")
    elif invoice.status == InvoiceStatus.VOID:
        doc.colour(*VOID_GREY)
        doc.style(14, bold=True)
        doc.line(8, "VOID")
    doc.colour(0, 0, 0)


def _paid_by(invoice: Invoice) -> str:
    """How a receipt was paid, when the invoice's payment is loaded already (drawing never costs a query)."""
    if invoice.kind != InvoiceKind.INVOICE or not Invoice._meta.get_field("payment").is_cached(invoice):
        return ""
    payment = invoice.payment
    return f" by {payment.get_method_display().lower()}" if payment is not None else ""


def _taxed(invoice: Invoice, lines: list[InvoiceLine]) -> list:
    """The tax per rate, when the document carries any tax."""
    rows = invoice.tax_rows(lines)
    return rows if any(rate for rate, _net, _tax in rows) else []


def invoice_pdf(invoice: Invoice, *, compress: bool = True) -> bytes:
    """The document as the buyer receives it; the numbers are those frozen when it was issued."""
    lines = list(invoice.lines.all())  # once, for the rows and the tax table, however many times it is drawn
    return draw(lambda doc: _draw_invoice(doc, invoice, lines), page_format="A4", compress=compress)


def _draw_invoice(doc: Document, invoice: Invoice, lines: list[InvoiceLine]) -> None:
    doc.add_page()
    seller = invoice.seller or {}
    currency = invoice.currency
    title = "Credit note" if invoice.kind == InvoiceKind.CREDIT_NOTE else "Invoice"

    doc.style(18, bold=True)
    doc.line(10, f"{title} {invoice.number or '(draft)'}")
    _stamp(doc, invoice)
    doc.style(10)
    doc.paragraph(5, [seller.get("name"), seller.get("address")])
    if seller.get("vat_id"):
        doc.line(5, f"VAT ID: {seller['vat_id']}")
    doc.gap(4)

    doc.style(11, bold=True)
    doc.line(6, "Bill to")
    doc.style(10)
    doc.paragraph(5, [invoice.buyer_name, invoice.buyer_address, invoice.buyer_country])
    if invoice.buyer_vat_id:
        doc.line(5, f"VAT ID: {invoice.buyer_vat_id}")
        if invoice.buyer_vat_check:
            doc.line(5, invoice.buyer_vat_check)
    if invoice.buyer_po_number:
        doc.line(5, f"PO number: {invoice.buyer_po_number}")
    doc.gap(3)
    if invoice.issued_on:
        doc.line(5, f"Date: {invoice.issued_on:%d %B %Y}")
    if invoice.kind == InvoiceKind.INVOICE and invoice.due_on and invoice.status != InvoiceStatus.PAID:
        doc.line(5, f"Due: {invoice.due_on:%d %B %Y}")
    if invoice.credited_invoice is not None:
        doc.line(5, f"Credits invoice {invoice.credited_invoice.number}")
    doc.gap(4)

    doc.style(10, bold=True)
    top = doc.row(7, zip(COLUMNS, ("Description", "Qty", "Unit price", "Tax %", "Amount"), ALIGN, strict=True))
    doc.rule(top + 7, sum(COLUMNS))  # the headings' bottom border
    doc.style(10)
    for line in lines:
        cells = (
            line.description,
            f"{line.quantity.normalize():f}",
            money.format_money(line.unit_price, currency),
            f"{line.tax_rate.normalize():f}",
            money.format_money(line.net(currency), currency),
        )
        doc.row(7, zip(COLUMNS, cells, ALIGN, strict=True))
    doc.gap(2)
    for label, figure in (("Net", invoice.net_total), ("Tax", invoice.tax_total), ("Total", invoice.total)):
        if label == "Total":
            doc.style(10, bold=True)
        doc.row(6, ((TOTAL_LABEL_WIDTH, label, "R"), (COLUMNS[-1], money.format_money(figure, currency), "R")))
    taxed = _taxed(invoice, lines)
    if taxed:
        doc.gap(3)
        doc.style(10)
        for rate, net, tax in taxed:
            label = f"VAT {rate.normalize():f} % on {money.format_money(net, currency)}"
            doc.row(6, ((TOTAL_LABEL_WIDTH, label, "R"), (COLUMNS[-1], money.format_money(tax, currency), "R")))
    if invoice.tax_note:
        doc.gap(4)
        doc.style(10, bold=True)
        doc.wrapped(5, invoice.tax_note)
    if invoice.notes:
        doc.gap(6)
        doc.style(10)
        doc.wrapped(5, invoice.notes)
