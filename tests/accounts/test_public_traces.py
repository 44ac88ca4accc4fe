"""When a person deletes their account, every public trace of them goes at once, whichever process
runs the deletion (the web, a shell, a worker): the purge is the service's, not a web-only signal's.
The audit log keeps what happened to their tickets, not their names."""

import json
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from wagtail.models import ModelLogEntry

from events import services as event_services
from events.models import Ticket
from portal.accounts.services import user_anonymise
from tests.accounts.factories import UserFactory
from tests.events.factories import EventFactory, TicketTypeFactory
from tests.members.factories import individual_member
from tests.portal.factories import directory

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(site_with_home):
    directory(site_with_home).save_revision().publish()
    return site_with_home


def test_a_deleted_accounts_profile_and_list_entry_go_at_once_for_cached_visitors(
    site, django_capture_on_commit_callbacks
):
    person = UserFactory(first_name="Zoe", last_name="Finance")
    individual_member(user=person, name="Zoe Finance", affiliations=[("Acme Orbit", "Finance lead")])
    visitor = Client()
    listing, profile = visitor.get("/members/individuals/"), visitor.get("/members/individuals/zoe-finance/")
    assert "Zoe Finance" in listing.content.decode() and "Finance lead" in profile.content.decode()
    # The pages are now in the page cache; the deletion runs as a shell or a worker would: the service alone.
    with django_capture_on_commit_callbacks(execute=True):
        user_anonymise(user=person, actor=person)
    assert visitor.get("/members/individuals/zoe-finance/").status_code == 404
    assert "Zoe Finance" not in visitor.get("/members/individuals/").content.decode()


def test_anonymised_tickets_audit_entries_lose_the_names(django_capture_on_commit_callbacks):
    buyer = UserFactory(first_name="Grace", last_name="Hopper", email="grace@example.org")
    EmailAddress.objects.filter(user=buyer).update(verified=True)  # the factory gave her the address
    event = EventFactory(slug="summit")
    free = TicketTypeFactory(event=event, name="Community", price=Decimal("0"), capacity=10)
    order = event_services.order_create(
        event=event,
        quantities={free.pk: 1},
        attendees=[{"name": "Grace Hopper"}],
        buyer_name="Grace Hopper",
        buyer_email="grace@example.org",
        accepted_code_of_conduct=True,
        user=buyer,
    )
    ticket = order.tickets.get()
    event_services.ticket_update(ticket=ticket, attendee_name="Grace B. Hopper", company="Remington Rand", actor=buyer)
    entries = ModelLogEntry.objects.filter(object_id=str(ticket.pk), content_type__model="ticket")
    assert any("Hopper" in e.label + json.dumps(e.data) for e in entries), "the entries named her before"

    with django_capture_on_commit_callbacks(execute=True):
        user_anonymise(user=buyer, actor=buyer)

    assert Ticket.objects.get(pk=ticket.pk).attendee_name == ""
    for entry in ModelLogEntry.objects.all():
        text = entry.label + json.dumps(entry.data)
        assert "Hopper" not in text and "Remington" not in text, (entry.action, text)
    assert entries.filter(action="events.ticket.update").get().label == "Ticket (anonymised)"
