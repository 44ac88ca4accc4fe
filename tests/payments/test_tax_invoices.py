"""Invoices and credit notes with tax: per rate, rounded per line or per invoice, the reverse-charge
mention and both VAT numbers on the PDF, and a full credit taking back exactly the tax invoiced."""

from decimal import Decimal

import pytest

from portal.core.tax import REVERSE_CHARGE_NOTE
from portal.payments import invoicing
from portal.payments.invoicing import Line
from portal.payments.pdf import invoice_pdf
from tests import pdf_text

pytestmark = pytest.mark.django_db

BUYER = {"buyer_name": "Brussels Cloud SRL", "buyer_country": "BE", "buyer_vat_id": "BE0123456749"}
SMALL = [Line(f"Sticker {n}", Decimal("0.05"), tax_rate=Decimal("10")) for n in range(3)]


def test_tax_is_rounded_per_line_or_per_invoice_as_configured(settings):
    settings.TAX_ROUNDING = "line"
    per_line = invoicing.invoice_create(currency="EUR", buyer=dict(BUYER), lines=SMALL)
    settings.TAX_ROUNDING = "invoice"
    per_invoice = invoicing.invoice_create(currency="EUR", buyer=dict(BUYER), lines=SMALL)
    # Three times 0.005 of tax: 0.01 each rounded per line, 0.015 → 0.02 for the whole invoice.
    assert (per_line.net_total, per_line.tax_total, per_line.total) == (
        Decimal("0.15"),
        Decimal("0.03"),
        Decimal("0.18"),
    )
    assert (per_invoice.net_total, per_invoice.tax_total, per_invoice.total) == (
        Decimal("0.15"),
        Decimal("0.02"),
        Decimal("0.17"),
    )
    assert sum(line.tax_amount for line in per_invoice.lines.all()) == Decimal("0.02")


def test_a_mixed_invoice_shows_its_tax_per_rate_and_a_full_credit_takes_it_all_back():
    lines = [
        Line("Admission", Decimal("120.00"), quantity=Decimal("3"), tax_rate=Decimal("20"), price_includes_tax=True),
        Line("Printed guide", Decimal("10.00"), tax_rate=Decimal("5.5")),
    ]
    invoice = invoicing.invoice_issue(invoice=invoicing.invoice_create(currency="EUR", buyer=dict(BUYER), lines=lines))
    assert invoice.tax_rows() == [
        (Decimal("20.00"), Decimal("300.00"), Decimal("60.00")),
        (Decimal("5.50"), Decimal("10.00"), Decimal("0.55")),
    ]
    assert invoice.total == Decimal("370.55")
    partial = invoicing.credit_note_issue(invoice=invoice, amount=Decimal("100.00"), reason="Goodwill")
    rest = invoicing.credit_note_issue(invoice=invoice, amount=Decimal("270.55"), reason="Canceled")
    assert partial.total + rest.total == invoice.total
    assert partial.tax_total + rest.tax_total == invoice.tax_total
    for rate, net, tax in invoice.tax_rows():
        credited = [row for note in (partial, rest) for row in note.tax_rows() if row[0] == rate]
        assert sum(r[1] for r in credited) == net and sum(r[2] for r in credited) == tax


def test_a_reverse_charged_invoice_names_both_vat_numbers_and_the_mention(settings):
    settings.INVOICE_SELLER = {**settings.INVOICE_SELLER, "vat_id": "FR32123456789"}
    invoice = invoicing.invoice_issue(
        invoice=invoicing.invoice_create(
            currency="EUR",
            buyer={**BUYER, "buyer_vat_check": "BE0123456749 confirmed by VIES (WAPI000000000001)."},
            lines=[Line("Gold sponsorship", Decimal("10000.00"))],
            tax_note=REVERSE_CHARGE_NOTE,
            tax_country="BE",
        )
    )
    text = " ".join(pdf_text.page_texts(invoice_pdf(invoice, compress=False)))
    for expected in ("VAT ID: FR32123456789", "VAT ID: BE0123456749", "WAPI000000000001", "Reverse charge"):
        assert expected in text, expected
    note = invoicing.credit_note_issue(invoice=invoice, amount=Decimal("10000.00"), reason="Canceled")
    assert (note.tax_note, note.tax_country, note.tax_total) == (REVERSE_CHARGE_NOTE, "BE", Decimal("0.00"))
