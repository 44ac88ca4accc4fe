"""Invoice and credit-note PDFs with fpdf2 (pure Python, no system libraries).

One is drawn for every paid order, so one-line text goes through `FPDF.text`, at the very place
where `FPDF.cell` puts it: a cell splits its text into styled fragments, copies the graphics state
and measures the text before it writes the same operators. Only a line wider than the page goes
through `multi_cell`, whose line breaking measures the text again for every character. In a one-line
invoice, cells took a third of the time and multi_cell nearly half."""

from collections.abc import Iterable

from fpdf import FPDF

from portal.core import money
from portal.payments.models import Invoice, InvoiceKind

COLUMNS = (90, 20, 30, 20, 30)  # description, quantity, unit price, tax rate, amount (mm)
TOTAL_LABEL_WIDTH = 160  # the totals' labels end where the amount column starts


def _text(value: object) -> str:
    # The core PDF fonts speak Latin-1; anything else is shown as '?' rather than failing.
    return str(value or "").encode("latin-1", "replace").decode("latin-1")


def _row(pdf: FPDF, height: float, cells: Iterable[tuple[float, str, str]]) -> float:
    """One line of (width, text, "L" or "R") cells from the left margin; returns where its top was."""
    if pdf.will_page_break(height):
        pdf.add_page()
    top = pdf.get_y()
    # FPDF.cell's placement: the padding inside the cell, the text centred on its height.
    baseline = top + 0.5 * height + 0.3 * pdf.font_size
    x = pdf.l_margin
    for width, text, align in cells:
        if text:
            left = x + width - pdf.c_margin - pdf.get_string_width(text) if align == "R" else x + pdf.c_margin
            pdf.text(left, baseline, text)
        x += width
    pdf.set_y(top + height)
    return top


def _line(pdf: FPDF, height: float, text: str) -> None:
    _row(pdf, height, ((0, text, "L"),))


def _paragraph(pdf: FPDF, height: float, lines: Iterable[str | None]) -> None:
    """The given lines (empty ones left out), each wrapped only if it is wider than the page."""
    room = pdf.epw - 2 * pdf.c_margin
    for given in filter(None, lines):
        for line in _text(given).splitlines():
            if pdf.get_string_width(line) <= room:
                _line(pdf, height, line)
            else:
                pdf.multi_cell(0, height, line, new_x="LMARGIN", new_y="NEXT")


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
    _line(pdf, 10, _text(f"{title} {invoice.number or '(draft)'}"))
    pdf.set_font("Helvetica", size=10)
    _paragraph(pdf, 5, [seller.get("name"), seller.get("address")])
    if seller.get("vat_id"):
        _line(pdf, 5, _text(f"VAT ID: {seller['vat_id']}"))
    pdf.ln(4)

    pdf.set_font("Helvetica", "B", 11)
    _line(pdf, 6, "Bill to")
    pdf.set_font("Helvetica", size=10)
    _paragraph(pdf, 5, [invoice.buyer_name, invoice.buyer_address, invoice.buyer_country])
    if invoice.buyer_vat_id:
        _line(pdf, 5, _text(f"VAT ID: {invoice.buyer_vat_id}"))
    if invoice.buyer_po_number:
        _line(pdf, 5, _text(f"PO number: {invoice.buyer_po_number}"))
    pdf.ln(3)
    if invoice.issued_on:
        _line(pdf, 5, _text(f"Date: {invoice.issued_on:%d %B %Y}"))
    if invoice.kind == InvoiceKind.INVOICE and invoice.due_on:
        _line(pdf, 5, _text(f"Due: {invoice.due_on:%d %B %Y}"))
    if invoice.credited_invoice is not None:
        _line(pdf, 5, _text(f"Credits invoice {invoice.credited_invoice.number}"))
    pdf.ln(4)

    pdf.set_font("Helvetica", "B", 10)
    top = _row(pdf, 7, zip(COLUMNS, ("Description", "Qty", "Unit price", "Tax %", "Amount"), "LLLLL", strict=True))
    pdf.line(pdf.l_margin, top + 7, pdf.l_margin + sum(COLUMNS), top + 7)  # the headings' bottom border
    pdf.set_font("Helvetica", size=10)
    for line in invoice.lines.all():
        cells = (
            line.description[:60],
            f"{line.quantity.normalize():f}",
            money.format_money(line.unit_price, currency),
            f"{line.tax_rate.normalize():f}",
            money.format_money(line.net(currency), currency),
        )
        _row(pdf, 7, zip(COLUMNS, map(_text, cells), "LLLLL", strict=True))
    pdf.ln(2)
    for label, figure in (("Net", invoice.net_total), ("Tax", invoice.tax_total), ("Total", invoice.total)):
        if label == "Total":
            pdf.set_font("Helvetica", "B", 10)
        amount = _text(money.format_money(figure, currency))
        _row(pdf, 6, ((TOTAL_LABEL_WIDTH, label, "R"), (COLUMNS[-1], amount, "L")))
    if invoice.notes:
        pdf.ln(6)
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(0, 5, _text(invoice.notes))
    return bytes(pdf.output())
