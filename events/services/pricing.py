"""Prices: what an order would cost, and whether a choice of tickets and a promo code can be sold."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from events import selectors
from events.exceptions import OrderInvalid, PromoCodeInvalid, RegistrationClosed
from events.models import Event, PromoCode, Sponsorship, TicketType
from portal.core.money import round_money, tax_lines
from portal.core.tax import TaxDecision, TaxKind, sale_tax
from portal.core.vat_numbers import VatCheck
from portal.payments import invoicing


@dataclass(frozen=True)
class QuoteLine:
    ticket_type: TicketType
    quantity: int
    unit_price: Decimal
    subtotal: Decimal
    discount: Decimal
    total: Decimal
    tax_rate: Decimal = Decimal("0")
    tax: Decimal = Decimal("0")  # the line's tax after its discount
    discount_tax: Decimal = Decimal("0")  # the tax the discount took off


@dataclass(frozen=True)
class Quote:
    currency: str
    lines: list[QuoteLine]
    promo_code: PromoCode | None = None
    subtotal: Decimal = Decimal("0")
    discount: Decimal = Decimal("0")
    total: Decimal = Decimal("0")  # what the buyer pays, tax included
    messages: list[str] = field(default_factory=list)
    tax: Decimal = Decimal("0")
    tax_rate: Decimal = Decimal("0")
    prices_include_tax: bool = True
    tax_note: str = ""
    tax_country: str = ""
    vat_check: VatCheck | None = None

    @property
    def net(self) -> Decimal:
        return self.total - self.tax

    @property
    def quantity(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def needs_approval(self) -> bool:
        return any(line.ticket_type.needs_approval for line in self.lines)


def _promo_applies(promo: PromoCode, ticket_type: TicketType) -> bool:
    eligible = {tt.pk for tt in promo.ticket_types.all()}
    return not eligible or ticket_type.pk in eligible


def order_tax(*, event: Event, billing: dict | None = None, on: date | None = None) -> TaxDecision:
    """The tax of an order for this buyer (billing: company, country, vat_id) under the event's ticket rule."""
    billing = billing or {}
    return sale_tax(
        kind=TaxKind.TICKET,
        rule_id=event.ticket_tax_rule_id,
        place=event.country,
        buyer_country=billing.get("country", ""),
        vat_id=billing.get("vat_id", ""),
        business=bool((billing.get("company") or "").strip()),
        on=on or timezone.localdate(),
    )


def sponsorship_tax(*, sponsorship: Sponsorship, on: date | None = None) -> TaxDecision:
    """The tax of a sponsorship under the event's sponsorship rule, for the sponsoring organisation: the
    billing country and VAT number of its application, else the organisation's own."""
    event, organization = sponsorship.package.event, sponsorship.organization
    return sale_tax(
        kind=TaxKind.SPONSORSHIP,
        rule_id=event.sponsorship_tax_rule_id,
        place=event.country,
        buyer_country=sponsorship.billing_country or organization.country,
        vat_id=sponsorship.billing_vat_number or organization.vat_id,
        business=True,
        on=on or timezone.localdate(),
    )


@dataclass(frozen=True)
class SponsorshipQuote:
    """What a sponsorship will be invoiced, as the review page states it: net, tax at its rate, gross, mention."""

    net: Decimal
    tax: Decimal
    gross: Decimal
    rate: Decimal
    note: str
    vat_message: str


def sponsorship_quote(*, package, billing_country: str, vat_number: str) -> SponsorshipQuote:
    """The invoice a sponsorship application will get, for the billing country and VAT number it gives.

    The same rule, check and rounding as `sponsorship_invoice`; the VAT number is checked (VIES when on),
    so call it outside any transaction that holds locks.
    """
    event = package.event
    tax = sale_tax(
        kind=TaxKind.SPONSORSHIP,
        rule_id=event.sponsorship_tax_rule_id,
        place=event.country,
        buyer_country=billing_country,
        vat_id=vat_number,
        business=True,
        on=timezone.localdate(),
    )
    lines, gross, _buyer = taxed_invoice(
        description=package.name, price=package.price, currency=event.currency, tax=tax
    )
    net, tax_total, _gross = invoicing.lines_totals(lines, event.currency)
    return SponsorshipQuote(net, tax_total, gross, tax.rate, tax.note, tax.vat_message if tax.vat_check else "")


def taxed_invoice(
    *, description: str, price: Decimal, currency: str, tax: TaxDecision
) -> tuple[list[invoicing.Line], Decimal, dict]:
    """The invoice line of one taxed item, the gross to ask for (as the invoice will state it), and the
    buyer's tax details for the invoice (VAT number as checked, its check, the mention)."""
    lines = [
        invoicing.Line(
            description=description,
            unit_price=tax.basis(price, currency),
            tax_rate=tax.rate,
            price_includes_tax=tax.price_includes_tax,
        )
    ]
    _net, _tax, gross = invoicing.lines_totals(lines, currency)
    buyer = {}
    if tax.vat_check:
        buyer = {
            "buyer_country": tax.vat_check.country,
            "buyer_vat_id": tax.vat_number,
            "buyer_vat_check": tax.vat_message,
        }
    return lines, gross, buyer


