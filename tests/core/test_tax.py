"""Tax rules as data, VAT numbers and the tax arithmetic of portal.core.money, with worked examples."""

import json
import threading
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.core import money
from portal.core.tax import (
    OUTSIDE_EU_NOTE,
    REVERSE_CHARGE_NOTE,
    TaxKind,
    TaxMode,
    TaxNotConfigured,
    TaxRate,
    TaxRule,
    rate_on,
    tax_decide,
    tax_rule_for,
)
from portal.core.vat_numbers import label, vat_number_check

BELGIAN_VAT = "BE0123456749"  # 97 − (01234567 mod 97) = 49
GERMAN_VAT = "DE123456788"  # ISO 7064 mod 11,10


def test_a_tax_included_price_splits_into_net_and_tax_to_the_cent():
    assert money.tax_split(Decimal("120.00"), Decimal("20"), "EUR", included=True) == (
        Decimal("100.00"),
        Decimal("20.00"),
    )
    # 99.99 × 20/120 = 16.665 → 16.67 (half up); the net is what remains.
    assert money.tax_split(Decimal("99.99"), Decimal("20"), "EUR", included=True) == (
        Decimal("83.32"),
        Decimal("16.67"),
    )
    assert money.tax_split(Decimal("100.00"), Decimal("19"), "EUR", included=False) == (
        Decimal("100.00"),
        Decimal("19.00"),
    )
    assert money.tax_split(Decimal("1000"), Decimal("10"), "JPY", included=False) == (Decimal("1000"), Decimal("100"))


def test_rounding_per_line_or_per_invoice():
    lines = [(Decimal("0.05"), Decimal("10"), False)] * 3  # 0.005 of tax each
    assert [tax for _net, tax in money.tax_lines(lines, "EUR", rounding="line")] == [Decimal("0.01")] * 3
    per_invoice = money.tax_lines(lines, "EUR", rounding="invoice")
    # 0.15 × 10 % = 0.015 → 0.02 for the invoice, shared over the lines so they still add up.
    assert sum(tax for _net, tax in per_invoice) == Decimal("0.02")
    with pytest.raises(ValueError, match="Unknown tax rounding"):
        money.tax_lines(lines, "EUR", rounding="whenever")


amounts = st.decimals(min_value=Decimal("-500"), max_value=Decimal("5000"), places=2)
rates = st.sampled_from([Decimal("0"), Decimal("5.5"), Decimal("7"), Decimal("19"), Decimal("20"), Decimal("21")])


@given(
    st.lists(st.tuples(amounts, rates, st.booleans()), min_size=1, max_size=8),
    st.sampled_from(money.TAX_ROUNDING_CHOICES),
)
def test_lines_always_add_up_net_plus_tax_is_gross(lines, rounding):
    taxed = money.tax_lines(lines, "EUR", rounding=rounding)
    for (amount, _rate, included), (net, tax) in zip(lines, taxed, strict=True):
        assert (net + tax == amount) if included else (net == amount)
        assert tax == money.round_money(tax, "EUR")
    by_rate = money.tax_by_rate([(rate, net, tax) for (_a, rate, _i), (net, tax) in zip(lines, taxed, strict=True)])
    assert sum(tax for _r, _n, tax in by_rate) == sum(tax for _n, tax in taxed)


def test_vat_numbers_have_their_countrys_name_and_are_checked_offline():
    assert label("DE") == "USt-IdNr."
    assert label("FR") == "TVA intracommunautaire"
    assert label("US") == "VAT ID"
    check = vat_number_check("be 0123.456.749", "BE", online=False)
    assert (check.valid, check.number, check.country) == (True, BELGIAN_VAT, "BE")
    assert vat_number_check("0123456749", "BE", online=False).valid  # the prefix is optional
    assert vat_number_check(GERMAN_VAT, "DE", online=False).valid
    wrong = vat_number_check("BE0123456748", "BE", online=False)
    assert not wrong.valid and "not a valid" in wrong.message and "VAT is charged" in wrong.message
    assert not vat_number_check(BELGIAN_VAT, "DE", online=False).valid  # another country's number
    assert not vat_number_check("US123456789", "US", online=False).valid


