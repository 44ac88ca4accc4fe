"""Reads for registration: querysets already shaped, so a page costs the same for 5 rows or 500."""

from datetime import datetime, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.core import signing
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Greatest
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from events import order_selectors
from events.models import (
    Event,
    Order,
    OrderLine,
    PromoCode,
    SponsorBenefit,
    SponsorRepresentationRequest,
    Sponsorship,
    SponsorshipContact,
    SponsorshipPackage,
    SponsorWaitingListEntry,
    Ticket,
    TicketType,
    WaitingListEntry,
)
from events.ticket_codes import ticket_code_q
from members.models import Organization, OrganizationRole
from portal.core.joined import Joined, Part, Read, raw_list


def holding_orders_q(now: datetime, prefix: str = "") -> Q:
    """Orders that own seats: paid ones, and pending ones whose hold has not run out (or awaits approval)."""
    return Q(**{f"{prefix}status__in": Order.SOLD}) | (
        Q(**{f"{prefix}status": Order.Status.PENDING})
        & (Q(**{f"{prefix}expires_at__isnull": True}) | Q(**{f"{prefix}expires_at__gt": now}))
    )


def email_in_q(field: str, emails: list[str]) -> Q:
    """`field` equals one of `emails`, whatever the case (matches nothing for no e-mail)."""
    condition = Q(pk__in=[])
    for email in emails:
        condition |= Q(**{f"{field}__iexact": email})
    return condition


# Seats, counted under the capacity lock of every order and on the register page: written in SQL, since
# building it with the ORM cost more than running it (and the lock is held meanwhile). Its orders are
# those holding_orders_q selects; tests/events/test_seats_taken.py holds the two together.
_SEATS_TAKEN_SQL = """
SELECT line.ticket_type_id, SUM(line.quantity - line.canceled_quantity)
FROM events_orderline line INNER JOIN events_order ord ON ord.id = line.order_id
WHERE line.ticket_type_id IN ({ids}) AND {holding}{not_order}
GROUP BY line.ticket_type_id
UNION ALL
SELECT offer.ticket_type_id, SUM(offer.quantity)
FROM events_waitinglistentry offer
WHERE offer.ticket_type_id IN ({ids}) AND ({open_offer}{waiting}){not_entry}
GROUP BY offer.ticket_type_id
"""
# An event's ticket types with the seats taken (as above) and those the waiting list waits for.
_TYPES_WITH_SEATS_SQL = """
SELECT tt.*,
  COALESCE((SELECT SUM(line.quantity - line.canceled_quantity)
            FROM events_orderline line INNER JOIN events_order ord ON ord.id = line.order_id
            WHERE line.ticket_type_id = tt.id AND {holding}), 0)
  + COALESCE((SELECT SUM(offer.quantity) FROM events_waitinglistentry offer
              WHERE offer.ticket_type_id = tt.id AND {open_offer}), 0) AS taken,
  COALESCE((SELECT SUM(offer.quantity) FROM events_waitinglistentry offer
            WHERE offer.ticket_type_id = tt.id AND offer.status = %s), 0) AS waiting
FROM events_tickettype tt
WHERE tt.event_id = %s{visible}
ORDER BY tt.position, tt.id
"""
# The conditions both share, in the order of _holding_params and the offers' (status, moment).
_CONDITIONS = {
    "holding": "(ord.status IN ({}) OR (ord.status = %s AND (ord.expires_at IS NULL OR ord.expires_at > %s)))".format(
        ", ".join(["%s"] * len(Order.SOLD))
    ),
    "open_offer": "offer.status = %s AND offer.offer_expires_at > %s",
}


def _holding_params(moment) -> list[Any]:
    return [*map(str, Order.SOLD), str(Order.Status.PENDING), moment]


