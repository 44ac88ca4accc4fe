"""The order behind a secret link, with everything its page shows, in three written-out statements sent
together (one round trip to PostgreSQL).

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
_ORDER_SQL = f"""
SELECT {_ORDER.columns}
FROM events_order o
  INNER JOIN events_event e ON e.id = o.event_id
  LEFT OUTER JOIN events_promocode pc ON pc.id = o.promo_code_id
  LEFT OUTER JOIN events_ticketbundle b ON b.order_id = o.id
  LEFT OUTER JOIN members_organization org ON org.id = b.organization_id
WHERE e.slug = %s AND o.code = %s AND o.secret = %s
"""  # noqa: S608 - the columns come from the models, the values are parameters

_LINE = Joined(Part(OrderLine, "l"), Part(TicketType, "tt"))
_LINES_SQL = f"""
SELECT {_LINE.columns}
FROM events_orderline l INNER JOIN events_tickettype tt ON tt.id = l.ticket_type_id
  INNER JOIN events_order o ON o.id = l.order_id INNER JOIN events_event e ON e.id = o.event_id
WHERE e.slug = %s AND o.code = %s AND o.secret = %s
ORDER BY tt.position, l.id
"""  # noqa: S608 - the columns come from the models, the values are parameters

_TICKET = Joined(Part(Ticket, "t"), Part(TicketType, "tt"))
_TICKETS_SQL = f"""
SELECT {_TICKET.columns}
FROM events_ticket t INNER JOIN events_tickettype tt ON tt.id = t.ticket_type_id
  INNER JOIN events_order o ON o.id = t.order_id INNER JOIN events_event e ON e.id = o.event_id
WHERE e.slug = %s AND o.code = %s AND o.secret = %s
ORDER BY t.id
"""  # noqa: S608 - the columns come from the models, the values are parameters


def order_for_secret(*, slug: str, code: str, secret: str) -> Order:
    """The self-service page's order: the secret in the link is the permission (404 otherwise).

    As `_order_queryset()` gives it: `order.event`, `order.promo_code`, `order.bundle` (and its
    organisation) read without a query, `order.lines.all()` and `order.tickets.all()` too.
    """
    found_by = [slug, code, secret]  # the lines and tickets too: no statement waits for another's answer
    statements = [(_ORDER_SQL, found_by), (_LINES_SQL, found_by), (_TICKETS_SQL, found_by)]
    with cursors_together(statements) as (order_rows, line_rows, ticket_rows):
        row = order_rows.fetchone()
        if row is None:
            raise Http404("No order matches the given query.")
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
