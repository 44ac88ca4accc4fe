"""Every page a signed-in person reaches costs the same queries with ten times the data.

The demo foundation is loaded, each page is rendered once as a member company's admin (the Events
staff for check-in) with every cache emptied first, so the page is built from the database; then
ten times the members, orders and tickets are added and each page is rendered again. A page whose
queries grow with the data (a query per row) fails here, with the page and both counts named.
"""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import Event, Ticket
from members.models import Membership, MembershipTier, Organization, OrganizationRole
from portal.site.demo import DEMO_STAFF_EMAIL
from tests.conftest import login_staff
from tests.events.factories import TicketTypeFactory, paid_order, payable_order
from tests.members.factories import member, role_for

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Queries of each page built from the database for a signed-in person (session and person included, and
# their kind of header: admin access and whether they administer a company, kept between requests).
BUDGETS = {
    "project": 17,
    "directory": 15,
    "company": 17,
    "event": 18,
    "register": 10,  # the tax rules (cached between requests; every cache is emptied here)
    "order": 12,
    "pay": 10,
    "my account": 17,  # a company admin with orders: their tickets, sponsorships and bundles sections
    "member admin": 12,
    "check-in": 10,
}


def _queries(client: Client, url: str) -> int:
    cache.clear()  # the page cache, the fragments and the settings: built from the database
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return len(captured)


def _add_data(event: Event, times: int) -> None:
    """`times` more of each tier's members (with an admin each) and of the event's tickets (paid orders of two)."""
    for tier in list(MembershipTier.objects.all()):
        for n in range(times * max(1, tier.memberships.count())):
            role_for(member(tier, name=f"{tier.name} scale {n}"), OrganizationRole.Role.ADMIN)
    ticket_type = event.ticket_types.filter(price__gt=0).first() or TicketTypeFactory(event=event)
    for n in range(times * max(1, Ticket.objects.filter(order__event=event).count())):
        paid_order(event, ticket_type, n=1000 + n, quantity=2)


def test_signed_in_pages_cost_the_same_queries_with_ten_times_the_data():
    call_command("load_demo", verbosity=0)
    role = OrganizationRole.objects.filter(role=OrganizationRole.Role.ADMIN).select_related("organization").first()
    organization: Organization = role.organization
    event = Event.objects.filter(start__gte=timezone.now(), ticket_types__price__gt=0).order_by("start").first()
    person = Client()
    person.force_login(role.user)
    staff = Client()
    login_staff(staff, type(role.user).objects.get(email=DEMO_STAFF_EMAIL))
    ticket_type = event.ticket_types.filter(price__gt=Decimal("0")).first()
    order = paid_order(event, ticket_type, n=1, quantity=1)
    _unpaid, payment = payable_order(ticket_type, name="Pending Payer", email="pending@example.org")
    pages = {
        "project": (person, "/projects/openstack/"),
        "directory": (person, "/members/"),
        "company": (person, f"/members/{organization.slug}/"),
        "event": (person, event.get_absolute_url()),
        "register": (person, event.get_register_url()),
        "order": (person, order.get_absolute_url()),
        "pay": (person, payment.get_absolute_url()),
        "my account": (person, "/accounts/"),
        "member admin": (person, f"/members/manage/{organization.slug}/"),
        "check-in": (staff, f"/events/{event.slug}/checkin/?q=Attendee"),
    }

    before = {name: _queries(client, url) for name, (client, url) in pages.items()}
    members, tickets = Membership.objects.count(), Ticket.objects.filter(order__event=event).count()
    _add_data(event, times=9)
    assert (
        OrganizationRole.objects.count() >= 10 * members * 0.9
        and Ticket.objects.filter(order__event=event).count() >= 10 * tickets
    )
    assert "Gold scale 7" in person.get("/members/").content.decode()
    after = {name: _queries(client, url) for name, (client, url) in pages.items()}

    grew = {name: (before[name], after[name]) for name in pages if after[name] != before[name]}
    assert not grew, f"queries grew with the data (1x, 10x): {grew}"
    over = {name: count for name, count in after.items() if count > BUDGETS[name]}
    assert not over, f"over budget: {over}"