def seats_taken(
    *,
    ticket_type_ids: list[int],
    now: datetime,
    exclude_order_id: int | None = None,
    exclude_waiting_entry_id: int | None = None,
    include_waiting: bool = False,
) -> dict[int, int]:
    """Seats held or sold per ticket type: order lines plus open waiting-list offers (one query).

    `include_waiting`: also the seats people on the waiting list wait for, which the public may not take
    (they are offered to the list first); the waiting list's own offers leave it out.
    """
    if not ticket_type_ids:
        return {}
    ids = ", ".join(["%s"] * len(ticket_type_ids))
    sql = _SEATS_TAKEN_SQL.format(
        **_CONDITIONS,
        ids=ids,
        not_order=" AND line.order_id <> %s" if exclude_order_id else "",
        not_entry=" AND offer.id <> %s" if exclude_waiting_entry_id else "",
        waiting=" OR offer.status = %s" if include_waiting else "",
    )
    moment = connection.ops.adapt_datetimefield_value(now)
    params: list[Any] = [*ticket_type_ids, *_holding_params(moment)]
    if exclude_order_id:
        params.append(exclude_order_id)
    params += [*ticket_type_ids, str(WaitingListEntry.Status.OFFERED), moment]
    if include_waiting:
        params.append(str(WaitingListEntry.Status.WAITING))
    if exclude_waiting_entry_id:
        params.append(exclude_waiting_entry_id)
    taken = dict.fromkeys(ticket_type_ids, 0)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for ticket_type_id, seats in cursor.fetchall():
            taken[ticket_type_id] += int(seats or 0)
    return taken


def promo_code_uses(*, promo_code_id: int, now: datetime, exclude_order_id: int | None = None) -> int:
    """Orders that hold or used this promo code."""
    orders = Order.objects.filter(holding_orders_q(now), promo_code_id=promo_code_id)
    if exclude_order_id:
        orders = orders.exclude(pk=exclude_order_id)
    return orders.count()


def promo_code_tickets(*, promo_code_id: int, now: datetime, exclude_order_id: int | None = None) -> int:
    """Tickets in orders that hold or used this promo code (a sponsor's passes count tickets, not orders)."""
    lines = OrderLine.objects.filter(
        holding_orders_q(now, "order__"), order__promo_code_id=promo_code_id, discount__gt=0
    )
    if exclude_order_id:
        lines = lines.exclude(order_id=exclude_order_id)
    return lines.aggregate(n=Sum(F("quantity") - F("canceled_quantity")))["n"] or 0


def promo_codes_tickets(*, promo_code_ids: list[int], now: datetime) -> dict[int, int]:
    """`promo_code_tickets` of several codes in one query: {code's id: tickets}, codes with none left out."""
    if not promo_code_ids:
        return {}
    rows = (
        OrderLine.objects.filter(
            holding_orders_q(now, "order__"), order__promo_code_id__in=promo_code_ids, discount__gt=0
        )
        .order_by()
        .values("order__promo_code_id")
        .annotate(n=Sum(F("quantity") - F("canceled_quantity")))
    )
    return {row["order__promo_code_id"]: row["n"] or 0 for row in rows}


def ticket_types_with_availability(
    *, event: Event, include_hidden: bool = False, now: datetime | None = None
) -> list[TicketType]:
    """The event's ticket types, each with `taken`, `waiting` and `available` seats (one query).

    `available` is what the public may buy: seats neither held, sold, offered nor owed to the waiting list.

    Read in the seat count's SQL, and each type's `event` is the one given: building and compiling the
    same count as ORM subqueries cost the register page more than all its other work.
    """
    now = now or timezone.now()
    moment = connection.ops.adapt_datetimefield_value(now)
    sql = _TYPES_WITH_SEATS_SQL.format(**_CONDITIONS, visible="" if include_hidden else " AND tt.hidden = %s")
    params: list[Any] = [*_holding_params(moment), str(WaitingListEntry.Status.OFFERED), moment]
    params += [str(WaitingListEntry.Status.WAITING), event.pk] + ([] if include_hidden else [False])
    ticket_types: list[Any] = raw_list(TicketType, sql, params)
    for ticket_type in ticket_types:
        ticket_type.event = event
        ticket_type.taken, ticket_type.waiting = int(ticket_type.taken), int(ticket_type.waiting)
        ticket_type.available = max(0, (ticket_type.capacity or 0) - ticket_type.taken - ticket_type.waiting)
    return ticket_types


def ticket_types_on_sale(*, event: Event, now: datetime | None = None) -> list[TicketType]:
    """What the register page offers: visible ticket types whose sale window is open, each with `taken`
    and `available` (the steps after the choice: event_and_ticket_types_on_sale, without seats)."""
    now = now or timezone.now()
    return [tt for tt in ticket_types_with_availability(event=event, now=now) if tt.on_sale(now)]


def events_published() -> QuerySet[Event]:
    return Event.objects.filter(status=Event.Status.PUBLISHED).order_by("start")


def events_upcoming(*, now: datetime | None = None) -> QuerySet[Event]:
    return events_published().filter(end__gte=now or timezone.now())


