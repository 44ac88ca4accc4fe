"""A business buys with its VAT number: the field takes its country's name, the reverse charge applies,
the order states net, VAT and total as the invoice will, the card is charged that total at Stripe, and
the invoice (read back from its PDF) carries the buyer's VAT number and the reverse-charge mention."""

from decimal import Decimal

import pytest

from events.models import Order
from portal.core.tax import REVERSE_CHARGE_NOTE, TaxKind
from portal.payments.models import Invoice, PaymentStatus
from portal.payments.pdf import invoice_pdf
from tests.core.factories import french_vat, reverse_charge_rule
from tests.e2e.test_journeys import _fill_card
from tests.events.factories import EventFactory, TicketTypeFactory
from tests.payments.conftest import intents_for
from tests.pdf_text import shown

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.localstripe]


def _text(page, selector: str) -> str:
    return page.locator(selector).inner_text().replace("\u00a0", " ").strip()


def test_a_belgian_business_buys_with_its_vat_number_and_is_reverse_charged(page, live_server, localstripe):
    french_vat()
    rule = reverse_charge_rule("Training: reverse charge for EU businesses", TaxKind.TICKET)
    event = EventFactory(slug="paris-training", name="Operators' training, Paris", country="France", currency="EUR")
    event.ticket_tax_rule = rule
    event.save(update_fields=["ticket_tax_rule"])
    seat = TicketTypeFactory(event=event, name="Training seat", price=Decimal("900.00"))

    page.goto(f"{live_server.url}/events/paris-training/register/")
    page.get_by_label("Training seat").fill("1")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**step=details**")
    # Before the buyer says who they are, the price is a person's: 900.00 net + 20 % VAT.
    assert _text(page, ".quote-net") == "900.00 EUR" and _text(page, ".quote-tax") == "180.00 EUR"
    assert _text(page, ".quote-total") == "1,080.00 EUR"

    page.get_by_label("Your name").fill("Jan Peeters")
    page.get_by_label("Your e-mail").fill("jan@brussels-cloud.example")
    page.locator("#id_attendee_1_name").fill("Jan Peeters")
    page.get_by_text("Billing details for an invoice").click()
    page.get_by_label("Company (for the invoice)").fill("Brussels Cloud SRL")
    page.get_by_label("Country").select_option("BE")
    page.get_by_label("VAT number (BTW-nummer / numéro de TVA)").fill("BE 0123.456.749")
    page.get_by_label("I have read and accept the code of conduct").check()
    page.get_by_role("button", name="Continue to payment").click()
    page.wait_for_url("**/payments/**")

    order = Order.objects.get()
    assert (order.net, order.tax, order.total, order.tax_note) == (
        Decimal("900.00"),
        Decimal("0.00"),
        Decimal("900.00"),
        REVERSE_CHARGE_NOTE,
    )
    assert order.billing_vat_id == "BE0123456749" and order.lines.get().ticket_type == seat
    assert "900.00 EUR" in page.locator("body").inner_text().replace("\u00a0", " ")

    # It pays by card on the pay page: Stripe is asked for the invoice's total, no more.
    _fill_card(page, "4242424242424242")
    page.get_by_role("button", name="Pay 900.00 EUR").click()
    page.wait_for_url("**/return/**", timeout=20_000)
    assert page.locator("h1").inner_text() == "Thank you: payment received"
    invoice = Invoice.objects.get(kind="invoice")
    payment = invoice.payment
    assert payment.status == PaymentStatus.SUCCEEDED
    assert [intent["amount"] for intent in intents_for(localstripe, payment)] == [90000]
    assert (invoice.net_total, invoice.tax_total, invoice.total) == (
        Decimal("900.00"),
        Decimal("0.00"),
        Decimal("900.00"),
    )
    assert invoice.buyer_vat_id == "BE0123456749" and invoice.tax_note == REVERSE_CHARGE_NOTE
    printed = " ".join(piece.text for piece in shown(invoice_pdf(invoice)))
    assert "BE0123456749" in printed and "Reverse charge" in printed and "900.00" in printed

    page.goto(f"{live_server.url}{order.get_absolute_url()}")
    assert REVERSE_CHARGE_NOTE in page.content()
