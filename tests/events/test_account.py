import json
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from events import services
from events.models import Order
from portal.accounts.services import user_anonymise
from portal.models import User
from tests.events.factories import TicketTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada():
    user = User.objects.create_user(email="ada@example.org", password="x", first_name="Ada")
    EmailAddress.objects.create(user=user, email="ada@example.org", verified=True, primary=True)
    return user


def _order(ticket_type, email, user=None, attendees=None):
    return services.order_create(
        event=ticket_type.event,
        quantities={ticket_type.pk: len(attendees or [1])},
        buyer_name="Buyer",
        buyer_email=email,
        attendees=attendees,
        accepted_code_of_conduct=True,
        user=user,
    )


def test_my_account_lists_orders_guest_orders_and_tickets_bought_for_me(client, ada):
    free = TicketTypeFactory(name="Virtual pass", price=Decimal("0"))
    mine = _order(free, "someone@example.org", user=ada)
    guest = _order(free, "ada@example.org")
    gift = _order(free, "boss@example.org", attendees=[{"name": "Ada", "email": "ada@example.org"}])
    _order(free, "stranger@example.org")
    client.force_login(ada)
    html = client.get(reverse("accounts:home")).content.decode()
    assert "Your summit tickets" in html
    assert mine.get_absolute_url() in html and guest.get_absolute_url() in html
    assert gift.get_absolute_url() not in html and "bought for you by Buyer" in html
    assert html.count("order ") == 2


def test_export_and_anonymise(client, ada):
    order = _order(TicketTypeFactory(price=Decimal("0")), "ada@example.org", user=ada, attendees=[{"name": "Ada"}])
    client.force_login(ada)
    exported = json.loads(client.get(reverse("accounts:export")).content)
    assert exported["event_orders"][0]["order"] == order.code
    user_anonymise(user=ada, actor=ada)
    order = Order.objects.get(pk=order.pk)
    assert order.user is None and order.buyer_name == "Anonymised" and "ada" not in order.buyer_email
    assert order.tickets.get().attendee_name == ""
    assert order.total == 0 and order.status == Order.Status.PAID  # the financial row stays


def test_deleting_the_account_anonymises_guest_orders_placed_with_its_addresses(ada):
    EmailAddress.objects.create(user=ada, email="ada@work.example", verified=True)
    EmailAddress.objects.create(user=ada, email="not-ada@example.org", verified=False)  # unproven: not hers
    free = TicketTypeFactory(price=Decimal("0"))
    guest = _order(free, "ADA@example.org", attendees=[{"name": "Ada", "email": "ada@example.org"}])
    work = _order(free, "ada@work.example")
    gift = _order(free, "boss@example.org", attendees=[{"name": "Ada L.", "email": "ada@work.example"}])
    unproven = _order(free, "not-ada@example.org")
    stranger = _order(free, "stranger@example.org", attendees=[{"name": "Grace", "email": "grace@example.org"}])

    user_anonymise(user=ada, actor=ada)

    for order in (guest, work):
        order = Order.objects.get(pk=order.pk)
        assert (order.buyer_name, order.billing_address) == ("Anonymised", "")
        assert "ada" not in order.buyer_email.lower()
        assert order.status == Order.Status.PAID  # the financial row stays
    assert guest.tickets.get().attendee_name == "" and guest.tickets.get().attendee_email == ""
    gift = Order.objects.get(pk=gift.pk)
    assert (gift.buyer_name, gift.buyer_email) == ("Buyer", "boss@example.org")  # the buyer is someone else
    assert (gift.tickets.get().attendee_name, gift.tickets.get().attendee_email) == ("", "")
    assert Order.objects.get(pk=unproven.pk).buyer_email == "not-ada@example.org"
    stranger = Order.objects.get(pk=stranger.pk)
    assert (stranger.buyer_name, stranger.buyer_email) == ("Buyer", "stranger@example.org")
    assert stranger.tickets.get().attendee_name == "Grace"