def test_an_unreachable_vies_charges_tax_and_never_raises(settings):
    settings.VIES_URL = "http://127.0.0.1:9/check"  # nothing listens on the discard port
    settings.VIES_TIMEOUT_SECONDS = 1
    check = vat_number_check(BELGIAN_VAT, "BE", online=True)
    assert not check.valid and "could not be reached" in check.message


@pytest.mark.django_db
def test_a_rate_applies_from_its_date():
    TaxRate.objects.create(country="FR", rate=Decimal("20"), valid_from=date(2014, 1, 1))
    TaxRate.objects.create(country="FR", rate=Decimal("21"), valid_from=date(2027, 1, 1))
    assert rate_on("FR", date(2026, 12, 31)) == Decimal("20")
    assert rate_on("FR", date(2027, 1, 1)) == Decimal("21")
    assert rate_on("FR", date(2013, 12, 31)) is None
    assert rate_on("DE", date(2026, 1, 1)) is None


@pytest.mark.django_db
def test_the_buyers_country_rule_with_worked_examples():
    TaxRate.objects.create(country="FR", rate=Decimal("20"), valid_from=date(2014, 1, 1))
    TaxRate.objects.create(country="BE", rate=Decimal("21"), valid_from=date(1996, 1, 1))
    rule = TaxRule.objects.create(
        name="Sponsorships", kind=TaxKind.SPONSORSHIP, mode=TaxMode.BUYER_COUNTRY, country="FR", is_default=True
    )
    on = date(2026, 6, 1)
    assert tax_rule_for(TaxKind.SPONSORSHIP) == rule and tax_rule_for(TaxKind.DUES) is None
    valid = vat_number_check(BELGIAN_VAT, "BE", online=False)
    reverse = tax_decide(rule=rule, on=on, buyer_country="Belgium", business=True, vat=valid)
    assert (reverse.rate, reverse.reverse_charge, reverse.note, reverse.country) == (
        Decimal("0"),
        True,
        REVERSE_CHARGE_NOTE,
        "BE",
    )
    invalid = vat_number_check("BE0123456748", "BE", online=False)
    taxed = tax_decide(rule=rule, on=on, buyer_country="Belgium", business=True, vat=invalid)
    assert (taxed.rate, taxed.reverse_charge, taxed.country) == (Decimal("21"), False, "BE")
    american = tax_decide(rule=rule, on=on, buyer_country="US", business=True)
    assert (american.rate, american.note) == (Decimal("0"), OUTSIDE_EU_NOTE)
    french = tax_decide(
        rule=rule, on=on, buyer_country="FR", business=True, vat=vat_number_check("FR32123456789", "FR", online=False)
    )
    assert (french.rate, french.reverse_charge) == (Decimal("20"), False)  # no reverse charge at home


@pytest.mark.django_db
def test_no_rate_on_file_refuses_to_guess():
    rule = TaxRule.objects.create(name="Tickets", kind=TaxKind.TICKET, mode=TaxMode.PLACE_OF_SUPPLY, country="FR")
    with pytest.raises(TaxNotConfigured, match="No VAT rate is on file for FR"):
        tax_decide(rule=rule, on=date(2026, 1, 1))


