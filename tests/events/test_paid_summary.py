"""The return page's words after an order is paid come from one written-out statement; it reads what the
ORM reads, for every shape of ticket address."""

import pytest
from django.db.models import Exists, OuterRef

from events.models import Order, Ticket
from events.selectors import order_paid_summary
from tests.events.factories import EventFactory, TicketTypeFactory, paid_order

pytestmark = pytest.mark.django_db


def _orm_reading(order_id: int) -> tuple[str, str, bool]:
    own_address = (
        Ticket.objects.filter(order=OuterRef("pk"))
        .exclude(attendee_email="")
        .exclude(attendee_email=OuterRef("buyer_email"))
    )
    order = Order.objects.select_related("event").annotate(holders=Exists(own_address)).get(pk=order_id)
    return order.event.name, order.buyer_email, order.holders


@pytest.mark.parametrize(
    "addresses",
    [
        [""],  # no address: the buyer gets it
        ["buyer{n}@example.org"],  # the buyer's own
        ["BUYER{n}@example.org"],  # the same in capitals reads as another (as the ORM reads it)
        ["", "grace@example.org"],  # one attendee with an address of their own
        ["buyer{n}@example.org", ""],
    ],
)
def test_the_statement_reads_as_the_orm(addresses):
    event = EventFactory(name="OpenInfra Summit Berlin")
    ticket_type = TicketTypeFactory(event=event, price=0)
    order = paid_order(event, ticket_type, n=7, quantity=len(addresses))
    for ticket, address in zip(order.tickets.order_by("pk"), addresses, strict=True):
        Ticket.objects.filter(pk=ticket.pk).update(attendee_email=address.format(n=7))
    assert order_paid_summary(order.pk) == _orm_reading(order.pk)
    assert order_paid_summary(str(order.pk))[:2] == ("OpenInfra Summit Berlin", "buyer7@example.org")


def test_an_order_that_is_not_there_is_not_found():
    with pytest.raises(Order.DoesNotExist):
        order_paid_summary(987654)
