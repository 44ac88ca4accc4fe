"""A page reached through a secret link shows a person's details to whoever holds the link: no shared
cache may keep it, no browser may store it, no search engine may list it."""

import re
from decimal import Decimal

import pytest
from django.core import mail

from events import services
from members.manage import invitations
from tests.accounts.factories import UserFactory
from tests.events.factories import EventFactory, TicketTypeFactory, paid_order
from tests.members.factories import MembershipTierFactory, member, role_for

pytestmark = pytest.mark.django_db


def assert_secret(response):
    assert response.status_code == 200, response.status_code
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= cache_control, response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]


def test_an_orders_pages_and_documents_are_never_stored_nor_indexed(client):
    event = EventFactory(slug="summit")
    free = TicketTypeFactory(event=event, name="Community", price=Decimal("0"), capacity=10)
    order = paid_order(event, free)
    for suffix in ("", "tickets.pdf", "calendar.ics", f"tickets/{order.tickets.get().code}/qr.png"):
        assert_secret(client.get(order.get_absolute_url() + suffix))


def test_the_pay_page_of_an_unpaid_order_is_never_stored_nor_indexed(client):
    event = EventFactory(slug="summit")
    full = TicketTypeFactory(event=event, name="Full access", price=Decimal("749.99"), capacity=10)
    order = services.order_create(
        event=event,
        quantities={full.pk: 1},
        buyer_name="Lin",
        buyer_email="lin@example.org",
        accepted_code_of_conduct=True,
    )
    pay = client.post(order.get_absolute_url() + "pay/", follow=True)
    assert_secret(pay)
    assert "/payments/" in pay.redirect_chain[-1][0]


def test_an_invitation_link_is_never_stored_nor_indexed(client, django_capture_on_commit_callbacks):
    organization = member(MembershipTierFactory(), name="Acme", slug="acme")
    admin = role_for(organization, "admin", UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        invitations.invitation_create(organization=organization, email="grace@example.org", role="billing", actor=admin)
    link = re.search(r"https?://[^/\s]+(/members/invitations/[^\s]+/)", mail.outbox[-1].body).group(1)
    assert_secret(client.get(link))


def test_public_pages_stay_cacheable():
    # The header is for secret links only: the register page is public and carries no X-Robots-Tag.
    from django.test import Client

    EventFactory(slug="summit")
    response = Client().get("/events/summit/register/")
    assert "X-Robots-Tag" not in response