def test_finance_add_a_rate_change_in_the_admin(staff_client_factory, staff_groups):
    finance = staff_client_factory(groups=["Finance"])
    TaxRate.objects.create(country="FR", rate=Decimal("20"), valid_from=date(2014, 1, 1))
    assert rate_on("FR", date(2027, 1, 1)) == Decimal("20")  # read once, cached
    response = finance.post(
        "/admin/snippets/portal/taxrate/add/",
        {"country": "FR", "rate": "21", "valid_from": "2027-01-01", "name": "Standard rate"},
    )
    assert response.status_code == 302
    # The cached rates were dropped: sales from the new rate's day on are taxed at it.
    assert rate_on("FR", date(2027, 1, 1)) == Decimal("21")
    assert rate_on("FR", date(2026, 12, 31)) == Decimal("20")
    listing = finance.get("/admin/snippets/portal/taxrule/").content.decode()
    assert "Tax rules" in listing


@pytest.fixture
def vies(settings):
    """A VIES stand-in on loopback: it knows the Belgian number only, and answers with a consultation number."""
    asked: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            asked.append(body)
            known = (body["countryCode"], body["vatNumber"]) == ("BE", "0123456749")
            reply = {
                "valid": known,
                "requestIdentifier": f"WAPI{len(asked):012d}",
                "userError": "VALID" if known else "INVALID",
            }
            data = json.dumps(reply).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.VIES_CHECK = True
    settings.VIES_URL = f"http://127.0.0.1:{server.server_port}/check-vat-number"
    settings.INVOICE_SELLER = {**settings.INVOICE_SELLER, "vat_id": "FR32123456789"}
    yield asked
    server.shutdown()
    server.server_close()


def test_vies_confirms_a_number_and_its_consultation_number_is_kept(vies):
    check = vat_number_check(BELGIAN_VAT, "BE")
    assert (check.valid, check.consultation) == (True, "WAPI000000000001")
    assert "confirmed by VIES (WAPI000000000001)" in check.message
    assert vies == [
        {
            "countryCode": "BE",
            "vatNumber": "0123456749",
            "requesterMemberStateCode": "FR",
            "requesterNumber": "32123456789",
        }
    ]


def test_a_number_vies_does_not_know_is_taxed_not_refused(vies):
    check = vat_number_check(GERMAN_VAT, "DE")  # valid offline, unknown to VIES
    assert not check.valid and check.consultation == "WAPI000000000001"
    assert "VIES does not know DE123456788: VAT is charged." == check.message


def test_the_tax_tables_are_kept_in_the_process_and_a_change_elsewhere_is_seen_at_the_next_request(
    client, site_with_home, monkeypatch
):
    """Pricing reads the rules and rates with no cache round trip once the process holds them; a rate
    another process saves (which bumps the page-cache generation) is used from the next request on."""
    from django.core.cache import cache

    from portal.core import cache as page_cache

    rate = TaxRate.objects.create(country="FR", rate=Decimal("20"), valid_from=date(2014, 1, 1))
    client.get("/")  # a request: the process reads the generation
    assert rate_on("FR", date(2027, 1, 1)) == Decimal("20")
    assert tax_rule_for(TaxKind.TICKET) is None
    reads = []
    real_get = cache.get
    monkeypatch.setattr(cache, "get", lambda key, *args, **kwargs: reads.append(key) or real_get(key, *args, **kwargs))
    assert rate_on("FR", date(2027, 1, 1)) == Decimal("20")
    assert tax_rule_for(TaxKind.TICKET) is None
    assert reads == [], "no shared-cache round trip for the tax tables"

    # Another process changes the rate: its writes reach only the database and the shared cache.
    TaxRate.objects.filter(pk=rate.pk).update(rate=Decimal("21"))
    cache.delete_many(["sitedata:tax-rules", "sitedata:tax-rates"])
    cache.incr(page_cache.GENERATION_KEY)
    client.get("/")
    assert rate_on("FR", date(2027, 1, 1)) == Decimal("21")


def test_a_rate_saved_purges_the_cached_pages_that_show_prices(client, site_with_home):
    from portal.core import cache as page_cache

    before = page_cache.generation()
    TaxRate.objects.create(country="FR", rate=Decimal("20"), valid_from=date(2014, 1, 1))
    assert page_cache.generation() != before
