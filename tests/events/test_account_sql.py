"""My account's order and ticket lists are SQL (events.selectors): they find exactly what the ORM
selectors find (orders_for_user, tickets_held_by_user), whichever way the person came by them; so do
the links to the sponsor pages of the organisations the person administers."""

from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from events import selectors, services
from events.models import Order, SponsorshipPackage, Ticket
from members.models import OrganizationRole
from portal.models import User
from tests.events.factories import EventFactory, TicketTypeFactory
from tests.members.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def _order(ticket_type, email, user=None, attendees=None, quantity=1):
    return services.order_create(
        event=ticket_type.event,
        quantities={ticket_type.pk: len(attendees) if attendees else quantity},
        buyer_name=f"Buyer of {email}",
        buyer_email=email,
        attendees=attendees,
        accepted_code_of_conduct=True,
        user=user,
    )


def test_the_sql_lists_find_what_the_orm_selectors_find():
    ada = User.objects.create_user(email="ada@example.org", password="x")
    EmailAddress.objects.create(user=ada, email="ada@example.org", verified=True, primary=True)
    EmailAddress.objects.create(user=ada, email="ada@elsewhere.example", verified=False)
    other = User.objects.create_user(email="bob@example.org", password="x")
    free = TicketTypeFactory(name="Virtual pass", price=Decimal("0"))
    paid = TicketTypeFactory(name="Full access", price=Decimal("100"))

    _order(free, "someone@example.org", user=ada, quantity=3)  # signed in, another address
    _order(free, "ada@example.org")  # as a guest, a verified address
    _order(free, "ada@elsewhere.example")  # an unverified address: maybe someone else's
    _order(paid, "ada@example.org", user=ada)  # pending, not paid
    expired = _order(paid, "ada@example.org", user=ada)
    Order.objects.filter(pk=expired.pk).update(status=Order.Status.EXPIRED)
    _order(free, "bob@example.org", user=other)
    _order(free, "boss@example.org", attendees=[{"name": "Ada", "email": "ada@example.org"}, {"name": "Carl"}])
    canceled = _order(free, "boss2@example.org", attendees=[{"name": "Ada", "email": "ada@example.org"}])
    Ticket.objects.filter(order=canceled).update(canceled_at=timezone.now())
    _order(paid, "boss3@example.org", attendees=[{"name": "Ada", "email": "ada@example.org"}])  # not paid yet
    _order(free, "ada@example.org", attendees=[{"name": "Ada", "email": "ada@example.org"}])  # her own order
    _order(free, "bob@example.org", user=ada, attendees=[{"name": "Ada", "email": "ada@example.org"}])  # hers too

    for person in (ada, other):
        expected = list(selectors.orders_for_user(person))
        listed = selectors.orders_listed_read(person).fetch()
        assert [order.pk for order in listed] == [order.pk for order in expected]
        assert [order.ticket_count for order in listed] == [len(order.tickets.all()) for order in expected]
        assert [(order.event_name, order.event_slug) for order in listed] == [
            (order.event.name, order.event.slug) for order in expected
        ]
        assert [order.total for order in listed] == [order.total for order in expected]

        held = list(selectors.tickets_held_by_user(person))
        held_listed = selectors.tickets_held_listed_read(person).fetch()
        assert [ticket.pk for ticket in held_listed] == [ticket.pk for ticket in held]
        assert [(t.event_name, t.ticket_type_name, t.buyer_name) for t in held_listed] == [
            (t.order.event.name, t.ticket_type.name, t.order.buyer_name) for t in held
        ]
    assert (
        len(selectors.orders_listed_read(ada).fetch()) == 5
        and len(selectors.tickets_held_listed_read(ada).fetch()) == 1
    )


def test_the_sponsoring_organisations_are_those_the_person_administers_that_sponsor():
    ada, bob = User.objects.create_user(email="ada@example.org"), User.objects.create_user(email="bob@example.org")
    package = SponsorshipPackage.objects.create(event=EventFactory(), name="Gold", price=Decimal("10"), slots=5)
    acme, zeta, quiet = (OrganizationFactory(name=name) for name in ("Acme", "Zeta", "Quiet"))
    for organization in (zeta, acme, quiet):
        OrganizationRole.objects.create(user=ada, organization=organization, role=OrganizationRole.Role.ADMIN)
    OrganizationRole.objects.create(user=bob, organization=acme, role=OrganizationRole.Role.TECHNICAL)
    services.sponsorship_request(package=package, organization=zeta, contact_email="a@x", actor=ada)
    for name in ("Silver", "Bronze"):  # two sponsorships, one link
        other = SponsorshipPackage.objects.create(event=package.event, name=name, price=Decimal("5"), slots=5)
        services.sponsorship_request(package=other, organization=acme, contact_email="a@x", actor=ada)

    assert [o.name for o in selectors.sponsoring_organizations_administered_read(ada).fetch()] == ["Acme", "Zeta"]
    assert selectors.sponsoring_organizations_administered_read(bob).fetch() == []  # not an admin
