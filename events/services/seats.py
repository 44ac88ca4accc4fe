"""Seats under lock: the capacity of the ticket types and promo code an order takes, counted in one transaction."""

import functools
from dataclasses import dataclass
from datetime import datetime

from events import selectors
from events.exceptions import PromoCodeUsedUp, SoldOut
from events.models import PromoCode, TicketType
from events.services.pricing import Quote
from portal.core import capacity

BUSY = "Many people are registering right now. Please try again in a moment."
SPONSORS_BUSY = "Many sponsors are applying right now. Please try again in a moment."


@dataclass(frozen=True)
class Capacity:
    """What the locked rows say, read in the locking query itself (staff may have changed it)."""

    seats: dict[int, int]  # ticket type pk -> capacity
    promo_max_uses: int | None = None
    promo_max_tickets: int | None = None


def _lock_capacity(*, ticket_type_ids: list[int], promo_code_id: int | None) -> Capacity:
    """Lock the capacity-owning rows in one global order (ticket types by pk, then the promo code)."""
    types = capacity.lock(TicketType.objects.filter(pk__in=ticket_type_ids).order_by("pk"), message=BUSY)
    promo = capacity.lock(PromoCode.objects.filter(pk=promo_code_id), message=BUSY) if promo_code_id else []
    limits = (promo[0].max_uses, promo[0].max_tickets) if promo else (None, None)
    return Capacity({tt.pk: tt.capacity for tt in types}, *limits)


def _sold_out(ticket_type: TicketType, left: int) -> SoldOut:
    name = ticket_type.name
    message = f"{name} is sold out." if left == 0 else f"Only {left} × {name} left."
    return SoldOut(message, extra={"ticket_type": ticket_type.pk, "available": left})


def _check_capacity(
    *,
    quote: Quote,
    seats: Capacity,
    now: datetime,
    exclude_order_id: int | None = None,
    exclude_waiting_entry_id: int | None = None,
) -> None:
    """Count, after the lock, what is held or sold; raise SoldOut or PromoCodeUsedUp if the quote does not fit."""
    taken = selectors.seats_taken(
        ticket_type_ids=[line.ticket_type.pk for line in quote.lines],
        now=now,
        exclude_order_id=exclude_order_id,
        exclude_waiting_entry_id=exclude_waiting_entry_id,
        # The public comes after the waiting list; an offer's holder does not wait for those behind them.
        include_waiting=exclude_waiting_entry_id is None,
    )
    for line in quote.lines:
        capacity.ensure_room(
            taken=taken[line.ticket_type.pk],
            wanted=line.quantity,
            limit=seats.seats[line.ticket_type.pk],
            refuse=functools.partial(_sold_out, line.ticket_type),
        )
    promo = quote.promo_code
    if promo is not None and seats.promo_max_uses is not None:
        capacity.ensure_room(
            taken=selectors.promo_code_uses(promo_code_id=promo.pk, now=now, exclude_order_id=exclude_order_id),
            wanted=1,
            limit=seats.promo_max_uses,
            refuse=lambda left: PromoCodeUsedUp(f"The promo code {promo.code} has been used up."),
        )
    if promo is not None and seats.promo_max_tickets is not None:
        capacity.ensure_room(
            taken=selectors.promo_code_tickets(promo_code_id=promo.pk, now=now, exclude_order_id=exclude_order_id),
            wanted=sum(line.quantity for line in quote.lines if line.discount > 0),
            limit=seats.promo_max_tickets,
            refuse=lambda left: PromoCodeUsedUp(
                f"The promo code {promo.code} covers {left} more ticket{'s' if left != 1 else ''}.",
                extra={"tickets_left": left},
            ),
        )
