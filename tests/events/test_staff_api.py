"""Staff and check-in endpoints: orders and attendees (staff scope), check-in (checkin scope).

Without a token orders and attendees answer 401; a read-scoped token
cannot check in (403); a revoked token is refused.
"""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import ModelLogEntry

from events import services
from events.exceptions import AlreadyCheckedIn, TicketNotFound, TicketNotValid, WrongEvent
from portal.api import services as api_services
from tests.accounts.factories import UserFactory
from tests.api.factories import bearer, token
from tests.events.factories import EventFactory, TicketTypeFactory

pytestmark = pytest.mark.django_db


def _paid_order(event, n=0, quantity=1):
    free = event.ticket_types.filter(name="Community pass").first() or TicketTypeFactory(
        event=event, price=Decimal("0"), name="Community pass", capacity=1000, max_per_order=10
    )
    return services.order_create(
        event=event,
        buyer_name=f"Buyer {n}",
        buyer_email=f"buyer{n}@example.org",
        quantities={free.pk: quantity},
        attendees=[{"name": f"Attendee {n}-{i}", "email": f"a{n}-{i}@example.org"} for i in range(quantity)],
        accepted_code_of_conduct=True,
    )


@pytest.fixture
def summit():
    return EventFactory(slug="vancouver-2026", name="OpenInfra Summit Vancouver", time_zone="America/Vancouver")


@pytest.fixture
def ticket(summit):
    order = _paid_order(summit)
    assert order.status == "paid"
    return order.tickets.get()


def _urls(slug):
    return [f"/api/v1/events/{slug}/orders/", f"/api/v1/events/{slug}/attendees/"]


def test_orders_and_attendees_answer_401_without_a_token(client, summit):
    for url in _urls(summit.slug):
        response = client.get(url)
        assert response.status_code == 401, url
        assert response.json()["code"] == "not_authenticated"
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert "Access-Control-Allow-Origin" not in response


def test_a_read_token_cannot_check_in_or_read_orders(client, summit, ticket):
    _, secret = token("read")
    response = client.post(f"/api/v1/events/{summit.slug}/checkin/", {"code": ticket.code}, **bearer(secret))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    for url in _urls(summit.slug):
        assert client.get(url, **bearer(secret)).status_code == 403
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


def test_a_revoked_token_is_refused(client, summit, ticket):
    made, secret = token("staff", "checkin")
    assert client.get(_urls(summit.slug)[0], **bearer(secret)).status_code == 200
    api_services.api_token_revoke(token=made, actor=None)
    for url in _urls(summit.slug):
        assert client.get(url, **bearer(secret)).status_code == 401
    response = client.post(f"/api/v1/events/{summit.slug}/checkin/", {"code": ticket.code}, **bearer(secret))
    assert response.status_code == 401


def test_a_staff_token_reads_orders_and_attendees_privately(client, summit, ticket):
    _paid_order(summit, n=1, quantity=2)
    _, secret = token("staff")
    orders = client.get(_urls(summit.slug)[0], **bearer(secret))
    assert orders.status_code == 200
    assert orders["Cache-Control"] == "private, no-store"
    body = orders.json()
    assert body["count"] == 2
    assert {o["buyer_email"] for o in body["results"]} == {"buyer0@example.org", "buyer1@example.org"}
    assert body["results"][0]["lines"][0]["ticket_type"] == "Community pass"
    attendees = client.get(_urls(summit.slug)[1], **bearer(secret)).json()
    assert attendees["count"] == 3
    assert attendees["results"][0]["attendee_name"] == "Attendee 0-0"
    assert attendees["results"][0]["checked_in_at"] is None


def test_events_staff_signed_in_with_a_second_factor_reach_them_and_other_people_do_not(
    client, summit, staff_groups, staff_client_factory
):
    from portal.accounts.groups import EVENTS_STAFF

    client.force_login(UserFactory())
    assert client.get(_urls(summit.slug)[0]).status_code == 403
    client.force_login(UserFactory(groups=[EVENTS_STAFF], is_staff=True))
    response = client.get(_urls(summit.slug)[0])
    assert response.status_code == 403, "a staff session without its second factor is not enough"
    assert "second factor" in response.json()["message"]
    staff_client_factory(groups=[EVENTS_STAFF])
    for url in _urls(summit.slug):
        assert client.get(url).status_code == 200


