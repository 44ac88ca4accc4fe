"""VAT on the Paris summit, with worked examples: what the page, the invoice, Stripe and the ledger say.

French VAT (20 %) on admission wherever the buyer lives; sponsorships reverse-charged to EU businesses
with a valid VAT number, taxed without one, not charged outside the EU; a rate change; a partial refund.
"""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import demo as events_demo
from events import payments, services
from events.models import Order, SponsorshipPackage
from members import demo as members_demo
from portal.accounts.groups import EVENTS_STAFF
from portal.core import money
from portal.core.tax import OUTSIDE_EU_NOTE, REVERSE_CHARGE_NOTE, TaxKind, TaxMode, TaxRate, TaxRule
from portal.payments import selectors as payment_selectors
from portal.payments import services as payment_services
from portal.payments.models import Invoice, InvoiceKind, Payment, PaymentStatus
from tests.accounts.factories import UserFactory
from tests.api.factories import bearer, token
from tests.core.factories import french_vat, reverse_charge_rule
from tests.events.factories import EventFactory, PromoCodeFactory, TicketTypeFactory, sponsor_application
from tests.members.factories import OrganizationFactory
from tests.payments.conftest import GOOD_CARD, card_token, intents_for

pytestmark = pytest.mark.django_db

BELGIAN_VAT = "BE0123456749"


@pytest.fixture
def paris():
    """The Paris summit: French VAT included in ticket prices, sponsorships by the buyer's country."""
    french_vat()
    TaxRate.objects.create(country="BE", rate=Decimal("21"), valid_from=date(1996, 1, 1))
    TaxRate.objects.create(country="DE", rate=Decimal("19"), valid_from=date(2021, 1, 1))
    tickets = TaxRule.objects.create(
        name="Admission: French VAT", kind=TaxKind.TICKET, mode=TaxMode.PLACE_OF_SUPPLY, prices_include_tax=True
    )
    sponsorships = reverse_charge_rule("Sponsorships: reverse charge in the EU", TaxKind.SPONSORSHIP)
    event = EventFactory(
        slug="paris",
        name="OpenInfra Summit Paris",
        city="Paris",
        country="France",
        currency="EUR",
        time_zone="Europe/Paris",
        ticket_tax_rule=tickets,
        sponsorship_tax_rule=sponsorships,
    )
    full = TicketTypeFactory(event=event, name="Full access", price=Decimal("120.00"))
    return event, full


def _order(event, ticket_type, quantity=1, **billing):
    return services.order_create(
        event=event,
        buyer_name="Greta Berger",
        buyer_email="greta@example.de",
        quantities={ticket_type.pk: quantity},
        billing=billing,
        accepted_code_of_conduct=True,
    )


def _pay_by_card(localstripe, order, django_capture_on_commit_callbacks) -> Payment:
    payments.order_request_payment(order=order)  # resumes the payment the register page started
    payment = payment_selectors.payments_for_owner(order).get()
    with django_capture_on_commit_callbacks(execute=True):
        payment_services.payment_pay_with_card(payment=payment, token=card_token(localstripe, GOOD_CARD))
    payment.refresh_from_db()
    return payment


@pytest.mark.localstripe
def test_a_person_in_germany_buying_a_paris_ticket_pays_french_vat(
    client, paris, localstripe, django_capture_on_commit_callbacks
):
    event, full = paris
    response = client.post(
        "/events/paris/register/",
        {
            "step": "place",
            f"qty_{full.pk}": "1",
            "buyer_name": "Greta Berger",
            "buyer_email": "greta@example.de",
            "attendee_1_name": "Greta Berger",
            "billing_country": "DE",
            "accept_code_of_conduct": "on",
        },
    )
    order = Order.objects.get()
    assert response.status_code == 302
    # 120.00 includes 20 % French VAT: 120 × 20/120 = 20.00 of tax on 100.00 net.
    assert (order.net, order.tax, order.total, order.tax_country) == (
        Decimal("100.00"),
        Decimal("20.00"),
        Decimal("120.00"),
        "FR",
    )
    page = client.get(order.get_absolute_url()).content.decode()
    assert "Included VAT 20 %" in page and "20.00\u00a0EUR" in page and "100.00\u00a0EUR" in page

    payment = _pay_by_card(localstripe, order, django_capture_on_commit_callbacks)
    assert payment.status == PaymentStatus.SUCCEEDED
    assert [intent["amount"] for intent in intents_for(localstripe, payment)] == [12000]
    invoice = payment.invoices.get()
    assert (invoice.net_total, invoice.tax_total, invoice.total) == (
        Decimal("100.00"),
        Decimal("20.00"),
        Decimal("120.00"),
    )
    assert (invoice.buyer_country, invoice.tax_country, invoice.tax_note) == ("DE", "FR", "")
    assert [(line.tax_rate, line.tax_amount) for line in invoice.lines.all()] == [(Decimal("20.00"), Decimal("20.00"))]
    shown = client.get(f"/payments/{payment.public_id}/invoice/").content.decode()
    assert "Tax per rate" in shown and "20 %" in shown
    tickets_mail = next(m for m in mail.outbox if "Your tickets" in m.subject)
    assert "Net: 100.00\u00a0EUR" in tickets_mail.body and "VAT 20 %: 20.00\u00a0EUR" in tickets_mail.body
    _, secret = token("staff")
    api = client.get("/api/v1/events/paris/orders/", **bearer(secret)).json()["results"][0]
    assert (api["net"], api["tax"], api["total"], api["billing_country"]) == ("100.00", "20.00", "120.00", "DE")
    assert (api["lines"][0]["tax_rate"], api["lines"][0]["tax"]) == ("20.00", "20.00")


