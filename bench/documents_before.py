"""The documents as they were drawn before they were made cheaper, kept as the benchmark's baseline.

bench/documents.py times these against the code in events/emails.py and portal/payments/pdf.py in
the same run. Frozen copies: do not fix or improve them (the invoice's VAT ID and PO number after the
buyer's address start at the right margin and run off the page, which the new code fixes).
"""

import io

import segno
from fpdf import FPDF

from events.emails import QR_MASK
from portal import money
from portal.payments.models import Invoice, InvoiceKind


def ticket_qr_png(code: str, *, scale: int = 6) -> bytes:
    return qr_png(segno.make(code, error="m", mask=QR_MASK), scale=scale)


def qr_png(qr: segno.QRCode, *, scale: int) -> bytes:
    """segno's own PNG writer, pure Python."""
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


def _text(value: object) -> str:
    return str(value or "").encode("latin-1", "replace").decode("latin-1")


def invoice_pdf(invoice: Invoice, *, compress: bool = True) -> bytes:
    """The document as the buyer receives it; the numbers are those frozen when it was issued."""
    pdf = FPDF(format="A4")
    pdf.set_compression(compress)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    seller = invoice.seller or {}
    currency = invoice.currency
    title = "Credit note" if invoice.kind == InvoiceKind.CREDIT_NOTE else "Invoice"

    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 10, _text(f"{title} {invoice.number or '(draft)'}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    pdf.multi_cell(0, 5, _text("\n".join(filter(None, [seller.get("name"), seller.get("address")]))))
    if seller.get("vat_id"):
        pdf.cell(0, 5, _text(f"VAT ID: {seller['vat_id']}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 6, "Bill to", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    buyer = [invoice.buyer_name, invoice.buyer_address, invoice.buyer_country]
    pdf.multi_cell(0, 5, _text("\n".join(filter(None, buyer))))
    if invoice.buyer_vat_id:
        pdf.cell(0, 5, _text(f"VAT ID: {invoice.buyer_vat_id}"), new_x="LMARGIN", new_y="NEXT")
    if invoice.buyer_po_number:
        pdf.cell(0, 5, _text(f"PO number: {invoice.buyer_po_number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    if invoice.issued_on:
        pdf.cell(0, 5, _text(f"Date: {invoice.issued_on:%d %B %Y}"), new_x="LMARGIN", new_y="NEXT")
    if invoice.kind == InvoiceKind.INVOICE and invoice.due_on:
        pdf.cell(0, 5, _text(f"Due: {invoice.due_on:%d %B %Y}"), new_x="LMARGIN", new_y="NEXT")
    if invoice.credited_invoice is not None:
        pdf.cell(0, 5, _text(f"Credits invoice {invoice.credited_invoice.number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    widths = (90, 20, 30, 20, 30)
    pdf.set_font("Helvetica", "B", 10)
    for width, heading in zip(widths, ("Description", "Qty", "Unit price", "Tax %", "Amount"), strict=True):
        pdf.cell(width, 7, heading, border="B")
    pdf.ln()
    pdf.set_font("Helvetica", size=10)
    for line in invoice.lines.all():
        cells = (
            line.description[:60],
            f"{line.quantity.normalize():f}",
            money.format_money(line.unit_price, currency),
            f"{line.tax_rate.normalize():f}",
            money.format_money(line.net(currency), currency),
        )
        for width, value in zip(widths, cells, strict=True):
            pdf.cell(width, 7, _text(value))
        pdf.ln()
    pdf.ln(2)
    for label, figure in (("Net", invoice.net_total), ("Tax", invoice.tax_total), ("Total", invoice.total)):
        pdf.set_font("Helvetica", "B" if label == "Total" else "", 10)
        pdf.cell(160, 6, label, align="R")
        pdf.cell(30, 6, _text(money.format_money(figure, currency)), new_x="LMARGIN", new_y="NEXT")
    if invoice.notes:
        pdf.ln(6)
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(0, 5, _text(invoice.notes))
    return bytes(pdf.output())
