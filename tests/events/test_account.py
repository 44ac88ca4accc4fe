import json
from datetime import timedelta
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from events import account, services
from events.models import Order, WaitingListEntry
from portal.accounts.services import anonymised_email, user_anonymise
from portal.models import User
from tests.events.factories import EventFactory, TicketTypeFactory, buyer

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


def _entry(ticket_type, email, status=WaitingListEntry.Status.WAITING):
    """An entry as the list holds it (offers and expiries happen on their own schedule)."""
    offer = {}
    if status in (WaitingListEntry.Status.OFFERED, WaitingListEntry.Status.EXPIRED):
        expires = timezone.now() + timedelta(hours=24 if status == WaitingListEntry.Status.OFFERED else -1)
        offer = {"offered_at": expires - timedelta(hours=24), "offer_expires_at": expires}
    return WaitingListEntry.objects.create(ticket_type=ticket_type, email=email, status=status, **offer)


def test_deleting_the_account_takes_its_addresses_off_the_waiting_lists(ada, django_capture_on_commit_callbacks):
    EmailAddress.objects.create(user=ada, email="ada@work.example", verified=True)
    EmailAddress.objects.create(user=ada, email="not-ada@example.org", verified=False)  # unproven: not hers
    event = EventFactory(slug="summit")
    full = TicketTypeFactory(event=event, name="Full access", capacity=1, price=Decimal("500.00"))
    workshop = TicketTypeFactory(event=event, name="Workshop", capacity=1, price=Decimal("50.00"))
    holders = [
        services.order_create(event=event, quantities={tt.pk: 1}, accepted_code_of_conduct=True, **buyer(n))
        for n, tt in enumerate((full, workshop))
    ]
    expired = _entry(full, "ada@example.org", WaitingListEntry.Status.EXPIRED)  # an old offer she let lapse
    offered = services.waiting_list_join(ticket_type=full, email="ada@example.org", quantity=1)
    grace = services.waiting_list_join(ticket_type=full, email="grace@example.org", quantity=1)
    services.order_cancel(order=holders[0])  # the seat is offered to Ada, first in line
    offered.refresh_from_db()
    assert offered.status == WaitingListEntry.Status.OFFERED
    # Waiting for the workshop twice, under both her addresses (one written in another case).
    waiting = services.waiting_list_join(ticket_type=workshop, email="ada@example.org", quantity=1)
    work = _entry(workshop, "Ada@Work.Example")
    unproven = services.waiting_list_join(ticket_type=workshop, email="not-ada@example.org", quantity=1)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        user_anonymise(user=ada, actor=ada)

    mine = [expired, offered, waiting, work]
    for entry in mine:
        entry.refresh_from_db()
        assert entry.email == anonymised_email(ada)
    assert [entry.status for entry in mine] == ["expired", "left", "left", "left"]
    # Ada's offer is released as when someone leaves the list: the seat is offered to Grace, next in line.
    grace.refresh_from_db()
    assert grace.status == WaitingListEntry.Status.OFFERED
    assert [m.to for m in mail.outbox] == [["grace@example.org"]]
    unproven.refresh_from_db()
    assert (unproven.email, unproven.status) == ("not-ada@example.org", WaitingListEntry.Status.WAITING)
    # The audit log keeps what happened to her entries, not her address.
    log = ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(WaitingListEntry), object_id__in=[str(e.pk) for e in mine]
    )
    assert {entry.action for entry in log} == {f"events.waiting_list.{a}" for a in ("join", "offer", "leave")}
    assert [entry.label for entry in log if anonymised_email(ada) not in entry.label] == []
    assert log.filter(action="events.waiting_list.leave").count() == 3


def test_anonymising_costs_the_same_for_one_waiting_list_entry_or_many(ada, django_assert_max_num_queries):
    def person_with_entries(email: str, waiting: int, expired: int) -> User:
        user = User.objects.create_user(email=email, password="x")
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        # An open offer with someone behind it: leaving passes the seat on.
        full = TicketTypeFactory(capacity=1)
        _entry(full, email, WaitingListEntry.Status.OFFERED)
        _entry(full, f"next-after-{email}")
        for _ in range(waiting):
            _entry(TicketTypeFactory(capacity=1), email)
        for _ in range(expired):
            _entry(TicketTypeFactory(capacity=1), email, WaitingListEntry.Status.EXPIRED)
        return user

    ContentType.objects.get_for_model(WaitingListEntry)  # warm Django's content-type cache
    few = person_with_entries("few@example.org", waiting=0, expired=0)
    with CaptureQueriesContext(connection) as queries:
        account.anonymise(few)
    assert WaitingListEntry.objects.get(email="next-after-few@example.org").status == "offered"

    many = person_with_entries("many@example.org", waiting=5, expired=3)
    with django_assert_max_num_queries(len(queries)):
        account.anonymise(many)
    assert not WaitingListEntry.objects.filter(email="many@example.org").exists()
    assert WaitingListEntry.objects.filter(status="left", email=anonymised_email(many)).count() == 6
    assert WaitingListEntry.objects.get(email="next-after-many@example.org").status == "offered"


def test_the_data_export_lists_the_persons_waiting_list_entries_by_their_verified_addresses(
    client, ada, django_assert_max_num_queries
):
    EmailAddress.objects.create(user=ada, email="ada@work.example", verified=True)
    EmailAddress.objects.create(user=ada, email="not-ada@example.org", verified=False)  # unproven: not hers
    event = EventFactory(name="OpenInfra Summit Europe", slug="summit")
    full = TicketTypeFactory(event=event, name="Full access", capacity=1)
    workshop = TicketTypeFactory(event=event, name="Workshop", capacity=1)
    _entry(full, "ADA@example.org")  # the case she typed it in
    lapsed = _entry(workshop, "ada@work.example", WaitingListEntry.Status.EXPIRED)
    _entry(full, "not-ada@example.org")
    _entry(workshop, "grace@example.org")

    client.force_login(ada)
    # As for a person with no entry (tests/accounts), plus a content type not cached yet: each entry is read
    # with its event, in one query for all.
    with django_assert_max_num_queries(13):
        exported = json.loads(client.get(reverse("accounts:export")).content)["event_waiting_lists"]

    assert [(e["ticket_type"], e["email"], e["status"]) for e in exported] == [
        ("Full access", "ADA@example.org", "waiting"),
        ("Workshop", "ada@work.example", "expired"),
    ]
    assert exported[0]["event"] == "OpenInfra Summit Europe" and exported[0]["offered_at"] is None
    assert exported[1]["offer_expires_at"] == lapsed.offer_expires_at.isoformat()
