import pytest
from allauth.account.models import EmailAddress

from events import selectors, services
from portal.models import User
from tests.events.factories import TicketTypeFactory

pytestmark = pytest.mark.django_db


def _order(ticket_type, email, user=None):
    return services.order_create(
        event=ticket_type.event,
        quantities={ticket_type.pk: 1},
        buyer_name="X",
        buyer_email=email,
        accepted_code_of_conduct=True,
        user=user,
    )


def test_a_persons_orders_include_guest_orders_with_a_verified_email_only(django_assert_max_num_queries):
    ticket_type = TicketTypeFactory()
    ada = User.objects.create_user(email="ada@example.org", password="x")
    EmailAddress.objects.create(user=ada, email="ada@example.org", verified=True, primary=True)
    EmailAddress.objects.create(user=ada, email="ada@work.example", verified=False)
    signed_in = _order(ticket_type, "other@example.org", user=ada)
    guest = _order(ticket_type, "Ada@Example.org")
    _order(ticket_type, "ada@work.example")  # not verified: not hers
    _order(ticket_type, "grace@example.org")
    with django_assert_max_num_queries(4):
        orders = list(selectors.orders_for_user(ada))
        tickets = [t for o in orders for t in o.tickets.all()]
    assert {o.pk for o in orders} == {signed_in.pk, guest.pk}
    assert len(tickets) == 2


def test_the_steps_after_the_choice_get_the_event_and_its_types_on_sale_in_one_query(django_assert_num_queries):
    from datetime import timedelta

    from django.http import Http404
    from django.utils import timezone

    from events.models import Event, TicketType
    from tests.events.factories import EventFactory

    event = EventFactory(slug="summit")
    late = TicketTypeFactory(event=event, name="Late", position=2)
    early = TicketTypeFactory(event=event, name="Early", position=1)
    TicketTypeFactory(event=event, name="Hidden", hidden=True, position=0)
    TicketTypeFactory(event=event, name="Later", sale_starts=timezone.now() + timedelta(days=1), position=3)
    TicketTypeFactory(name="Another event's")

    with django_assert_num_queries(1):
        found, ticket_types = selectors.event_and_ticket_types_on_sale("summit")
        assert [tt.name for tt in ticket_types] == ["Early", "Late"]
        assert all(tt.event is found for tt in ticket_types), "one event instance, read with the types"
    assert found == event and found.currency == event.currency
    assert [tt.pk for tt in ticket_types] == [early.pk, late.pk]
    # Every field as the ORM reads it (the statement is written out).
    fields = lambda obj: {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}  # noqa: E731
    assert fields(found) == fields(Event.objects.get(pk=event.pk))
    assert [fields(tt) for tt in ticket_types] == [
        fields(tt) for tt in TicketType.objects.filter(pk__in=[early.pk, late.pk]).order_by("position")
    ]

    # No type to show: still the event (the page says so); not published: 404, types or not.
    bare = EventFactory(slug="bare")
    assert selectors.event_and_ticket_types_on_sale("bare") == (bare, [])
    Event.objects.filter(pk=event.pk).update(status=Event.Status.DRAFT)
    with pytest.raises(Http404):
        selectors.event_and_ticket_types_on_sale("summit")
    with pytest.raises(Http404):
        selectors.event_and_ticket_types_on_sale("nowhere")