def order_quote(
    *,
    event: Event,
    quantities: dict[TicketType, int],
    promo_code: PromoCode | None,
    tax: TaxDecision | None = None,
) -> Quote:
    """Exact totals: each line's discount is rounded half up to the cent, totals are sums of lines.

    With a tax decision, each line's tax (and the part its discount takes off) is worked out by
    portal.core.money as the invoice will state it, so the page, the payment and the invoice agree.
    """
    tax = tax or TaxDecision()
    currency = event.currency
    # A tax-included price loses the list rate's tax for a buyer charged another rate (reverse charge).
    included = tax.price_includes_tax
    lines = []
    for ticket_type, quantity in sorted(quantities.items(), key=lambda item: (item[0].position, item[0].pk)):
        if quantity <= 0:
            continue
        unit_price = tax.basis(ticket_type.price, currency)
        subtotal = round_money(unit_price * quantity, currency)
        discount = Decimal("0")
        if promo_code is not None and _promo_applies(promo_code, ticket_type):
            if promo_code.kind == PromoCode.Kind.PERCENT:
                discount = round_money(subtotal * promo_code.value / Decimal("100"), currency)
            else:
                off = tax.basis(min(promo_code.value, ticket_type.price), currency)
                discount = round_money(off * quantity, currency)
        discount = min(discount, subtotal)
        lines.append(QuoteLine(ticket_type, quantity, unit_price, subtotal, discount, subtotal - discount))
    taxes = tax_lines(
        [row for line in lines for row in ((line.subtotal, tax.rate, included), (-line.discount, tax.rate, included))],
        currency,
        rounding=settings.TAX_ROUNDING,
    )
    lines = [
        QuoteLine(
            *(line.ticket_type, line.quantity, line.unit_price, line.subtotal, line.discount, line.total),
            tax_rate=tax.rate,
            tax=taxes[2 * n][1] + taxes[2 * n + 1][1],
            discount_tax=-taxes[2 * n + 1][1],
        )
        for n, line in enumerate(lines)
    ]
    subtotal = sum((line.subtotal for line in lines), Decimal("0"))
    discount = sum((line.discount for line in lines), Decimal("0"))
    tax_total = sum((line.tax for line in lines), Decimal("0"))
    total = subtotal - discount + (Decimal("0") if included else tax_total)
    return Quote(
        currency=currency,
        lines=lines,
        promo_code=promo_code,
        subtotal=round_money(subtotal, currency),
        discount=round_money(discount, currency),
        total=round_money(total, currency),
        tax=round_money(tax_total, currency),
        tax_rate=tax.rate,
        prices_include_tax=included,
        tax_note=tax.note,
        tax_country=tax.country,
        vat_check=tax.vat_check,
    )


def _check_promo(*, event: Event, code: str, ticket_types: list[TicketType], now: datetime) -> PromoCode | None:
    if not (code or "").strip():
        return None
    promo = selectors.promo_code_find(event=event, code=code)
    if promo is not None and promo.active and promo.valid_until is not None and promo.valid_until <= now:
        raise PromoCodeInvalid(f"The promo code {promo.code} has expired.")
    if promo is None or not promo.is_valid_at(now):
        raise PromoCodeInvalid(f"The promo code {code.strip()!r} is not valid for {event.name}.")
    if not any(_promo_applies(promo, tt) for tt in ticket_types):
        raise PromoCodeInvalid(f"The promo code {promo.code} does not apply to the tickets you chose.")
    return promo


def order_validate(
    *,
    event: Event,
    quantities: dict[int, int],
    promo_code: str = "",
    now: datetime | None = None,
    ticket_types: list[TicketType] | None = None,
    tax: TaxDecision | None = None,
) -> Quote:
    """Everything about an order that can be checked without locks: window, types, limits, promo code.

    `ticket_types`: the event's ticket types as the caller already read them (the register page's),
    so they are not read again; any other type asked for is read from the database.
    """
    now = now or timezone.now()
    if not event.registration_is_open(now):
        raise RegistrationClosed(f"Registration for {event.name} is not open.")
    if any(int(n) < 0 for n in quantities.values()):
        raise OrderInvalid("Quantities cannot be negative.")
    wanted = {int(pk): int(n) for pk, n in quantities.items() if int(n) > 0}
    if not wanted:
        raise OrderInvalid("Choose at least one ticket.")
    types = {tt.pk: tt for tt in ticket_types or () if tt.pk in wanted and tt.event_id == event.pk}
    if missing := set(wanted) - set(types):
        types.update({tt.pk: tt for tt in TicketType.objects.filter(event=event, pk__in=missing)})
    if set(types) != set(wanted):
        raise OrderInvalid("One of the ticket types is not sold for this event.")
    promo = _check_promo(event=event, code=promo_code, ticket_types=list(types.values()), now=now)
    for pk, quantity in wanted.items():
        ticket_type = types[pk]
        if not ticket_type.on_sale(now):
            raise OrderInvalid(f"{ticket_type.name} is not on sale.")
        if ticket_type.hidden and not (
            promo and promo.ticket_types.filter(pk=ticket_type.pk).exists()  # hidden types need a code naming them
        ):
            raise OrderInvalid("One of the ticket types is not sold for this event.")
        if quantity > ticket_type.max_per_order:
            raise OrderInvalid(f"At most {ticket_type.max_per_order} × {ticket_type.name} per order.")
    if tax is None:  # a person's price, until the buyer says who they are
        tax = order_tax(event=event, on=timezone.localdate(now))
    return order_quote(event=event, quantities={types[pk]: n for pk, n in wanted.items()}, promo_code=promo, tax=tax)