def _sponsor(event, organization) -> Payment:
    staff = UserFactory(groups=[EVENTS_STAFF])
    package, _ = SponsorshipPackage.objects.get_or_create(
        event=event, name="Gold", defaults={"price": Decimal("10000.00"), "slots": 5}
    )
    sponsorship = services.sponsorship_request(
        package=package, organization=organization, contact_email="finance@sponsor.example", actor=staff
    )
    services.sponsorship_approve(sponsorship=sponsorship, actor=staff)
    return services.sponsorship_invoice(sponsorship=sponsorship, method="card", actor=staff)


def _sponsor_invoice(paris, **organization) -> tuple[Payment, Invoice]:
    """A company sponsors the Paris summit: its payment and the invoice issued with it."""
    event, _ = paris
    payment = _sponsor(event, OrganizationFactory(**organization))
    return payment, payment.invoices.get()


def test_a_belgian_company_with_a_valid_vat_number_is_reverse_charged(paris):
    payment, invoice = _sponsor_invoice(paris, name="Brussels Cloud", country="Belgium", vat_id="BE 0123.456.749")
    assert payment.amount == invoice.total == Decimal("10000.00")
    assert (invoice.tax_total, invoice.tax_note, invoice.tax_country) == (Decimal("0.00"), REVERSE_CHARGE_NOTE, "BE")
    assert (invoice.buyer_vat_id, invoice.buyer_country) == (BELGIAN_VAT, "BE")
    assert "format and check digit are valid" in invoice.buyer_vat_check


def test_the_same_company_with_an_invalid_number_is_taxed(paris):
    payment, invoice = _sponsor_invoice(paris, name="Brussels Cloud", country="Belgium", vat_id="BE0123456748")
    # Not reverse-charged: Belgian VAT on the net price, 10,000.00 × 21 % = 2,100.00.
    assert (invoice.net_total, invoice.tax_total, invoice.total) == (
        Decimal("10000.00"),
        Decimal("2100.00"),
        Decimal("12100.00"),
    )
    assert payment.amount == Decimal("12100.00") and money.to_minor(payment.amount, "EUR") == 1210000
    assert invoice.tax_note == "" and "not a valid" in invoice.buyer_vat_check


def test_a_us_company_is_not_charged_eu_vat(paris):
    payment, invoice = _sponsor_invoice(paris, name="Austin Compute", country="US", vat_id="")
    assert (payment.amount, invoice.tax_total, invoice.tax_note) == (
        Decimal("10000.00"),
        Decimal("0.00"),
        OUTSIDE_EU_NOTE,
    )


def test_a_rate_change_applies_to_orders_from_its_date(paris):
    event, full = paris
    change = timezone.localdate() + timedelta(days=10)
    TaxRate.objects.create(country="FR", rate=Decimal("21"), valid_from=change)
    before = _order(event, full)
    with time_machine.travel(timezone.now() + timedelta(days=11)):
        after = _order(event, full)
    assert (before.total, before.tax) == (Decimal("120.00"), Decimal("20.00"))
    # The price includes the tax: 120 × 21/121 = 20.826… → 20.83, the net is what remains.
    assert (after.total, after.tax, after.net) == (Decimal("120.00"), Decimal("20.83"), Decimal("99.17"))