def events_past(*, now: datetime | None = None) -> QuerySet[Event]:
    return events_published().filter(end__lt=now or timezone.now()).order_by("-start")


def event_next_open(*, now: datetime | None = None) -> Event | None:
    """The next event open for registration (the home page's "next event" slot)."""
    now = now or timezone.now()
    return (
        events_upcoming(now=now)
        .filter(Q(registration_opens__isnull=True) | Q(registration_opens__lte=now))
        .filter(Q(registration_closes__isnull=True) | Q(registration_closes__gt=now))
        .first()
    )


def event_by_slug(slug: str) -> Event | None:
    return events_published().filter(slug=slug).first()


def event_for_registration(slug: str) -> Event:
    return get_object_or_404(events_published(), slug=slug)


_TYPE_AND_EVENT = Joined(Part(TicketType, "tt"), Part(Event, "e"))
_TYPES_WITH_EVENT_SQL = (
    f"SELECT {_TYPE_AND_EVENT.columns} FROM events_tickettype tt INNER JOIN events_event e ON e.id = tt.event_id"  # noqa: S608
    " WHERE e.slug = %s AND e.status = %s AND NOT tt.hidden ORDER BY tt.position, tt.id"
)


def event_and_ticket_types_on_sale(slug: str, *, now: datetime | None = None) -> tuple[Event, list[TicketType]]:
    """The registration steps after the choice: the published event and its ticket types on sale, without
    seat counts (the order counts them under its lock), in one query: the types with their event joined,
    or the event alone when it shows no type (404 when it is not published). Written out (portal.core.joined):
    the ORM's took the register steps 1.5 ms of CPU each, most of it compiling the query."""
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(_TYPES_WITH_EVENT_SQL, [slug, str(Event.Status.PUBLISHED)])
        rows = cursor.fetchall()
    if not rows:
        return event_for_registration(slug), []
    read = [_TYPE_AND_EVENT.read(row, connection.alias) for row in rows]
    event = read[0][1]
    ticket_types = [ticket_type for ticket_type, _ in read]
    for ticket_type in ticket_types:
        TicketType.event.field.set_cached_value(ticket_type, event)  # one instance for the page
    return event, [tt for tt in ticket_types if tt.on_sale(now)]


def promo_code_find(*, event: Event, code: str) -> PromoCode | None:
    code = (code or "").strip()
    if not code:
        return None
    return PromoCode.objects.filter(event=event, code__iexact=code).prefetch_related("ticket_types").first()


def _order_lines_and_tickets() -> tuple[Prefetch, Prefetch]:
    return (
        Prefetch("lines", queryset=OrderLine.objects.select_related("ticket_type")),
        Prefetch("tickets", queryset=Ticket.objects.select_related("ticket_type").order_by("pk")),
    )


def _order_queryset() -> QuerySet[Order]:
    return Order.objects.select_related("event", "promo_code", "bundle__organization").prefetch_related(
        *_order_lines_and_tickets()
    )


def order_for_secret(*, slug: str, code: str, secret: str) -> Order:
    """The self-service page's order: the secret in the link is the permission (404 otherwise); as
    `_order_queryset()` shapes it, read in written-out statements (events/order_selectors.py)."""
    return order_selectors.order_for_secret(slug=slug, code=code, secret=secret)


def ticket_for_holder(*, slug: str, code: str) -> Ticket:
    """The holder's page: a live ticket of a paid order, by its unguessable code (404 otherwise, and once reissued)."""
    return get_object_or_404(
        Ticket.objects.select_related("order__event", "ticket_type"),
        order__event__slug=slug,
        code=code,
        order__status__in=Order.SOLD,
        canceled_at__isnull=True,
    )


# The payer's return page after an order is paid: what paid_message says (events/handlers.py).
_PAID_SUMMARY_SQL = """
SELECT ev.name, ord.buyer_email,
  EXISTS(SELECT 1 FROM events_ticket t
         WHERE t.order_id = ord.id AND t.attendee_email <> %s AND t.attendee_email <> ord.buyer_email)
FROM events_order ord INNER JOIN events_event ev ON ev.id = ord.event_id
WHERE ord.id = %s
"""


