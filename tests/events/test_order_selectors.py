"""The order behind a secret link is read in written-out statements; it reads what the ORM's queryset reads,
for orders in every shape, and its page then needs no query for the order's event, codes, lines or tickets."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Model
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events import services
from events.models import Order, Ticket
from events.order_selectors import order_by_id, order_for_secret
from events.selectors import _order_queryset
from events.services import bundles
from tests.accounts.factories import UserFactory
from tests.events.factories import EventFactory, PromoCodeFactory, TicketTypeFactory, buyer, paid_order
from tests.members.factories import OrganizationFactory, role_for

pytestmark = pytest.mark.django_db


def _fields(instance: Model | None) -> dict | None:
    if instance is None:
        return None
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def _everything(order: Order) -> dict:
    """All the page reads of an order, as plain values."""
    bundle = getattr(order, "bundle", None)
    return {
        "order": _fields(order),
        "event": _fields(order.event),
        "promo_code": _fields(order.promo_code),
        "bundle": _fields(bundle),
        "organization": _fields(bundle.organization if bundle else None),
        "lines": [(_fields(line), _fields(line.ticket_type), line.order is order) for line in order.lines.all()],
        "tickets": [
            (_fields(ticket), _fields(ticket.ticket_type), ticket.order is order) for ticket in order.tickets.all()
        ],
    }


def _orm(order: Order) -> Order:
    return get_object_or_404(_order_queryset(), event__slug=order.event.slug, code=order.code, secret=order.secret)


def _read_without_more_queries(order: Order) -> dict:
    """What the page reads of the order found by its link; found by its id (a worker's reading), the same."""
    by_link = order_for_secret(slug=order.event.slug, code=order.code, secret=order.secret)
    by_id = order_by_id(order.pk)
    with CaptureQueriesContext(connection) as queries:
        everything = _everything(by_link)
        assert _everything(by_id) == everything
    assert len(queries) == 0, [q["sql"] for q in queries]
    return everything


@pytest.fixture
def event():
    return EventFactory(slug="summit", currency="EUR", time_zone="Europe/Berlin")


def test_a_pending_order_of_two_types_reads_as_the_orm(event):
    first = TicketTypeFactory(event=event, name="Full access", price=Decimal("500.00"), position=2)
    second = TicketTypeFactory(event=event, name="Workshop", price=Decimal("99.90"), position=1)
    order = services.order_create(
        event=event,
        quantities={first.pk: 2, second.pk: 1},
        attendees=[{"name": "Ada", "email": "ada@example.org"}, {"name": ""}, {"name": "Grace"}],
        accepted_code_of_conduct=True,
        **buyer(3),
    )
    everything = _read_without_more_queries(order)
    assert everything == _everything(_orm(order))
    assert [line[1]["name"] for line in everything["lines"]] == ["Workshop", "Full access"]  # by the types' order
    assert everything["order"]["total"] == Decimal("1099.90")
    assert everything["order"]["expires_at"].tzinfo is not None
    assert everything["promo_code"] is None and everything["bundle"] is None


def test_an_order_with_a_promo_code_and_a_canceled_ticket_reads_as_the_orm(event):
    ticket_type = TicketTypeFactory(event=event, price=Decimal("200.00"))
    PromoCodeFactory(event=event, code="SPRING", value=Decimal("25"))
    order = services.order_create(
        event=event, quantities={ticket_type.pk: 3}, promo_code="SPRING", accepted_code_of_conduct=True, **buyer(4)
    )
    services.order_payment_succeeded(order=order, amount=order.total)
    Ticket.objects.filter(pk=order.tickets.order_by("pk").first().pk).update(canceled_at=timezone.now())
    everything = _read_without_more_queries(order)
    assert everything == _everything(_orm(order))
    assert everything["promo_code"]["code"] == "SPRING"
    assert everything["order"]["status"] == Order.Status.PAID
    assert [ticket[0]["canceled_at"] is not None for ticket in everything["tickets"]] == [True, False, False]


def test_a_company_bundle_reads_with_its_organisation_as_the_orm(event):
    ticket_type = TicketTypeFactory(event=event, price=Decimal("500.00"), capacity=100)
    acme = OrganizationFactory(name="Acme Cloud", slug="acme")
    admin = role_for(acme, "admin", user=UserFactory(email="olga@acme.example"))
    bundle = bundles.bundle_create(
        event=event,
        organization=acme,
        ticket_type=ticket_type,
        quantity=4,
        actor=admin,
        buyer_name="Olga Admin",
        buyer_email="olga@acme.example",
    )
    everything = _read_without_more_queries(bundle.order)
    assert everything == _everything(_orm(bundle.order))
    assert everything["organization"]["name"] == "Acme Cloud"
    assert len(everything["tickets"]) == 4


def test_a_free_order_reads_as_the_orm(event):
    order = paid_order(event, TicketTypeFactory(event=event, price=0), n=5, quantity=2)
    assert _read_without_more_queries(order) == _everything(_orm(order))


@pytest.mark.parametrize("wrong", ["slug", "code", "secret"])
def test_a_link_with_anything_wrong_is_not_found(event, wrong):
    order = paid_order(event, TicketTypeFactory(event=event, price=0), n=6)
    link = {"slug": order.event.slug, "code": order.code, "secret": order.secret}
    elsewhere = EventFactory(slug="other")
    other = paid_order(elsewhere, TicketTypeFactory(event=elsewhere, price=0), n=7)
    link[wrong] = {"slug": "other", "code": other.code, "secret": other.secret}[wrong]
    with pytest.raises(Http404):
        order_for_secret(**link)


def test_an_order_id_that_is_no_order_s_is_not_found(event):
    order = paid_order(event, TicketTypeFactory(event=event, price=0), n=9)
    with pytest.raises(Order.DoesNotExist):
        order_by_id(order.pk + 1000)


def test_the_order_its_lines_and_its_tickets_go_to_the_database_together(event):
    order = paid_order(event, TicketTypeFactory(event=event, price=0), n=8, quantity=2)
    sent: list[bool] = []

    def note(execute, sql, params, many, context):
        sent.append(getattr(connection.connection, "_pipeline", None) is not None)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(note):
        found = order_for_secret(slug=order.event.slug, code=order.code, secret=order.secret)
    assert len(found.tickets.all()) == 2
    # No statement waits for another's answer: on PostgreSQL the three leave in one round trip.
    assert sent == [connection.vendor == "postgresql"] * 3