@pytest.mark.localstripe
def test_a_partial_refund_takes_back_its_share_of_the_tax_and_reconciles_with_the_ledger(
    paris, localstripe, django_capture_on_commit_callbacks
):
    event, full = paris
    order = _order(event, full, quantity=2, country="DE")
    payment = _pay_by_card(localstripe, order, django_capture_on_commit_callbacks)
    invoice = payment.invoices.get()
    assert (invoice.net_total, invoice.tax_total, invoice.total) == (
        Decimal("200.00"),
        Decimal("40.00"),
        Decimal("240.00"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        payment_services.payment_refund(payment=payment, amount=Decimal("60.00"), reason="One day only")
    note = Invoice.objects.get(kind=InvoiceKind.CREDIT_NOTE)
    # 60.00 of 240.00 gross: a quarter of the 40.00 of tax.
    assert (note.net_total, note.tax_total, note.total, note.tax_country) == (
        Decimal("50.00"),
        Decimal("10.00"),
        Decimal("60.00"),
        "FR",
    )
    # The rest credited later takes back exactly what is left of the tax.
    with django_capture_on_commit_callbacks(execute=True):
        payment_services.payment_refund(payment=payment, amount=Decimal("180.00"), reason="Canceled")
    notes = Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE)
    assert sum(n.tax_total for n in notes) == invoice.tax_total

    today = timezone.localdate()
    report = payment_selectors.tax_collected(start=today, end=today)
    assert report == [
        {"country": "FR", "rate": Decimal("20.00"), "currency": "EUR", "net": Decimal("0.00"), "tax": Decimal("0.00")}
    ]
    payment.refresh_from_db()
    ledger = payment.amount - payment.amount_refunded
    assert sum(r["net"] + r["tax"] for r in report) == ledger == Decimal("0.00")


@pytest.mark.localstripe
def test_the_tax_report_reconciles_with_the_ledger_after_a_partial_refund(
    paris, localstripe, django_capture_on_commit_callbacks
):
    event, full = paris
    payment = _pay_by_card(localstripe, _order(event, full, quantity=2), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        payment_services.payment_refund(payment=payment, amount=Decimal("60.00"), reason="One day only")
    sponsor = _sponsor(event, OrganizationFactory(name="Brussels Cloud", country="Belgium", vat_id=BELGIAN_VAT))
    with django_capture_on_commit_callbacks(execute=True):
        payment_services.payment_pay_with_card(payment=sponsor, token=card_token(localstripe, GOOD_CARD))
    today = timezone.localdate()
    report = payment_selectors.tax_collected(start=today, end=today)
    assert report == [
        {"country": "BE", "rate": Decimal("0.00"), "currency": "EUR", "net": Decimal("10000.00"), "tax": Decimal("0")},
        {
            "country": "FR",
            "rate": Decimal("20.00"),
            "currency": "EUR",
            "net": Decimal("150.00"),
            "tax": Decimal("30.00"),
        },
    ]
    ledger = sum(
        (
            p.amount - p.amount_refunded
            for p in Payment.objects.filter(status__in=[PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED])
        ),
        Decimal("0"),
    )
    assert sum(r["net"] + r["tax"] for r in report) == ledger == Decimal("10180.00")
    assert payment_selectors.reverse_charged_sales(start=today, end=today) == [
        {
            "country": "BE",
            "vat_id": BELGIAN_VAT,
            "buyer": "Brussels Cloud",
            "currency": "EUR",
            "net": Decimal("10000.00"),
        }
    ]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    prices=st.lists(
        st.decimals(min_value=Decimal("0.50"), max_value=Decimal("999.99"), places=2), min_size=1, max_size=3
    ),
    quantities=st.lists(st.integers(min_value=1, max_value=4), min_size=3, max_size=3),
    rate=st.sampled_from([Decimal("20"), Decimal("5.5"), Decimal("19"), Decimal("0")]),
    included=st.booleans(),
    promo=st.one_of(st.none(), st.decimals(min_value=Decimal("1"), max_value=Decimal("50"), places=0)),
    rounding=st.sampled_from(money.TAX_ROUNDING_CHOICES),
)
def test_for_any_basket_net_plus_tax_is_gross_on_the_page_invoice_stripe_amount_and_ledger(
    client, prices, quantities, rate, included, promo, rounding
):
    TaxRate.objects.update_or_create(country="FR", valid_from=date(2014, 1, 1), defaults={"rate": rate})
    rule = TaxRule.objects.create(
        name="Admission", kind=TaxKind.TICKET, mode=TaxMode.PLACE_OF_SUPPLY, prices_include_tax=included
    )
    event = EventFactory(country="France", currency="EUR", ticket_tax_rule=rule)
    types = [TicketTypeFactory(event=event, price=price) for price in prices]
    if promo is not None:
        PromoCodeFactory(event=event, code="SAVE", value=promo)
    with override_settings(TAX_ROUNDING=rounding):  # the settings fixture cannot be used under hypothesis
        order = services.order_create(
            event=event,
            buyer_name="Ada",
            buyer_email="ada@example.org",
            quantities={tt.pk: n for tt, n in zip(types, quantities, strict=False)},
            promo_code="SAVE" if promo is not None else "",
            accepted_code_of_conduct=True,
        )
    assert order.net + order.tax == order.total
    assert sum(line.gross for line in order.lines.all()) == order.total
    page = client.get(order.get_absolute_url()).content.decode()
    assert money.format_money(order.total, "EUR", nbsp=True) in page
    if order.tax:
        assert money.format_money(order.net, "EUR", nbsp=True) in page
        assert money.format_money(order.tax, "EUR", nbsp=True) in page
    if order.total < money.minimum_charge("EUR"):
        return  # a free or tiny order never reaches Stripe
    payments.order_request_payment(order=order, new=True)
    payment = Payment.objects.get(owner_object_id=order.pk, owner_content_type__model="order")
    assert money.to_minor(payment.amount, "EUR") == money.to_minor(order.net, "EUR") + money.to_minor(order.tax, "EUR")
    invoice = payments.order_invoice_for_payment(order=order, payment=payment)

    assert (invoice.net_total, invoice.tax_total, invoice.total) == (order.net, order.tax, payment.amount)
    rows = invoice.tax_rows()
    assert sum(net + tax for _rate, net, tax in rows) == invoice.total


def test_the_demo_paris_summit_charges_french_vat_on_admission_and_none_on_dues():
    members_demo.ensure_tax()
    paris_summit, vancouver = events_demo.load()
    full = paris_summit.ticket_types.get(name="Full access")
    quote = services.order_validate(event=paris_summit, quantities={full.pk: 1})
    # 749.00 includes 20 % French VAT: 749 × 20/120 = 124.833… → 124.83.
    assert (quote.total, quote.tax, quote.net) == (Decimal("749.00"), Decimal("124.83"), Decimal("624.17"))
    assert vancouver.ticket_tax_rule is None
    assert TaxRule.objects.get(kind=TaxKind.DUES, is_default=True).mode == TaxMode.NONE


def test_finance_download_the_tax_reports_as_csv(paris, staff_client_factory, staff_groups):
    event, _ = paris
    _sponsor(event, OrganizationFactory(name="Brussels Cloud", country="Belgium", vat_id=BELGIAN_VAT))
    _sponsor(event, OrganizationFactory(name="=Formula GmbH", country="Germany", vat_id="DE123456788"))
    finance = staff_client_factory(groups=["Finance"])
    today = timezone.localdate().isoformat()
    period = {"start": today, "end": today}
    assert 'formaction="/admin/finance/export/ec-sales.csv"' in finance.get("/admin/finance/invoices/").content.decode()
    tax = finance.get("/admin/finance/export/tax.csv", period).content.decode().splitlines()
    assert tax == [
        "country,rate (%),net,tax,gross,currency",
        "BE,0.00,10000.00,0.00,10000.00,EUR",
        "DE,0.00,10000.00,0.00,10000.00,EUR",
    ]
    sales = finance.get("/admin/finance/export/ec-sales.csv", period).content.decode().splitlines()
    # Through the shared writer: a name that would run as a formula is neutralised.
    assert sales == [
        "buyer country,buyer VAT number,buyer,net,currency",
        "BE,BE0123456749,Brussels Cloud,10000.00,EUR",
        "DE,DE123456788,'=Formula GmbH,10000.00,EUR",
    ]


@pytest.mark.parametrize(
    ("country", "vat_number", "stated"),
    [
        ("BE", BELGIAN_VAT, "10,000.00 EUR net = 10,000.00 EUR"),
        ("BE", "BE0123456748", "10,000.00 EUR net + VAT 21 % 2,100.00 EUR = 12,100.00 EUR"),
        ("DE", "", "10,000.00 EUR net + VAT 19 % 1,900.00 EUR = 11,900.00 EUR"),
    ],
    ids=["reverse-charged", "invalid-number", "no-number"],
)
def test_the_review_page_states_the_invoice_the_sponsor_will_get(client, paris, country, vat_number, stated):
    event, _ = paris
    package = SponsorshipPackage.objects.create(event=event, name="Gold", price=Decimal("10000.00"), slots=5)
    applicant = UserFactory()
    client.force_login(applicant)
    form = sponsor_application(package, organization_name="Orbit Robotics", billing_country=country)
    form["billing_vat_number"] = vat_number
    assert client.post(f"/events/{event.slug}/sponsor/apply/", form).status_code == 302

    html = client.get(f"/events/{event.slug}/sponsor/review/").content.decode()
    page = re.sub(r"<[^>]+>", "", html).replace("\u00a0", " ")  # the text a reader sees

    assert stated in page
    if vat_number == BELGIAN_VAT:
        assert REVERSE_CHARGE_NOTE in page
    client.post(f"/events/{event.slug}/sponsor/review/")
    staff = UserFactory(groups=[EVENTS_STAFF])
    sponsorship = package.sponsorships.get()
    services.sponsorship_approve(sponsorship=sponsorship, actor=staff)
    invoice = services.sponsorship_invoice(sponsorship=sponsorship, method="card", actor=staff).invoices.get()
    assert stated.endswith(money.format_money(invoice.total, "EUR"))  # the invoice is what the page said
