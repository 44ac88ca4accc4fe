"""Money: Decimal amounts with an ISO currency; the one place that knows Stripe's minor units."""

from decimal import ROUND_HALF_UP, Decimal

# Stripe's zero-decimal currencies: an amount of 500 JPY is sent as 500, not 50000.
ZERO_DECIMAL_CURRENCIES = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"}
)
THREE_DECIMAL_CURRENCIES = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})

# Stripe's minimum charge per settlement currency (docs.stripe.com/currencies#minimum-and-maximum-charge-amounts).
# localstripe does not enforce it, so we do, before anything reaches the gateway.
MINIMUM_CHARGE: dict[str, Decimal] = {
    "USD": Decimal("0.50"),
    "EUR": Decimal("0.50"),
    "GBP": Decimal("0.30"),
    "CHF": Decimal("0.50"),
    "CAD": Decimal("0.50"),
    "AUD": Decimal("0.50"),
    "NZD": Decimal("0.50"),
    "SGD": Decimal("0.50"),
    "HKD": Decimal("4.00"),
    "JPY": Decimal("50"),
    "DKK": Decimal("2.50"),
    "NOK": Decimal("3.00"),
    "SEK": Decimal("3.00"),
    "PLN": Decimal("2.00"),
    "CZK": Decimal("15.00"),
    "MXN": Decimal("10"),
    "BRL": Decimal("0.50"),
    "INR": Decimal("0.50"),
}
# What the ledger accepts: currencies with a known minimum and at most two decimals.
SUPPORTED_CURRENCIES = frozenset(MINIMUM_CHARGE)


def normalise_currency(currency: str) -> str:
    """ISO 4217 codes are stored upper-case."""
    code = (currency or "").strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise ValueError(f"Not a currency code: {currency!r}")
    return code


def exponent(currency: str) -> int:
    """How many decimals the currency's minor unit has, as Stripe counts them."""
    code = normalise_currency(currency)
    if code in ZERO_DECIMAL_CURRENCIES:
        return 0
    if code in THREE_DECIMAL_CURRENCIES:
        return 3
    return 2


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-exponent(currency))


def to_minor(amount: Decimal, currency: str) -> int:
    """Decimal to Stripe's integer minor units; refuses an amount finer than the currency allows."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"Money is Decimal, not {type(amount).__name__}")
    if not amount.is_finite():
        raise ValueError(f"Not an amount: {amount}")
    minor = amount.scaleb(exponent(currency))
    if minor != minor.to_integral_value():
        raise ValueError(f"{amount} has more decimals than {normalise_currency(currency)} allows")
    return int(minor)


def from_minor(minor: int, currency: str) -> Decimal:
    """Stripe's integer minor units back to a Decimal with the currency's decimals."""
    if isinstance(minor, bool) or not isinstance(minor, int):
        raise TypeError(f"Minor units are int, not {type(minor).__name__}")
    return Decimal(minor).scaleb(-exponent(currency)).quantize(quantum(currency))


def round_money(amount: Decimal | int, currency: str) -> Decimal:
    """Round half-up to the currency's minor unit (cents, whole yen, or thousandths of a dinar)."""
    return Decimal(amount).quantize(quantum(currency), rounding=ROUND_HALF_UP)


def minimum_charge(currency: str) -> Decimal:
    """Stripe's smallest card charge in this currency."""
    code = normalise_currency(currency)
    if code not in MINIMUM_CHARGE:
        raise ValueError(f"Payments in {code} are not supported")
    return MINIMUM_CHARGE[code]


def format_money(amount: Decimal | int | str, currency: str = "", *, nbsp: bool = False) -> str:
    """The one display of an amount: '1,250.00 EUR', '5,000 JPY', '1.250 KWD' for pages, e-mails, PDFs and CSVs.

    `nbsp` joins amount and code with a no-break space, so HTML never breaks the line between them.
    Without a currency, two decimals and no code.
    """
    value = Decimal(amount)
    places = exponent(currency) if currency else 2
    text = f"{value:,.{places}f}"
    if not currency:
        return text
    separator = "\u00a0" if nbsp else " "
    return f"{text}{separator}{normalise_currency(currency)}"


# --- Tax ------------------------------------------------------------------------------------
# A line's amount is either net (tax added on top) or gross (tax included, split out). The tax is
# rounded per line, or per rate over the whole document and then shared out over its lines, so the
# lines always add up to the totals: net + tax = gross to the cent, on every page and document.
TAX_ROUNDING_LINE = "line"
TAX_ROUNDING_INVOICE = "invoice"
TAX_ROUNDING_CHOICES = (TAX_ROUNDING_LINE, TAX_ROUNDING_INVOICE)


def tax_split(amount: Decimal, rate: Decimal, currency: str, *, included: bool) -> tuple[Decimal, Decimal]:
    """Net and tax of an amount at `rate` percent: tax added to a net amount, or split out of a gross one."""
    amount, rate = Decimal(amount), Decimal(rate)
    if included:
        tax = round_money(amount * rate / (100 + rate), currency)
        return amount - tax, tax
    return amount, round_money(amount * rate / 100, currency)


def allocate(total: Decimal, weights: list[Decimal], currency: str) -> list[Decimal]:
    """Share `total` over `weights` in proportion, each share rounded; the largest weight takes what
    rounding left (a weight of zero gets nothing)."""
    if not weights:
        return []
    total = round_money(total, currency)
    whole = sum(weights, Decimal("0"))
    zero = Decimal("0").quantize(quantum(currency))
    shares = [round_money(total * weight / whole, currency) if whole else zero for weight in weights]
    largest = max(range(len(weights)), key=lambda i: abs(weights[i]))
    shares[largest] += total - sum(shares, Decimal("0"))
    return shares


def tax_lines(
    lines: list[tuple[Decimal, Decimal, bool]], currency: str, *, rounding: str = TAX_ROUNDING_LINE
) -> list[tuple[Decimal, Decimal]]:
    """(net, tax) of each (amount, rate, included) line, the tax rounded per line or per rate."""
    if rounding not in TAX_ROUNDING_CHOICES:
        raise ValueError(f"Unknown tax rounding: {rounding!r}")
    if rounding == TAX_ROUNDING_LINE:
        return [tax_split(amount, rate, currency, included=included) for amount, rate, included in lines]
    result: list[tuple[Decimal, Decimal]] = [(Decimal("0"), Decimal("0"))] * len(lines)
    groups: dict[tuple[Decimal, bool], list[int]] = {}
    for index, (_amount, rate, included) in enumerate(lines):
        groups.setdefault((Decimal(rate), included), []).append(index)
    for (rate, included), indexes in groups.items():
        amounts = [Decimal(lines[i][0]) for i in indexes]
        _net, tax = tax_split(sum(amounts, Decimal("0")), rate, currency, included=included)
        for i, amount, share in zip(indexes, amounts, allocate(tax, amounts, currency), strict=True):
            result[i] = (amount - share if included else amount, share)
    return result


def tax_by_rate(rows: list[tuple[Decimal, Decimal, Decimal]]) -> list[tuple[Decimal, Decimal, Decimal]]:
    """(rate, net, tax) rows summed per rate, highest rate first: the tax table of a document."""
    totals: dict[Decimal, tuple[Decimal, Decimal]] = {}
    for rate, net, tax in rows:
        old_net, old_tax = totals.get(Decimal(rate), (Decimal("0"), Decimal("0")))
        totals[Decimal(rate)] = (old_net + net, old_tax + tax)
    return [(rate, net, tax) for rate, (net, tax) in sorted(totals.items(), reverse=True)]
