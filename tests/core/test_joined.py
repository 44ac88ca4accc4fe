"""Model instances from written-out statements read as the ORM reads them (raw_list, Joined)."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from events.models import Event, Order, TicketType
from portal.core.joined import Joined, Part, Read, raw_list, read_together
from tests.events.factories import EventFactory, TicketTypeFactory, paid_order

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    deferred = instance.get_deferred_fields()
    return {
        f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields if f.attname not in deferred
    }


@pytest.fixture
def ticket_type():
    event = EventFactory(slug="summit", currency="EUR", time_zone="Europe/Berlin")
    return TicketTypeFactory(event=event, name="Full access", price=Decimal("749.99"))


def test_every_column_and_an_extra_one_in_any_order_read_as_model_objects_raw(ticket_type):
    paid_order(ticket_type.event, ticket_type, n=1, quantity=2)
    sql = (
        "SELECT (SELECT COUNT(*) FROM events_ticket t WHERE t.order_id = o.id) AS ticket_count, o.* "
        "FROM events_order o ORDER BY o.id"
    )
    ours, django = raw_list(Order, sql, []), list(Order.objects.raw(sql, []))
    assert [_fields(o) for o in ours] == [_fields(o) for o in django]
    assert [o.ticket_count for o in ours] == [o.ticket_count for o in django] == [2]
    assert ours[0].total == Decimal("1499.98") and ours[0].created_at.tzinfo is not None
    assert ours[0].get_deferred_fields() == set()


def test_some_columns_leave_the_others_deferred_as_model_objects_raw(ticket_type):
    sql = "SELECT tt.price, tt.name, tt.id FROM events_tickettype tt WHERE tt.event_id = %s"
    [ours], [django] = (
        raw_list(TicketType, sql, [ticket_type.event_id]),
        list(TicketType.objects.raw(sql, [ticket_type.event_id])),
    )
    assert _fields(ours) == _fields(django) == {"id": ticket_type.pk, "name": "Full access", "price": Decimal("749.99")}
    assert ours.get_deferred_fields() == django.get_deferred_fields()
    assert ours.capacity == ticket_type.capacity  # a deferred field loads when read, as Django's


def test_a_statement_without_the_primary_key_is_refused(ticket_type):
    with pytest.raises(ValueError, match="primary key"):
        raw_list(TicketType, "SELECT name FROM events_tickettype", [])


def test_joined_reads_two_tables_and_none_for_a_left_join_that_found_nothing(ticket_type):
    EventFactory(slug="empty")
    joined = Joined(Part(Event, "e"), Part(TicketType, "tt", optional=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {joined.columns} FROM events_event e LEFT JOIN events_tickettype tt ON tt.event_id = e.id "  # noqa: S608
            "ORDER BY e.id"
        )
        rows = [joined.read(row) for row in cursor.fetchall()]
    assert [(e.slug, tt.name if tt else None) for e, tt in rows] == [("summit", "Full access"), ("empty", None)]
    assert _fields(rows[0][1]) == _fields(ticket_type)
    assert _fields(rows[0][0]) == _fields(Event.objects.get(slug="summit"))


def _sent_in_a_pipeline(sent: list):
    """An execute wrapper noting, per statement, whether psycopg was holding it in a pipeline."""

    def wrapper(execute, sql, params, many, context):
        sent.append(getattr(connection.connection, "_pipeline", None) is not None)
        return execute(sql, params, many, context)

    return wrapper


def test_statements_read_together_read_what_each_reads_alone(ticket_type):
    paid_order(ticket_type.event, ticket_type, n=1, quantity=2)
    EventFactory(slug="empty")
    reads = [
        Read(Order, "SELECT o.*, 7 AS seven FROM events_order o ORDER BY o.id", []),
        Read(Event, "SELECT e.id, e.slug FROM events_event e WHERE e.slug <> %s ORDER BY e.id", ["nothing"]),
        Read(TicketType, "SELECT tt.id FROM events_tickettype tt WHERE tt.event_id = %s", [0]),
    ]
    sent: list[bool] = []
    with connection.execute_wrapper(_sent_in_a_pipeline(sent)):
        together = read_together(reads)
    alone = [read.fetch() for read in reads]
    assert [[_fields(row) for row in rows] for rows in together] == [[_fields(row) for row in rows] for rows in alone]
    assert [len(rows) for rows in together] == [1, 2, 0]
    assert together[0][0].seven == 7 and together[0][0].total == Decimal("1499.98")
    assert together[1][1].get_deferred_fields() == alone[1][1].get_deferred_fields()
    # On PostgreSQL all three go out before any answer comes back (one round trip); elsewhere one by one.
    assert sent == [connection.vendor == "postgresql"] * 3


def test_a_statement_that_fails_among_others_raises_and_the_connection_goes_on(ticket_type):
    reads = [
        Read(Event, "SELECT e.id FROM events_event e", []),
        Read(Event, "SELECT e.id FROM no_such_table e", []),
        Read(Event, "SELECT e.id, e.slug FROM events_event e", []),
    ]
    with pytest.raises(DatabaseError), transaction.atomic():  # as a view's atomic block would roll back
        read_together(reads)
    assert [e.slug for e in read_together([reads[2], reads[0]])[0]] == ["summit"]
