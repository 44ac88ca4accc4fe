"""What only the event decides (its dates and place, its refund policy) is drawn once per event and kept until
the event changes: a save shows at once on the order page."""

from decimal import Decimal

import pytest
from django.template import Context, Template, TemplateSyntaxError

from events.models import Event
from tests.events.factories import EventFactory, TicketTypeFactory, paid_order

pytestmark = pytest.mark.django_db


def test_the_order_page_shows_the_events_place_and_policy_and_a_change_at_once(client):
    event = EventFactory(slug="summit", city="Berlin", country="Germany", refund_policy="Ask us first.")
    order = paid_order(event, TicketTypeFactory(event=event, price=Decimal("100.00")), n=1)
    page = client.get(order.get_absolute_url()).content.decode()
    assert "Berlin, Germany" in page and "Ask us first." in page

    event = Event.objects.get(pk=event.pk)
    event.city, event.refund_policy = "Paris", "Write to us."
    event.save()
    page = client.get(order.get_absolute_url()).content.decode()
    assert "Paris, Germany" in page and "Write to us." in page
    assert "Berlin" not in page and "Ask us first." not in page


def test_two_events_are_kept_apart(client):
    first = EventFactory(slug="one", city="Berlin")
    second = EventFactory(slug="two", city="Vancouver")
    orders = [paid_order(e, TicketTypeFactory(event=e, price=0), n=n) for n, e in enumerate([first, second])]
    assert "Berlin" in client.get(orders[0].get_absolute_url()).content.decode()
    page = client.get(orders[1].get_absolute_url()).content.decode()
    assert "Vancouver" in page and "Berlin" not in page


def test_only_the_events_own_fragments_may_be_kept():
    with pytest.raises(TemplateSyntaxError):
        Template('{% load events_tags %}{% event_fragment "events/order.html" event %}').render(
            Context({"event": None})
        )