def order_paid_summary(order_id: int | str) -> tuple[str, str, bool]:
    """The order's event name, its buyer's address, and whether a ticket has an address of its own that is
    not the buyer's, in one statement (compiling the ORM's Exists cost more than running it;
    tests/events/test_paid_summary.py keeps it equal to the ORM's reading)."""
    with connection.cursor() as cursor:
        cursor.execute(_PAID_SUMMARY_SQL, ["", int(order_id)])
        row = cursor.fetchone()
    if row is None:
        raise Order.DoesNotExist(f"No order {order_id}")
    return row[0], row[1], bool(row[2])


def order_with_details(order_id: int) -> Order:
    """An order for its e-mails and invoice (a worker's read), as `_order_queryset()` shapes it: its event,
    promo code, bundle and the bundle's organisation, lines and tickets, read in written-out statements
    (events/order_selectors.py): the ORM's five took the receipt task 3 ms of CPU, a sixth of it."""
    return order_selectors.order_by_id(order_id)


def verified_emails(user) -> QuerySet:
    """The addresses proven to be the person's (an unverified one may be someone else's): what their
    guest orders, tickets bought for them and waiting-list entries are found by."""

    return EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)


def _orders_of(user, orders: QuerySet[Order]) -> QuerySet[Order]:
    """A person's orders: placed while signed in, or as a guest with one of their verified e-mails."""
    return (
        orders.filter(Q(user=user) | Q(buyer_email__in=Subquery(verified_emails(user))))
        .exclude(status=Order.Status.EXPIRED)
        .order_by("-created_at", "-pk")
    )


def orders_for_user(user) -> QuerySet[Order]:
    """A person's orders with their lines and tickets (the data export)."""
    return _orders_of(user, _order_queryset())


# My account's lists, written in SQL: building them with the ORM cost ten times what running them does,
# on a page every member opens. They say what _orders_of and tickets_held_by_user say;
# tests/events/test_account_sql.py holds them together.
_ORDERS_LISTED_SQL = """
SELECT o.id, o.code, o.secret, o.status, o.needs_approval, o.approved_at, o.total, o.currency,
  e.name AS event_name, e.slug AS event_slug,
  (SELECT COUNT(*) FROM events_ticket t WHERE t.order_id = o.id) AS ticket_count
FROM events_order o INNER JOIN events_event e ON e.id = o.event_id
WHERE (o.user_id = %s OR o.buyer_email IN (SELECT a.email FROM account_emailaddress a WHERE a.user_id = %s AND a.verified))
  AND o.status <> %s
ORDER BY o.created_at DESC, o.id DESC
"""
_TICKETS_HELD_LISTED_SQL = """
SELECT t.id, tt.name AS ticket_type_name, o.buyer_name AS buyer_name, e.name AS event_name
FROM events_ticket t
  INNER JOIN events_order o ON o.id = t.order_id
  INNER JOIN events_event e ON e.id = o.event_id
  INNER JOIN events_tickettype tt ON tt.id = t.ticket_type_id
WHERE t.attendee_email IN (SELECT a.email FROM account_emailaddress a WHERE a.user_id = %s AND a.verified)
  AND o.status IN ({sold}) AND t.canceled_at IS NULL AND (o.user_id IS NULL OR o.user_id <> %s)
  AND o.buyer_email NOT IN (SELECT a.email FROM account_emailaddress a WHERE a.user_id = %s AND a.verified)
ORDER BY e.start DESC, t.id
"""


def orders_listed_read(user) -> Read:
    """A person's orders as My account lists them, in one query: the order's own columns a line shows,
    `event_name`, `event_slug` and `ticket_count` (canceled tickets included, as on the order's page)."""
    return Read(Order, _ORDERS_LISTED_SQL, [user.pk, user.pk, str(Order.Status.EXPIRED)])


def tickets_held_listed_read(user) -> Read:
    """`tickets_held_by_user` as My account lists them, in one query: `event_name`, `ticket_type_name` and
    `buyer_name` (who bought the ticket for them)."""
    sql = _TICKETS_HELD_LISTED_SQL.format(sold=", ".join(["%s"] * len(Order.SOLD)))
    return Read(Ticket, sql, [user.pk, *map(str, Order.SOLD), user.pk, user.pk])


_SPONSORING_ORGANIZATIONS_SQL = """
SELECT org.id, org.name, org.slug
FROM members_organization org
WHERE EXISTS (SELECT 1 FROM members_organizationrole r WHERE r.organization_id = org.id AND r.user_id = %s AND r.role = %s)
  AND EXISTS (SELECT 1 FROM events_sponsorship s WHERE s.organization_id = org.id)
ORDER BY org.name, org.id
"""


