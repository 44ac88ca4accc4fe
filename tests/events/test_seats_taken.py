"""The seat count the capacity lock and the register page rely on (SQL in events/selectors.py).

Both are written in SQL for speed (the lock's per type, the page's with the types); promo codes count
orders with the ORM's `holding_orders_q`. Orders and offers in every state, on two ticket types, must
give all three the same seats.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import F, Sum
from django.utils import timezone

from events.models import Order, OrderLine, WaitingListEntry
from events.selectors import holding_orders_q, seats_taken, ticket_types_with_availability
from tests.events.factories import EventFactory, TicketTypeFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _order(event, ticket_type, *, status, quantity, expires_at=None, n=[0]):  # noqa: B006 - a counter
    n[0] += 1
    order = Order.objects.create(
        event=event,
        buyer_name=f"Buyer {n[0]}",
        buyer_email=f"buyer{n[0]}@example.org",
        status=status,
        currency="EUR",
        subtotal=Decimal("0"),
        total=Decimal("0"),
        expires_at=expires_at,
        paid_at=NOW if status in Order.SOLD else None,
    )
    OrderLine.objects.create(
        order=order, ticket_type=ticket_type, quantity=quantity, unit_price=Decimal("0"), total=Decimal("0")
    )
    return order


def _offer(ticket_type, *, status, quantity, offer_expires_at=None):
    return WaitingListEntry.objects.create(
        ticket_type=ticket_type,
        email=f"wait{WaitingListEntry.objects.count()}@example.org",
        quantity=quantity,
        status=status,
        offer_expires_at=offer_expires_at,
    )


@pytest.fixture
def sales():
    event = EventFactory()
    full = TicketTypeFactory(event=event, name="Full", capacity=100)
    student = TicketTypeFactory(event=event, name="Student", capacity=50, hidden=True)
    S = Order.Status
    kept = {
        "paid": _order(event, full, status=S.PAID, quantity=3),
        "partly refunded": _order(event, full, status=S.PARTIALLY_REFUNDED, quantity=2),
        "held": _order(event, full, status=S.PENDING, quantity=4, expires_at=NOW + timedelta(minutes=5)),
        "awaiting approval": _order(event, student, status=S.PENDING, quantity=5),
    }
    for status in (S.EXPIRED, S.CANCELED, S.REFUNDED):
        _order(event, full, status=status, quantity=7)
    _order(event, full, status=S.PENDING, quantity=8, expires_at=NOW - timedelta(seconds=1))  # hold ran out
    W = WaitingListEntry.Status
    offer = _offer(student, status=W.OFFERED, quantity=2, offer_expires_at=NOW + timedelta(hours=1))
    _offer(student, status=W.OFFERED, quantity=9, offer_expires_at=NOW - timedelta(seconds=1))
    for status in (W.WAITING, W.ORDERED, W.EXPIRED, W.LEFT):
        _offer(student, status=status, quantity=9)
    return event, full, student, kept, offer


def test_seats_are_those_of_paid_and_held_orders_and_open_offers(sales):
    event, full, student, kept, offer = sales
    taken = seats_taken(ticket_type_ids=[full.pk, student.pk], now=NOW)
    assert taken == {full.pk: 3 + 2 + 4, student.pk: 5 + 2}
    orders_by_orm = {
        tt.pk: OrderLine.objects.filter(holding_orders_q(NOW, "order__"), ticket_type=tt).aggregate(
            n=Sum(F("quantity") - F("canceled_quantity"))
        )["n"]
        for tt in (full, student)
    }
    assert orders_by_orm == {full.pk: taken[full.pk], student.pk: taken[student.pk] - 2}  # less the open offer
    by_page = {tt.pk: tt.taken for tt in ticket_types_with_availability(event=event, include_hidden=True, now=NOW)}
    assert by_page == taken


def test_the_register_page_shows_seats_taken_apart_from_those_the_waiting_list_waits_for(sales):
    event, full, student, kept, offer = sales
    shown = {
        tt.name: (tt.taken, tt.waiting, tt.available)
        for tt in ticket_types_with_availability(event=event, include_hidden=True, now=NOW)
    }
    assert shown == {"Full": (3 + 2 + 4, 0, 100 - 9), "Student": (5 + 2, 9, 50 - 7 - 9)}
    assert [tt.name for tt in ticket_types_with_availability(event=event, now=NOW)] == ["Full"]  # Student is hidden


def test_an_order_or_an_offer_being_changed_leaves_its_own_seats_out(sales):
    event, full, student, kept, offer = sales
    taken = seats_taken(
        ticket_type_ids=[full.pk, student.pk],
        now=NOW,
        exclude_order_id=kept["held"].pk,
        exclude_waiting_entry_id=offer.pk,
    )
    assert taken == {full.pk: 3 + 2, student.pk: 5}


def test_a_type_nobody_bought_has_no_seats_taken_and_no_types_no_query(django_assert_num_queries):
    event = EventFactory()
    fresh = TicketTypeFactory(event=event)
    assert seats_taken(ticket_type_ids=[fresh.pk], now=NOW) == {fresh.pk: 0}
    with django_assert_num_queries(0):
        assert seats_taken(ticket_type_ids=[], now=NOW) == {}
