"""Acceptance 2: 200 buyers on 40 threads race for the last seats on PostgreSQL.

The test proves it can see a race: with the lock switched off (tests.concurrency.without_capacity_locks)
and a sleep between count and write, the same run oversells.
"""

from decimal import Decimal

import pytest
from django.db.models import Sum

from events import services
from events.models import Order, OrderLine
from tests.concurrency import race, widen_the_window, without_capacity_locks
from tests.events.factories import PromoCodeFactory, TicketTypeFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BUYERS = 200
THREADS = 40


def _race(ticket_type, *, promo_code: str = "") -> dict[str, int]:
    """Every buyer asks for one seat; a "busy, try again" answer is retried like a person would."""

    def buy(n: int) -> None:
        services.order_create(
            event=ticket_type.event,
            quantities={ticket_type.pk: 1},
            promo_code=promo_code,
            accepted_code_of_conduct=True,
            buyer_name=f"Buyer {n}",
            buyer_email=f"buyer{n}@example.org",
        )

    return race(buy, BUYERS, threads=THREADS)


def _seats(ticket_type) -> int:
    return OrderLine.objects.filter(ticket_type=ticket_type).aggregate(n=Sum("quantity"))["n"] or 0


def test_last_fifty_seats_are_never_oversold():
    ticket_type = TicketTypeFactory(capacity=50, price=Decimal("749.00"))
    with widen_the_window(0.005):  # the window is wide open, the lock must still hold
        outcomes = _race(ticket_type)
    assert outcomes["ok"] == 50
    assert outcomes["sold_out"] == BUYERS - 50
    assert _seats(ticket_type) == 50


def test_promo_code_limited_to_ten_uses_is_never_overused():
    ticket_type = TicketTypeFactory(capacity=1000, price=Decimal("749.00"))
    PromoCodeFactory(event=ticket_type.event, code="TEN", max_uses=10, ticket_types=[ticket_type])
    with widen_the_window(0.005):
        outcomes = _race(ticket_type, promo_code="TEN")
    assert outcomes["ok"] == 10
    assert Order.objects.filter(promo_code__code="TEN").count() == 10


def test_without_the_lock_the_same_race_oversells():
    """The control: it shows the two tests above would catch a missing lock."""
    ticket_type = TicketTypeFactory(capacity=50, price=Decimal("749.00"))
    promo_type = TicketTypeFactory(event=ticket_type.event, capacity=1000, price=Decimal("749.00"))
    PromoCodeFactory(event=ticket_type.event, code="TEN", max_uses=10, ticket_types=[promo_type])
    with without_capacity_locks(), widen_the_window(0.05):
        _race(ticket_type)
        _race(promo_type, promo_code="TEN")
    assert _seats(ticket_type) > 50
    assert Order.objects.filter(promo_code__code="TEN").count() > 10
