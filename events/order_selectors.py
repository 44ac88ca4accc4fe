"""The order behind a secret link (or, for a worker, its id), with everything its page, e-mails and invoice
show, in three written-out statements sent together (one round trip to PostgreSQL).

The ORM's `_order_queryset()` (its event, promo code and bundle joined, its lines and tickets
prefetched with their ticket types) took 4 ms of CPU per request, most of it compiling its five
SELECTs; these read the same rows in under 1 ms. tests/events/test_order_selectors.py keeps them equal
to the ORM's reading.
"""

from django.db import connection
from django.http import Http404

from events.models import Event, Order, OrderLine, PromoCode, Ticket, TicketBundle, TicketType
from members.models import Organization
from portal.core.joined import Joined, Part, cursors_together, keep_prefetched

_ORDER = Joined(
    Part(Order, "o"),
    Part(Event, "e"),
    Part(PromoCode, "pc", optional=True),
    Part(TicketBundle, "b", optional=True),
    Part(Organization, "org", optional=True),
)
_ORDER_FROM = """
FROM events_order o
  INNER JOIN events_event e ON e.id = o.event_id
  LEFT OUTER JOIN events_promocode pc ON pc.id = o.promo_code_id
  LEFT OUTER JOIN events_ticketbundle b ON b.order_id = o.id
  LEFT OUTER JOIN members_organization org ON org.id = b.organization_id
"""
_LINE = Joined(Part(OrderLine, "l"), Part(TicketType, "tt"))
_TICKET = Joined(Part(Ticket, "t"), Part(TicketType, "tt"))


def _statements(*, order_where: str, rows_join: str, rows_where: str) -> tuple[str, str, str]:
    """The order's, its lines' and its tickets' statements: `order_where` finds the order (`o`, its event
    `e`); `rows_join` and `rows_where` find its lines and tickets (`{row}`: `l` or `t`)."""

    def rows(joined: Joined, table: str, alias: str, order_by: str) -> str:
        join = f"INNER JOIN events_tickettype tt ON tt.id = {alias}.ticket_type_id {rows_join.format(row=alias)}"
        where = rows_where.format(row=alias)
        return f"SELECT {joined.columns} FROM {table} {alias} {join} WHERE {where} ORDER BY {order_by}"  # noqa: S608

    # The columns come from the models, the values are parameters.
    return (
        f"SELECT {_ORDER.columns} {_ORDER_FROM} WHERE {order_where}",  # noqa: S608
        rows(_LINE, "events_orderline", "l", "tt.position, l.id"),
        rows(_TICKET, "events_ticket", "t", "t.id"),
    )


# By the link: the lines and tickets join the order and event too, so no statement waits for another's answer.
_BY_LINK = _statements(
    order_where="e.slug = %s AND o.code = %s AND o.secret = %s",
    rows_join="INNER JOIN events_order o ON o.id = {row}.order_id INNER JOIN events_event e ON e.id = o.event_id",
    rows_where="e.slug = %s AND o.code = %s AND o.secret = %s",
)
_BY_ID = _statements(order_where="o.id = %s", rows_join="", rows_where="{row}.order_id = %s")


def order_for_secret(*, slug: str, code: str, secret: str) -> Order:
    """The self-service page's order: the secret in the link is the permission (404 otherwise).

    As `_order_queryset()` gives it: `order.event`, `order.promo_code`, `order.bundle` (and its
    organisation) read without a query, `order.lines.all()` and `order.tickets.all()` too.
    """
    order = _read(_BY_LINK, [slug, code, secret])
    if order is None:
        raise Http404("No order matches the given query.")
    return order


def order_by_id(order_id: int) -> Order:
    """`order_for_secret`'s reading of an order found by its id (a worker's: its e-mails, tickets and
    invoice); Order.DoesNotExist when there is none."""
    order = _read(_BY_ID, [int(order_id)])
    if order is None:
        raise Order.DoesNotExist(f"No order {order_id}")
    return order


def _read(statements: tuple[str, str, str], found_by: list) -> Order | None:
    with cursors_together([(sql, found_by) for sql in statements]) as (order_rows, line_rows, ticket_rows):
        row = order_rows.fetchone()
        if row is None:
            return None
        order, event, promo_code, bundle, organization = _ORDER.read(row, connection.alias)
        lines = [_of_order(_LINE.read(line_row, connection.alias), order) for line_row in line_rows.fetchall()]
        tickets = [
            _of_order(_TICKET.read(ticket_row, connection.alias), order) for ticket_row in ticket_rows.fetchall()
        ]
    Order.event.field.set_cached_value(order, event)
    Order.promo_code.field.set_cached_value(order, promo_code)
    if bundle is not None:
        TicketBundle.organization.field.set_cached_value(bundle, organization)
        TicketBundle.order.field.set_cached_value(bundle, order)
    Order.bundle.related.set_cached_value(order, bundle)  # None: "no bundle", as select_related keeps it
    keep_prefetched(order, "lines", lines)
    keep_prefetched(order, "tickets", tickets)
    return order


def _of_order(read: list, order: Order):
    """A line or ticket read with its ticket type, both kept on it as select_related and prefetch keep them."""
    row_object, ticket_type = read
    type(row_object).ticket_type.field.set_cached_value(row_object, ticket_type)
    type(row_object).order.field.set_cached_value(row_object, order)
    return row_object