def sponsoring_organizations_administered_read(user) -> Read:
    """Organisations the person administers that have sponsored (any sponsorship), by name: My account's
    links to their sponsor pages, in one SQL query (see _ORDERS_LISTED_SQL)."""
    return Read(Organization, _SPONSORING_ORGANIZATIONS_SQL, [user.pk, str(OrganizationRole.Role.ADMIN)])


def orders_to_expire(*, now: datetime) -> QuerySet[Order]:
    return Order.objects.filter(status=Order.Status.PENDING, expires_at__lte=now)


def orders_to_send_payment_link(*, now: datetime, placed_before: datetime) -> QuerySet[Order]:
    """Unpaid orders still holding their seats, placed a while ago, whose link was never e-mailed
    (orders awaiting approval get theirs with the approval)."""
    return Order.objects.filter(
        status=Order.Status.PENDING,
        needs_approval=False,
        total__gt=0,
        expires_at__gt=now,
        created_at__lte=placed_before,
        payment_link_sent_at__isnull=True,
    )


def event_sales_summary(event: Event) -> dict[str, int]:
    return Order.objects.filter(event=event).aggregate(
        paid=Count("pk", filter=Q(status__in=Order.SOLD)), pending=Count("pk", filter=Q(status="pending"))
    )


def tickets_held_by_user(user) -> QuerySet[Ticket]:
    """Valid tickets someone else bought for this person (the attendee e-mail is one of theirs, verified)."""
    emails = verified_emails(user)
    return (
        Ticket.objects.filter(
            attendee_email__in=Subquery(emails), order__status__in=Order.SOLD, canceled_at__isnull=True
        )
        .exclude(order__user=user)
        .exclude(order__buyer_email__in=Subquery(emails))
        .select_related("ticket_type", "order__event")
        .order_by("-order__event__start", "pk")
    )


# --- Check-in -----------------------------------------------------------------------------


def tickets_for_checkin(*, event: Event, query: str, limit: int = 25) -> QuerySet[Ticket]:
    """Valid tickets of the event matching a code (QR or short), or a name, company or e-mail (attendee's or buyer's)."""
    query = (query or "").strip()
    if not query:
        return Ticket.objects.none()
    tickets = Ticket.objects.filter(
        order__event=event, order__status__in=Order.SOLD, canceled_at__isnull=True
    ).select_related("ticket_type", "order__bundle__organization")
    return tickets.filter(
        ticket_code_q(query)
        | Q(order__code__iexact=query)
        | Q(attendee_name__icontains=query)
        | Q(company__icontains=query)
        | Q(attendee_email__iexact=query)
        | Q(order__buyer_name__icontains=query)
        | Q(order__buyer_email__iexact=query)
    ).order_by("attendee_name", "pk")[:limit]


# Under every search at the door: written in SQL, since building it with the ORM cost several times running it.
_CHECKIN_COUNTS_SQL = """
SELECT COUNT(t.id), COUNT(t.checked_in_at)
FROM events_ticket t INNER JOIN events_order o ON o.id = t.order_id
WHERE o.event_id = %s AND o.status IN ({sold}) AND t.canceled_at IS NULL
"""


