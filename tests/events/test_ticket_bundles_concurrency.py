"""Bundles take their seats under the same lock as any order: on PostgreSQL, companies racing for the last
ten seats with bundles of four, and buyers of single tickets beside them, never oversell."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from events import services
from events.exceptions import Busy, SoldOut
from events.models import OrderLine, TicketBundle
from events.services import bundles
from tests.concurrency import run_at_once, widen_the_window
from tests.events.factories import TicketTypeFactory
from tests.members.factories import OrganizationFactory, role_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_bundles_and_single_orders_racing_for_ten_seats_never_oversell():
    ticket_type = TicketTypeFactory(capacity=10, price=Decimal("100.00"))
    event = ticket_type.event
    companies = [OrganizationFactory() for _ in range(4)]
    admins = [role_for(company, "admin") for company in companies]

    def buy_bundle(n: int):
        return bundles.bundle_create(
            event=event,
            organization=companies[n],
            ticket_type=ticket_type,
            quantity=4,
            actor=admins[n],
            buyer_name=f"Admin {n}",
            buyer_email=f"admin{n}@example.org",
        )

    def buy_one(n: int):
        return services.order_create(
            event=event,
            quantities={ticket_type.pk: 1},
            buyer_name=f"Buyer {n}",
            buyer_email=f"buyer{n}@example.org",
            accepted_code_of_conduct=True,
        )

    def contender(kind: str, n: int):
        return buy_bundle(n) if kind == "bundle" else buy_one(n)

    with widen_the_window(0.01):  # counted seats overlap; the lock must still keep the writers apart
        outcomes = run_at_once(contender, [("bundle", n) for n in range(4)] + [("single", n) for n in range(4)])

    # Sold out, or "busy, try again" in a rush: nothing else, and never more seats than there are.
    unexpected = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, SoldOut | Busy)]
    assert unexpected == []
    sold = OrderLine.objects.filter(ticket_type=ticket_type).aggregate(n=Sum("quantity"))["n"]
    assert sold <= 10
    won_bundles = sum(isinstance(o, TicketBundle) for o in outcomes)
    won_singles = len(outcomes) - won_bundles - sum(isinstance(o, SoldOut | Busy) for o in outcomes)
    assert sold == 4 * won_bundles + won_singles
    assert won_bundles <= 2 and TicketBundle.objects.count() == won_bundles
    # Whatever the order of arrival, the room left is smaller than any refused request.
    if any(isinstance(o, SoldOut) and "bundle of 4" in o.message for o in outcomes):
        assert 10 - sold < 4
