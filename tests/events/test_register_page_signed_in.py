"""The register page's first step for signed-in people: shared for a moment by everyone with the same
header who may (or may not) buy bundles, as anonymous visitors share theirs, and never past a change."""

from decimal import Decimal

import pytest
import time_machine
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.utils import timezone

from events.views import CHOICE_PAGE_CACHE_SECONDS
from tests.accounts.factories import UserFactory
from tests.conftest import signed_in_client
from tests.events.factories import EventFactory, TicketTypeFactory, paid_order
from tests.members.factories import OrganizationFactory, role_for

pytestmark = pytest.mark.django_db
URL = "/events/summit/register/"


@pytest.fixture
def full():
    event = EventFactory(slug="summit", name="OpenInfra Summit", currency="EUR")
    return TicketTypeFactory(event=event, name="Full access", price=Decimal("500.00"), capacity=100)


def test_signed_in_people_share_the_page_for_a_moment_at_two_queries(full, django_assert_max_num_queries):
    first = signed_in_client().get(URL)
    assert first["X-Page-Cache"] == "miss" and "private" in first["Cache-Control"]
    other = signed_in_client()
    other.get(URL)  # their kind of header (admin access, company admin or not) is looked up once
    with django_assert_max_num_queries(2):  # the session and the person, nothing for the page
        hit = other.get(URL)
    html = hit.content.decode()
    assert hit["X-Page-Cache"] == "hit"
    assert "Full access" in html and "My account" in html and "Log in" not in html
    assert "Buy a bundle" not in html


def test_only_a_company_admin_is_offered_bundles_and_a_new_admin_at_once(full):
    admin = role_for(OrganizationFactory(name="Acme Cloud"), "admin")
    assert "Buy a bundle" in signed_in_client(admin).get(URL).content.decode()
    person = UserFactory()
    client = signed_in_client(person)
    assert "Buy a bundle" not in client.get(URL).content.decode(), "the admin's page is not served to others"
    orbit = OrganizationFactory(name="Orbit Robotics")
    role_for(orbit, "admin", user=person)
    assert "Buy a bundle" in client.get(URL).content.decode()
    orbit.roles.filter(user=person).delete()
    assert "Buy a bundle" not in client.get(URL).content.decode(), "no longer an admin: no offer, at once"


def test_a_ticket_type_changed_by_staff_shows_at_once(full):
    client = signed_in_client()
    assert "Full access" in client.get(URL).content.decode()
    full.name = "Full access (with workshops)"
    full.save()
    response = client.get(URL)
    assert response["X-Page-Cache"] == "miss"
    assert "Full access (with workshops)" in response.content.decode()


def test_seats_sold_show_once_the_moment_has_passed(full):
    full.capacity = 3
    full.save()
    client = signed_in_client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert "Sold out" not in client.get(URL).content.decode()
        paid_order(full.event, full, quantity=3)
        clock.shift(CHOICE_PAGE_CACHE_SECONDS + 1)
        assert "Sold out" in client.get(URL).content.decode()


def test_a_person_with_a_message_waiting_gets_the_page_rendered_with_it(full, rf):
    client = signed_in_client()
    client.get(URL)  # stored without messages
    storage, carrier = CookieStorage(rf.get("/")), HttpResponse()
    storage.add(messages.INFO, "Your order has expired.")
    storage.update(carrier)
    client.cookies["messages"] = carrier.cookies["messages"].value
    assert "Your order has expired." in client.get(URL).content.decode()
    assert "Your order has expired." not in client.get(URL).content.decode(), "shown once, then the kept page"
