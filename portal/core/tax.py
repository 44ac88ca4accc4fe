"""Tax rules as data: the rates of each country from their date, and the rule each kind of sale follows.

Finance keep both in the Wagtail admin. A rule says, for tickets, add-ons, sponsorships or dues (the
kind's default, or the rule an event or tier names), whether tax is charged: not at all, at the rate
of the place of supply (an event's country) for everyone, or at the buyer's country with the reverse
charge for EU businesses with a valid VAT number. `tax_decide` turns a rule, a buyer and a date into
the rate of a sale; `portal.core.money` does the arithmetic.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django_countries import countries

from portal.core.cache import forget, forget_process_copies, purge, remember_for_this_request
from portal.core.countries import country_code
from portal.core.exceptions import ApplicationError
from portal.core.money import tax_split
from portal.core.vat_numbers import EU_COUNTRIES, VatCheck, vat_number_check

REVERSE_CHARGE_NOTE = (
    "Reverse charge: VAT to be accounted for by the recipient (Article 196, Council Directive 2006/112/EC)."
)
OUTSIDE_EU_NOTE = "Not subject to EU VAT: the buyer is a business established outside the EU."
OUT_OF_SCOPE_NOTE = "Outside the scope of VAT."


RULES_KEY = "tax-rules"
RATES_KEY = "tax-rates"


def _forget() -> None:
    """Rules and rates changed: the shared copies go now and again after the commit (a read in between),
    and with them the page-cache generation, so every process drops its own copies at its next request
    and cached pages show the new prices; this process drops its copies at once."""

    def drop() -> None:
        forget(RULES_KEY, RATES_KEY)
        purge()
        forget_process_copies()

    drop()
    transaction.on_commit(drop)


class TaxNotConfigured(ApplicationError):
    code = "tax_not_configured"


class TaxKind(models.TextChoices):
    TICKET = "ticket", "Tickets"
    ADDON = "addon", "Add-ons"
    SPONSORSHIP = "sponsorship", "Sponsorships"
    DUES = "dues", "Membership dues"


class TaxMode(models.TextChoices):
    NONE = "none", "No tax (outside the scope of VAT)"
    PLACE_OF_SUPPLY = "place_of_supply", "The rate of the place of supply, for every buyer"
    BUYER_COUNTRY = "buyer_country", "The buyer's country; reverse charge for EU businesses with a valid VAT number"


class _ForgetOnChange(models.Model):
    """Saving or deleting a rate or rule forgets the rates and rules read into memory."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        _forget()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        _forget()
        return result


class TaxRate(_ForgetOnChange):
    """A country's VAT rate from a date on: a change is a new row, and applies to sales from its date."""

    country = models.CharField(max_length=2, choices=list(countries))
    rate = models.DecimalField(
        "rate (%)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    valid_from = models.DateField(help_text="Sales from this day on are taxed at this rate.")
    name = models.CharField(max_length=60, default="Standard rate")

    class Meta:
        app_label = "portal"
        ordering = ["country", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["country", "valid_from"], name="portal_taxrate_one_per_day"),
            models.CheckConstraint(condition=Q(rate__gte=0) & Q(rate__lte=100), name="portal_taxrate_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.country} {self.rate.normalize():f} % from {self.valid_from:%d %b %Y}"


class TaxRule(_ForgetOnChange):
    """How one kind of sale is taxed; an event or tier may name its own, else the kind's default applies."""

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=TaxKind.choices)
    mode = models.CharField(max_length=20, choices=TaxMode.choices, default=TaxMode.NONE)
    country = models.CharField(
        "place of supply",
        max_length=2,
        choices=list(countries),
        blank=True,
        help_text="The country whose rate applies (and the seller's, for the reverse charge); "
        "empty: the event's country.",
    )
    prices_include_tax = models.BooleanField(
        default=True,
        help_text="Prices are shown to people with the tax included; businesses see the net price and the tax.",
    )
    is_default = models.BooleanField(
        "default for its kind", default=False, help_text="Applies to every sale of its kind that names no rule."
    )

    class Meta:
        app_label = "portal"
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=Q(is_default=True), name="portal_taxrule_one_default")
        ]

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class TaxDecision:
    """The tax of one sale: the rate charged, where, and the mention the invoice carries."""

    rate: Decimal = Decimal("0")
    country: str = ""
    included: bool = True
    reverse_charge: bool = False
    note: str = ""
    # The rate a tax-included list price carries, taken off before a sale that is not charged it.
    list_rate: Decimal = Decimal("0")
    vat_check: VatCheck | None = None  # the buyer's VAT number as checked, when they gave one

    @property
    def price_includes_tax(self) -> bool:
        """Whether amounts priced through `basis` include this sale's tax (else it is added on top)."""
        return self.included and not (self.list_rate and self.list_rate != self.rate)

    @property
    def vat_number(self) -> str:
        return self.vat_check.number if self.vat_check else ""

    @property
    def vat_message(self) -> str:
        return self.vat_check.message if self.vat_check else ""

    def basis(self, amount: Decimal, currency: str) -> Decimal:
        """The amount the sale is priced at before its own tax: a tax-included price loses the list rate's
        tax when this buyer is charged another rate (reverse charge, a buyer abroad)."""
        if self.included and not self.price_includes_tax:
            return tax_split(amount, self.list_rate, currency, included=True)[0]
        return amount


