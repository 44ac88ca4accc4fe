"""Money to and from Stripe's minor units: exact, JPY included."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.core import money

TWO_DECIMAL = ["EUR", "USD", "GBP", "CHF"]
ZERO_DECIMAL = ["JPY", "KRW"]


@given(minor=st.integers(min_value=0, max_value=10**12), currency=st.sampled_from(TWO_DECIMAL + ZERO_DECIMAL))
def test_minor_units_round_trip_exactly(minor, currency):
    amount = money.from_minor(minor, currency)
    assert isinstance(amount, Decimal)
    assert money.to_minor(amount, currency) == minor


@given(
    amount=st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
    currency=st.sampled_from(TWO_DECIMAL),
)
def test_two_decimal_amounts_are_hundredths(amount, currency):
    minor = money.to_minor(amount, currency)
    assert minor == int(amount * 100)
    assert money.from_minor(minor, currency) == amount


@given(amount=st.integers(min_value=0, max_value=10**12))
def test_yen_has_no_minor_unit(amount):
    assert money.to_minor(Decimal(amount), "JPY") == amount
    assert money.to_minor(Decimal(amount), "jpy") == amount
    assert money.from_minor(amount, "JPY") == Decimal(amount)


@given(yen=st.integers(min_value=0, max_value=10**9), fraction=st.integers(min_value=1, max_value=99))
def test_fractional_yen_is_refused_not_rounded(yen, fraction):
    with pytest.raises(ValueError, match="more decimals"):
        money.to_minor(Decimal(yen) + Decimal(fraction) / 100, "JPY")


def test_examples():
    assert money.to_minor(Decimal("12.34"), "EUR") == 1234
    assert money.to_minor(Decimal("5000"), "JPY") == 5000
    assert money.from_minor(1234, "EUR") == Decimal("12.34")
    assert str(money.from_minor(1200, "EUR")) == "12.00"
    assert money.to_minor(Decimal("1.005"), "KWD") == 1005
    assert money.format_money(Decimal("1250"), "eur") == "1,250.00 EUR"
    assert money.format_money(Decimal("5000"), "JPY") == "5,000 JPY"


def test_floats_and_sub_cent_amounts_are_refused():
    with pytest.raises(TypeError):
        money.to_minor(12.34, "EUR")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        money.to_minor(Decimal("0.001"), "EUR")
    with pytest.raises(TypeError):
        money.from_minor(Decimal("12"), "EUR")  # type: ignore[arg-type]


def test_minimum_charge_per_currency():
    assert money.minimum_charge("eur") == Decimal("0.50")
    assert money.minimum_charge("JPY") == Decimal("50")
    with pytest.raises(ValueError):
        money.minimum_charge("XYZ")
