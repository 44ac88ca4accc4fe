"""A fair waiting list: every seat freed or added goes to the people waiting before the public."""

import re
from decimal import Decimal

import pytest
from django.core import mail

from events import selectors, services
from events.exceptions import SoldOut
from events.models import TicketType, WaitingListEntry
from tests.events.factories import EventFactory, TicketTypeFactory, buyer

pytestmark = pytest.mark.django_db


@pytest.fixture
def early_bird():
    event = EventFactory(slug="summit", name="OpenInfra Summit Europe 2027", currency="EUR")
    early = TicketTypeFactory(event=event, name="Early bird", capacity=2, price=Decimal("299.00"))
    for n in (1, 2):
        services.order_create(event=event, quantities={early.pk: 1}, accepted_code_of_conduct=True, **buyer(n))
    return event, early


def _available(event) -> dict[str, int]:
    return {tt.name: tt.available for tt in selectors.ticket_types_with_availability(event=event)}


def _admin_edit(client, ticket_type: TicketType, **changes):
    data = {
        "event": ticket_type.event_id,
        "name": ticket_type.name,
        "description": "",
        "price": str(ticket_type.price),
        "capacity": ticket_type.capacity,
        "sale_starts": "",
        "sale_ends": "",
        "max_per_order": ticket_type.max_per_order,
        "position": ticket_type.position,
        **changes,
    }
    return client.post(f"/admin/events/tickettype/edit/{ticket_type.pk}/", data)


def test_a_capacity_raised_in_the_admin_is_offered_to_the_waiting_list_first(
    admin_client, client, early_bird, django_capture_on_commit_callbacks
):
    event, early = early_bird
    with django_capture_on_commit_callbacks(execute=True):
        services.waiting_list_join(ticket_type=early, email="wait@example.org", quantity=1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _admin_edit(admin_client, early, capacity=3)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = WaitingListEntry.objects.get()
    assert entry.status == WaitingListEntry.Status.OFFERED
    assert _available(event) == {"Early bird": 0}
    assert "1 left" not in client.get("/events/summit/register/").content.decode()
    with pytest.raises(SoldOut):
        services.order_create(event=event, quantities={early.pk: 1}, accepted_code_of_conduct=True, **buyer(9))

    # The offer e-mail and page show the price, name the ticket without the event, and link to leave.
    offer = mail.outbox[0]
    assert offer.to == ["wait@example.org"] and "299.00" in offer.body
    path = re.search(r"https?://[^/\s]+(/events/summit/waiting-list/offer/[^\s]+/)", offer.body).group(1)
    page = client.get(path).content.decode()
    assert "299.00\u00a0EUR" in page and "Leave the waiting list" in page
    assert "(OpenInfra Summit Europe 2027)" not in page


def test_seats_owed_to_people_waiting_are_not_sold_to_the_public(early_bird, django_capture_on_commit_callbacks):
    event, early = early_bird
    services.waiting_list_join(ticket_type=early, email="two@example.org", quantity=2)
    # One seat is added: the entry for two does not fit, yet the seat is theirs to wait for, not the public's.
    TicketType.objects.filter(pk=early.pk).update(capacity=3)
    early.refresh_from_db()
    assert services.ticket_type_seats_added(ticket_type=early) == []
    assert _available(event) == {"Early bird": 0}
    with pytest.raises(SoldOut):
        services.order_create(event=event, quantities={early.pk: 1}, accepted_code_of_conduct=True, **buyer(8))
    # A second seat: both go to the entry for two.
    TicketType.objects.filter(pk=early.pk).update(capacity=4)
    early.refresh_from_db()
    assert [entry.email for entry in services.ticket_type_seats_added(ticket_type=early)] == ["two@example.org"]


def test_the_join_form_names_ticket_types_without_the_event(client, early_bird):
    body = client.get("/events/summit/waiting-list/").content.decode()
    assert ">Early bird<" in body and "(OpenInfra Summit Europe 2027)" not in body
