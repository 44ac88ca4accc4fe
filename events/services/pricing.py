"""Prices: what an order would cost, and whether a choice of tickets and a promo code can be sold."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from events import selectors
from events.exceptions import OrderInvalid, PromoCodeInvalid, RegistrationClosed
from events.models import Event, PromoCode, TicketType
from portal.core.money import round_money


@dataclass(frozen=True)
class QuoteLine:
    ticket_type: TicketType
    quantity: int
    unit_price: Decimal
    subtotal: Decimal
    discount: Decimal
    total: Decimal


@dataclass(frozen=True)
class Quote:
    currency: str
    lines: list[QuoteLine]
    promo_code: PromoCode | None = None
    subtotal: Decimal = Decimal("0")
    discount: Decimal = Decimal("0")
    total: Decimal = Decimal("0")
    messages: list[str] = field(default_factory=list)

    @property
    def quantity(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def needs_approval(self) -> bool:
        return any(line.ticket_type.needs_approval for line in self.lines)


def _promo_applies(promo: PromoCode, ticket_type: TicketType) -> bool:
    eligible = {tt.pk for tt in promo.ticket_types.all()}
    return not eligible or ticket_type.pk in eligible


def order_quote(*, event: Event, quantities: dict[TicketType, int], promo_code: PromoCode | None) -> Quote:
    """Exact totals: each line's discount is rounded half up to the cent, totals are sums of lines."""
    lines = []
    for ticket_type, quantity in sorted(quantities.items(), key=lambda item: (item[0].position, item[0].pk)):
        if quantity <= 0:
            continue
        subtotal = round_money(ticket_type.price * quantity, event.currency)
        discount = Decimal("0")
        if promo_code is not None and _promo_applies(promo_code, ticket_type):
            if promo_code.kind == PromoCode.Kind.PERCENT:
                discount = round_money(subtotal * promo_code.value / Decimal("100"), event.currency)
            else:
                discount = round_money(min(promo_code.value, ticket_type.price) * quantity, event.currency)
        discount = min(discount, subtotal)
        lines.append(QuoteLine(ticket_type, quantity, ticket_type.price, subtotal, discount, subtotal - discount))
    subtotal = sum((line.subtotal for line in lines), Decimal("0"))
    discount = sum((line.discount for line in lines), Decimal("0"))
    return Quote(
        currency=event.currency,
        lines=lines,
        promo_code=promo_code,
        subtotal=round_money(subtotal, event.currency),
        discount=round_money(discount, event.currency),
        total=round_money(subtotal - discount, event.currency),
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
    return order_quote(event=event, quantities={types[pk]: n for pk, n in wanted.items()}, promo_code=promo)
