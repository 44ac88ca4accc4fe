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