def test_check_in_once_then_409_with_the_local_time(client, summit, ticket, time_machine):
    creator = UserFactory()
    _, secret = token("checkin", actor=creator)
    time_machine.move_to(datetime(2026, 5, 4, 16, 5, tzinfo=UTC), tick=False)  # 09:05 in Vancouver (PDT)
    url = f"/api/v1/events/{summit.slug}/checkin/"
    first = client.post(url, {"code": ticket.code}, content_type="application/json", **bearer(secret))
    assert first.status_code == 200
    assert first.json()["attendee_name"] == "Attendee 0-0"
    assert first.json()["checked_in_at"] == "2026-05-04T16:05:00Z"
    time_machine.move_to(datetime(2026, 5, 4, 17, 0, tzinfo=UTC), tick=False)
    again = client.post(url, {"code": ticket.code}, content_type="application/json", **bearer(secret))
    assert again.status_code == 409
    assert again.json()["code"] == "already_checked_in"
    assert again.json()["message"] == "Already checked in at 09:05."
    entry = ModelLogEntry.objects.get(action="events.ticket.check_in")
    assert entry.user_id == creator.pk, "the audit names the person who made the token"


def test_check_in_refuses_unknown_codes_other_events_and_unpaid_orders(client, summit, ticket):
    _, secret = token("checkin")
    url = f"/api/v1/events/{summit.slug}/checkin/"
    assert client.post(url, {"code": "NOPE"}, **bearer(secret)).json()["code"] == "ticket_not_found"
    assert client.post(url, {}, **bearer(secret)).status_code == 400
    other = EventFactory(name="OpenInfra Days Berlin")
    elsewhere = _paid_order(other, n=9).tickets.get()
    response = client.post(url, {"code": elsewhere.code}, **bearer(secret))
    assert response.status_code == 409
    assert response.json()["message"] == "This ticket is for OpenInfra Days Berlin, not OpenInfra Summit Vancouver."
    elsewhere.refresh_from_db()
    assert elsewhere.checked_in_at is None
    assert (
        client.post("/api/v1/events/no-such-event/checkin/", {"code": ticket.code}, **bearer(secret)).status_code == 404
    )


def test_the_service_refuses_a_pending_order(summit):
    priced = TicketTypeFactory(event=summit, price=Decimal("100"))
    order = services.order_create(
        event=summit,
        buyer_name="B",
        buyer_email="b@example.org",
        quantities={priced.pk: 1},
        accepted_code_of_conduct=True,
    )
    assert order.status == "pending"
    with pytest.raises(TicketNotValid):
        services.ticket_check_in(event=summit, code=order.tickets.get().code, actor=None)
    with pytest.raises(TicketNotFound):
        services.ticket_check_in(event=summit, code="  ", actor=None)


def test_the_service_admits_once(summit, ticket):
    services.ticket_check_in(event=summit, code=f"  {ticket.code} ", actor=None)
    with pytest.raises(AlreadyCheckedIn):
        services.ticket_check_in(event=summit, code=ticket.code, actor=None)
    with pytest.raises(WrongEvent):
        services.ticket_check_in(event=EventFactory(), code=ticket.code, actor=None)


@pytest.mark.parametrize("kind", ["orders", "attendees"])
def test_staff_lists_cost_the_same_queries_for_5_and_200_rows(client, summit, kind):
    _, secret = token("staff")
    url = f"/api/v1/events/{summit.slug}/{kind}/?page_size=200"
    for n in range(5):
        _paid_order(summit, n=n)
    client.get(url, **bearer(secret))
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, **bearer(secret)).json()["count"] == 5
    for n in range(5, 200):
        _paid_order(summit, n=n)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url, **bearer(secret)).json()["count"] == 200
    assert len(many) == len(few)
