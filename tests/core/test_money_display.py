"""One money display: pages, e-mails, PDFs and CSVs show an amount the same way."""

from decimal import Decimal

import pytest
from django.template import engines

from portal.core.money import format_money


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (Decimal("1198.4"), "EUR", "1,198.40 EUR"),
        (Decimal("3194.80000000000"), "eur", "3,194.80 EUR"),
        (Decimal("150000"), "EUR", "150,000.00 EUR"),
        (Decimal("5000"), "JPY", "5,000 JPY"),
        (Decimal("1.25"), "KWD", "1.250 KWD"),
        (Decimal("-49"), "USD", "-49.00 USD"),
    ],
)
def test_an_amount_is_shown_with_its_currencys_decimals(amount, currency, shown):
    assert format_money(amount, currency) == shown


def test_every_template_has_the_money_filter_without_loading_it():
    template = engines["django"].from_string("{{ total|money:currency }}|{{ nothing|money:currency }}")
    assert template.render({"total": Decimal("3194.8"), "currency": "EUR", "nothing": None}) == "3,194.80\u00a0EUR|"
