"""Orders people can come back to: where the tickets went, the unpaid order's link, the choice kept, an expired code."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from events import services
from events.exceptions import PromoCodeInvalid
from events.models import Order
from tests.events.factories import EventFactory, PromoCodeFactory, TicketTypeFactory, buyer

pytestmark = pytest.mark.django_db


@pytest.fixture
def summit():
    event = EventFactory(slug="summit", currency="EUR")
    return event, TicketTypeFactory(event=event, name="Full access", price=Decimal("400.00"))


def test_the_paid_order_page_says_registered_and_where_each_ticket_went(client, summit):
    event, full = summit
    full.price = Decimal("0")
    full.save()
    order = services.order_create(
        event=event,
        quantities={full.pk: 2},
        attendees=[{"name": "Ada Lovelace", "email": "ada@example.org"}, {"name": "Alan Turing"}],
        accepted_code_of_conduct=True,
        **buyer(1),
    )
    body = client.get(order.get_absolute_url()).content.decode()
    assert "You are registered for" in body
    assert "Your tickets were sent to buyer1@example.org" in body
    assert "Ada Lovelace: ada@example.org" in body
    assert body.count("<details") >= 2  # each attendee's form opens on demand


def test_an_unpaid_order_gets_its_link_once_with_how_long_the_seats_are_held(
    summit, django_capture_on_commit_callbacks
):
    event, full = summit
    order = services.order_create(event=event, quantities={full.pk: 1}, accepted_code_of_conduct=True, **buyer(2))
    assert services.orders_send_payment_links() == 0  # just placed: the buyer is paying
    later = timezone.now() + timedelta(minutes=5)
    with time_machine.travel(later):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.orders_send_payment_links() == 1
            assert services.orders_send_payment_links() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["buyer2@example.org"] and order.get_absolute_url() in message.body
    assert "about 10 minutes from now" in message.body
    order.refresh_from_db()
    assert order.payment_link_sent_at is not None
    # A paid order gets none.
    other = services.order_create(event=event, quantities={full.pk: 1}, accepted_code_of_conduct=True, **buyer(3))
    Order.objects.filter(pk=other.pk).update(status=Order.Status.PAID, paid_at=timezone.now())
    with time_machine.travel(later):
        assert services.orders_send_payment_links() == 0


def test_change_tickets_keeps_the_quantities_and_the_promo_code(client, summit):
    event, full = summit
    PromoCodeFactory(event=event, code="TEN", value=Decimal("10"), ticket_types=[full])
    details = client.get(f"/events/summit/register/?step=details&qty_{full.pk}=3&promo_code=ten").content.decode()
    change = details.split(">Change tickets</a>")[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert f"qty_{full.pk}=3" in change and "promo_code=TEN" in change
    choice = client.get(change).content.decode()
    assert f'name="qty_{full.pk}" value="3"' in choice
    assert 'name="promo_code" value="TEN"' in choice


def test_an_expired_promo_code_says_expired(client, summit):
    event, full = summit
    PromoCodeFactory(event=event, code="EARLY", valid_until=timezone.now() - timedelta(days=1))
    with pytest.raises(PromoCodeInvalid, match="EARLY has expired"):
        services.order_validate(event=event, quantities={full.pk: 1}, promo_code="early")
    body = client.get(f"/events/summit/register/?step=details&qty_{full.pk}=1&promo_code=early").content.decode()
    assert "has expired" in body