def _rules() -> dict[int, "TaxRule"]:
    """Every rule (a small table), kept in the process under the page-cache generation: a page that
    prices something costs no query and no cache round trip for it (three per order journey did)."""
    return remember_for_this_request(RULES_KEY, lambda: {rule.pk: rule for rule in TaxRule.objects.all()})


def _rates() -> dict[str, list[tuple[date, Decimal]]]:
    """Every country's rates, latest first, cached (read only when a rule asks for a rate)."""

    def load():
        rates: dict[str, list[tuple[date, Decimal]]] = {}
        for country, valid_from, rate in TaxRate.objects.order_by("-valid_from").values_list(
            "country", "valid_from", "rate"
        ):
            rates.setdefault(country, []).append((valid_from, rate))
        return rates

    return remember_for_this_request(RATES_KEY, load)


def rate_on(country: str, on: date) -> Decimal | None:
    """The country's rate on a day (the latest row from that day or before), None when none is on file."""
    return next((rate for valid_from, rate in _rates().get(country, []) if valid_from <= on), None)


def _rate(country: str, on: date) -> Decimal:
    rate = rate_on(country, on)
    if rate is None:
        raise TaxNotConfigured(f"No VAT rate is on file for {country or 'this country'} on {on:%d %B %Y}.")
    return rate


def tax_rule_for(kind: str, rule_id: int | None = None) -> TaxRule | None:
    """The rule a sale follows: its own (an event's or tier's, by id), else its kind's default, else none."""
    rules = _rules()
    if rule_id is not None and rule_id in rules:
        return rules[rule_id]
    return next((rule for rule in rules.values() if rule.kind == kind and rule.is_default), None)


def tax_decide(
    *,
    rule: TaxRule | None,
    on: date,
    place: str = "",
    buyer_country: str = "",
    business: bool = False,
    vat: VatCheck | None = None,
) -> TaxDecision:
    """The rate of one sale under `rule` on day `on`, carrying the buyer's VAT number check.

    No rule, or "no tax": nothing is charged. Place of supply: that country's rate for everyone. Buyer's
    country: an EU business with a valid VAT number in another member state than the seller's is
    reverse-charged; a business outside the EU is not charged; anyone else pays the rate of their EU
    country when one is on file, else the seller's.
    """
    if rule is None:
        return TaxDecision(vat_check=vat)
    if rule.mode == TaxMode.NONE:
        return TaxDecision(included=rule.prices_include_tax, note=OUT_OF_SCOPE_NOTE, vat_check=vat)
    seller = rule.country or country_code(place)
    list_rate = _rate(seller, on)
    common: dict = {"included": rule.prices_include_tax, "list_rate": list_rate, "vat_check": vat}
    if rule.mode == TaxMode.PLACE_OF_SUPPLY:
        return TaxDecision(rate=list_rate, country=seller, **common)
    buyer = country_code(buyer_country)
    if vat is not None and vat.valid and vat.country in EU_COUNTRIES and vat.country != seller:
        return TaxDecision(country=vat.country, reverse_charge=True, note=REVERSE_CHARGE_NOTE, **common)
    if business and buyer and buyer not in EU_COUNTRIES:
        return TaxDecision(country=buyer, note=OUTSIDE_EU_NOTE, **common)
    if buyer in EU_COUNTRIES and (own := rate_on(buyer, on)) is not None:
        return TaxDecision(rate=own, country=buyer, **common)
    return TaxDecision(rate=list_rate, country=seller, **common)


def sale_tax(
    *, kind: str, rule_id: int | None, place: str, buyer_country: str, vat_id: str, business: bool, on: date
) -> TaxDecision:
    """The tax of a sale to a buyer: their VAT number checked (offline, VIES when on), then the rule decided.

    Call it outside any transaction that holds locks: the VIES check may wait on the network.
    """
    vat = vat_number_check(vat_id, buyer_country and country_code(buyer_country)) if (vat_id or "").strip() else None
    return tax_decide(
        rule=tax_rule_for(kind, rule_id),
        on=on,
        place=place,
        buyer_country=buyer_country,
        business=business or vat is not None,
        vat=vat,
    )