def checkin_counts(event: Event) -> dict[str, int]:
    """The event's valid tickets (of sold orders, not canceled) and how many of them are checked in."""
    sql = _CHECKIN_COUNTS_SQL.format(sold=", ".join(["%s"] * len(Order.SOLD)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [event.pk, *map(str, Order.SOLD)])
        valid, checked_in = cursor.fetchone()
    return {"valid": valid, "checked_in": checked_in}


# --- Waiting list -------------------------------------------------------------------------


def waiting_list_entries_for_emails(emails: list[str]) -> QuerySet[WaitingListEntry]:
    """A person's entries on every waiting list, by their addresses (whatever the case), oldest first."""
    return (
        WaitingListEntry.objects.filter(email_in_q("email", emails))
        .select_related("ticket_type__event", "order")
        .order_by("created_at", "pk")
    )


def waiting_list_next(*, ticket_type_id: int) -> QuerySet[WaitingListEntry]:
    """Who waits for this ticket type, first come first served."""
    return WaitingListEntry.objects.filter(
        ticket_type_id=ticket_type_id, status=WaitingListEntry.Status.WAITING
    ).order_by("created_at", "pk")


def waiting_list_offers_to_expire(*, now: datetime) -> QuerySet[WaitingListEntry]:
    return WaitingListEntry.objects.filter(status=WaitingListEntry.Status.OFFERED, offer_expires_at__lte=now)


def waiting_list_entry(pk: int) -> WaitingListEntry:
    return get_object_or_404(WaitingListEntry.objects.select_related("ticket_type__event", "order"), pk=pk)


WAITING_LIST_SALT = "events.waiting-list"


def waiting_list_token(entry: WaitingListEntry, purpose: str) -> str:
    """A signed link token: only the person e-mailed can buy the offered seats or leave the list."""

    return signing.dumps({"e": entry.pk, "p": purpose}, salt=WAITING_LIST_SALT, compress=True)


def waiting_list_entry_for_token(*, slug: str, token: str, purpose: str) -> WaitingListEntry:
    """The entry a signed link names (404 for a forged, altered or other event's link)."""

    try:
        data = signing.loads(token, salt=WAITING_LIST_SALT)
    except signing.BadSignature:
        raise Http404("This link is not valid.") from None
    if not isinstance(data, dict) or data.get("p") != purpose:
        raise Http404("This link is not valid.")
    return get_object_or_404(
        WaitingListEntry.objects.select_related("ticket_type__event", "order"),
        pk=data.get("e"),
        ticket_type__event__slug=slug,
    )


# --- Sponsorships -------------------------------------------------------------------------


def organizations_administered_by(user):
    """Organisations this person may apply for as sponsor: those they administer (their organisation roles).

    Events staff may also apply on behalf of any organisation.
    """

    if not getattr(user, "is_authenticated", False):
        return Organization.objects.none()
    if user.has_perm("events.change_sponsorship"):
        return Organization.objects.order_by("name")
    return (
        Organization.objects.filter(roles__user=user, roles__role=OrganizationRole.Role.ADMIN)
        .distinct()
        .order_by("name")
    )


def slot_holding_q(now: datetime, prefix: str = "") -> Q:
    """Sponsorships that hold a slot: decided ones, and requests younger than 14 days."""

    cutoff = now - timedelta(days=Sponsorship.REQUEST_HOLD_DAYS)
    return Q(
        **{f"{prefix}status__in": [Sponsorship.Status.APPROVED, Sponsorship.Status.INVOICED, Sponsorship.Status.PAID]}
    ) | Q(**{f"{prefix}status": Sponsorship.Status.REQUESTED, f"{prefix}requested_at__gt": cutoff})


def sponsorship_slots_taken(*, package_id: int, now: datetime, exclude_id: int | None = None) -> int:

    qs = Sponsorship.objects.filter(slot_holding_q(now), package_id=package_id)
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    return qs.count()


def sponsorship_packages_with_slots(*, event: Event, now: datetime | None = None):
    """The event's packages, each annotated with `taken` and `slots_left`."""

    now = now or timezone.now()
    return (
        SponsorshipPackage.objects.filter(event=event)
        .select_related("event")
        .annotate(taken=Count("sponsorships", filter=slot_holding_q(now, "sponsorships__")))
        .annotate(slots_left=Greatest(Value(0), F("slots") - F("taken")))
        .order_by("position", "pk")
    )


def sponsors_for_event(event: Event):
    """Sponsorships whose logo benefit is released (or fulfilled), highest package first: what the event page
    and the API show. A paid sponsorship from before benefits had rows shows as it always did."""

    logo_given = SponsorBenefit.objects.filter(
        sponsorship=OuterRef("pk"), kind=SponsorBenefit.Kind.LOGO, status__in=SponsorBenefit.GIVEN
    )
    no_benefits = ~Exists(SponsorBenefit.objects.filter(sponsorship=OuterRef("pk")))
    return (
        Sponsorship.objects.filter(package__event=event)
        .exclude(status=Sponsorship.Status.CANCELED)
        .filter(Exists(logo_given) | (Q(status=Sponsorship.Status.PAID) & no_benefits))
        .select_related("organization", "package")
        .order_by("package__position", "package__pk", "organization__name")
    )


def sponsors_by_package(event: Event) -> list[tuple]:
    """[(package, [sponsorships])] for the event page."""
    groups: dict = {}
    for sponsorship in sponsors_for_event(event):
        groups.setdefault(sponsorship.package, []).append(sponsorship)
    return list(groups.items())


def sponsorships_for_organization(organization):
    """The company page's sponsorships (paid ones, newest event first)."""

    return (
        Sponsorship.objects.filter(organization=organization, status=Sponsorship.Status.PAID)
        .select_related("package__event")
        .order_by("-package__event__start")
    )


_SPONSORSHIPS_FOR_CONTACT_SQL = """
SELECT s.id, s.status, s.pass_code_id, org.name AS organization_name, p.name AS package_name,
  e.name AS event_name, e.slug AS event_slug, code.code AS pass_code_code, code.max_tickets AS pass_code_max_tickets
FROM events_sponsorship s
  INNER JOIN members_organization org ON org.id = s.organization_id
  INNER JOIN events_sponsorshippackage p ON p.id = s.package_id
  INNER JOIN events_event e ON e.id = p.event_id
  LEFT OUTER JOIN events_promocode code ON code.id = s.pass_code_id
WHERE EXISTS (SELECT 1 FROM events_sponsorship_contacts c WHERE c.sponsorship_id = s.id AND c.user_id = %s)
ORDER BY e.start DESC, s.id
"""


def sponsorships_for_contact_read(user) -> Read:
    """Sponsorships this person is a contact of, newest event first, as My account lists them, in one SQL
    query (see _ORDERS_LISTED_SQL): status, `organization_name`, `package_name`, `event_name`, `event_slug`,
    and the pass code's `pass_code_code` and `pass_code_max_tickets` (None without one)."""
    return Read(Sponsorship, _SPONSORSHIPS_FOR_CONTACT_SQL, [user.pk])


def sponsorships_for_staff(*, event_slug: str = "", status: str = ""):
    """The pipeline, one event's or all of them, optionally in one state."""

    rows = Sponsorship.objects.select_related("organization", "package__event", "pass_code", "contract").order_by(
        "package__event__start", "package__position", "requested_at"
    )
    if event_slug:
        rows = rows.filter(package__event__slug=event_slug)
    if status:
        rows = rows.filter(status=status)
    return rows


def sponsor_applications_of(user, event: Event) -> dict[str, list]:
    """What this person applied for at the event (as applicant or contact): sponsorships not canceled,
    representation requests not confirmed (a confirmed one is its sponsorship), their waiting-list places."""
    if not getattr(user, "is_authenticated", False):
        return {"sponsorships": [], "representations": [], "waiting": []}
    sponsorships = (
        Sponsorship.objects.filter(Q(requested_by=user) | Q(contacts=user), package__event=event)
        .exclude(status=Sponsorship.Status.CANCELED)
        .select_related("organization", "package")
        .distinct()
        .order_by("package__position", "requested_at")
    )
    representations = (
        SponsorRepresentationRequest.objects.filter(applicant=user, package__event=event)
        .exclude(status=SponsorRepresentationRequest.Status.CONFIRMED)
        .select_related("organization", "package")
        .order_by("-created_at")
    )
    waiting = SponsorWaitingListEntry.objects.filter(
        requested_by=user, package__event=event, active=True
    ).select_related("organization", "package")
    return {"sponsorships": list(sponsorships), "representations": list(representations), "waiting": list(waiting)}


def sponsor_contacts_for_user(user):
    """Sponsorship contacts at one of the person's verified addresses (any case), with their sponsorship's
    event and organisation: one query."""
    verified = EmailAddress.objects.filter(user=user, verified=True, email__iexact=OuterRef("email"))
    return SponsorshipContact.objects.filter(Exists(verified)).select_related(
        "sponsorship__package__event", "sponsorship__organization"
    )


def representation_request_for_decider(user, token: str) -> SponsorRepresentationRequest:
    """The request behind an e-mailed link, for an admin of its organisation or Events staff; 404 for anyone else."""
    rows = SponsorRepresentationRequest.objects.select_related("organization", "package__event", "applicant")
    if not user.has_perm("events.change_sponsorship"):
        rows = rows.filter(
            organization__roles__user=user, organization__roles__role=OrganizationRole.Role.ADMIN
        ).distinct()
    return get_object_or_404(rows, token=token)


def representation_requests_for_staff():
    """Requests waiting for Events staff: organisations without an admin on the site, oldest first."""
    return SponsorRepresentationRequest.objects.filter(
        status=SponsorRepresentationRequest.Status.PENDING, asked_staff=True
    ).select_related("organization", "package__event", "applicant")


# --- The staff dashboard ------------------------------------------------------------------


def event_dashboard(event: Event, *, now: datetime | None = None) -> dict:
    """Sold and held against capacity per ticket type, revenue, sponsorships by status, waiting lists."""

    now = now or timezone.now()
    types = list(TicketType.objects.filter(event=event).order_by("position", "pk"))
    ids = [tt.pk for tt in types]
    sold = dict(
        OrderLine.objects.filter(order__status__in=Order.SOLD, ticket_type_id__in=ids)
        .values_list("ticket_type_id")
        .annotate(n=Sum(F("quantity") - F("canceled_quantity")))
        .values_list("ticket_type_id", "n")
    )
    taken = seats_taken(ticket_type_ids=ids, now=now)
    waiting = dict(
        WaitingListEntry.objects.filter(ticket_type_id__in=ids, status__in=WaitingListEntry.ACTIVE)
        .values_list("ticket_type_id")
        .annotate(n=Count("pk"))
        .values_list("ticket_type_id", "n")
    )
    rows = [
        {
            "ticket_type": tt,
            "capacity": tt.capacity,
            "sold": sold.get(tt.pk) or 0,
            "held": taken[tt.pk] - (sold.get(tt.pk) or 0),
            "available": max(0, tt.capacity - taken[tt.pk]),
            "waiting": waiting.get(tt.pk) or 0,
        }
        for tt in types
    ]
    money_in = Order.objects.filter(event=event, status__in=[*Order.SOLD, Order.Status.REFUNDED, Order.Status.CANCELED])
    totals = money_in.filter(paid_at__isnull=False).aggregate(gross=Sum("total"), refunded=Sum("refunded_amount"))
    gross, refunded = totals["gross"] or 0, totals["refunded"] or 0
    sponsorship_counts = dict(
        Sponsorship.objects.filter(package__event=event)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    sponsor_revenue = (
        Sponsorship.objects.filter(package__event=event, status=Sponsorship.Status.PAID).aggregate(
            n=Sum("package__price")
        )["n"]
        or 0
    )
    return {
        "ticket_types": rows,
        "ticket_revenue": gross - refunded,
        "refunded": refunded,
        "sponsor_revenue": sponsor_revenue,
        "sponsorships": [(label, sponsorship_counts.get(value, 0)) for value, label in Sponsorship.Status.choices],
        "packages": list(sponsorship_packages_with_slots(event=event, now=now)),
        "waiting_list": list(
            WaitingListEntry.objects.filter(ticket_type__event=event, status__in=WaitingListEntry.ACTIVE)
            .select_related("ticket_type")
            .order_by("created_at")[:50]
        ),
        "sponsor_waiting_list": list(
            SponsorWaitingListEntry.objects.filter(package__event=event, active=True)
            .select_related("organization", "package")
            .order_by("created_at")
        ),
        "awaiting_approval": Order.objects.filter(
            event=event, status=Order.Status.PENDING, needs_approval=True, approved_at__isnull=True
        ).count(),
        "checkin": checkin_counts(event),
    }


def orders_for_staff(*, event: Event, query: str = "") -> QuerySet[Order]:
    """The event's orders, newest first; search by code, buyer, e-mail or attendee."""
    orders = Order.objects.filter(event=event).order_by("-created_at")
    query = (query or "").strip()
    if query:
        orders = orders.filter(
            Q(code__iexact=query)
            | Q(buyer_name__icontains=query)
            | Q(buyer_email__icontains=query)
            | Q(tickets__attendee_name__icontains=query)
            | Q(tickets__attendee_email__icontains=query)
        ).distinct()
    return orders.prefetch_related(Prefetch("lines", queryset=OrderLine.objects.select_related("ticket_type")))


def event_for_staff(slug: str) -> Event:
    """Any event, published or not, by slug (404 otherwise): staff tools see drafts too."""
    return get_object_or_404(Event, slug=slug)


def orders_for_event(event: Event) -> QuerySet[Order]:
    """Every order of an event, newest first, with lines, tickets and promo code loaded in bulk."""
    return _order_queryset().filter(event=event).order_by("-created_at", "-pk")


def attendees_for_event(event: Event) -> QuerySet[Ticket]:
    """The tickets of paid orders (the people expected at the door), by name."""
    return (
        Ticket.objects.filter(order__event=event, order__status__in=Order.SOLD, canceled_at__isnull=True)
        .select_related("ticket_type", "order")
        .order_by("attendee_name", "pk")
    )
