"""The waiting list of a full ticket type: joining, offers when seats free, leaving, expiry."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Replace
from django.utils import timezone
from wagtail.models import ModelLogEntry

from events import selectors, tasks
from events.exceptions import WaitingListInvalid
from events.models import Order, TicketType, WaitingListEntry
from events.services.seats import _lock_capacity
from portal.core.audit import audit, audit_batch
from portal.core.tasking import enqueue_on_commit


def _order_type_ids(order: Order) -> list[int]:
    return sorted(set(order.lines.values_list("ticket_type_id", flat=True)))


def waiting_list_join(*, ticket_type: TicketType, email: str, quantity: int) -> WaitingListEntry:
    """Join the list of a ticket type that cannot sell `quantity` seats now; once per e-mail."""
    now = timezone.now()
    email = (email or "").strip().lower()
    if not email or "@" not in email:
        raise WaitingListInvalid("Tell us your e-mail address.")
    if not 1 <= quantity <= ticket_type.max_per_order:
        raise WaitingListInvalid(f"Ask for 1 to {ticket_type.max_per_order} seats.")
    with transaction.atomic():
        _lock_capacity(ticket_type_ids=[ticket_type.pk], promo_code_id=None)
        taken = selectors.seats_taken(ticket_type_ids=[ticket_type.pk], now=now)[ticket_type.pk]
        waiting = selectors.waiting_list_next(ticket_type_id=ticket_type.pk).exists()
        if ticket_type.capacity - taken >= quantity and not waiting:
            raise WaitingListInvalid(f"{ticket_type.name} is not sold out: register now.")
        if WaitingListEntry.objects.filter(
            ticket_type=ticket_type, email=email, status__in=WaitingListEntry.ACTIVE
        ).exists():
            raise WaitingListInvalid("You are already on this waiting list.")
        entry = WaitingListEntry.objects.create(ticket_type=ticket_type, email=email, quantity=quantity)
        audit("events.waiting_list.join", entry, data={"ticket_type": ticket_type.pk, "quantity": quantity})

        enqueue_on_commit(tasks.send_waiting_list_joined, entry.pk)
        # Seats may already be free (someone joined while others still waited): offer at once.
        waiting_list_offer(ticket_type_ids=[ticket_type.pk], now=now)
    return entry


def waiting_list_offer(*, ticket_type_ids: list[int], now: datetime | None = None) -> list[WaitingListEntry]:
    """Offer returned seats to the people waiting, in order: each offer holds its seats until it expires.

    Runs inside the transaction that freed the seats, under the ticket types' locks, so nobody
    else can take them in between.
    """
    now = now or timezone.now()
    offered: list[WaitingListEntry] = []
    if not WaitingListEntry.objects.filter(
        ticket_type_id__in=ticket_type_ids, status=WaitingListEntry.Status.WAITING
    ).exists():
        return offered  # nobody waits: no lock needed

    with transaction.atomic():
        capacities = _lock_capacity(ticket_type_ids=sorted(ticket_type_ids), promo_code_id=None).seats
        taken = selectors.seats_taken(ticket_type_ids=ticket_type_ids, now=now)
        hours = getattr(settings, "WAITING_LIST_OFFER_HOURS", 24)
        for pk in ticket_type_ids:
            free = capacities[pk] - taken[pk]
            for entry in selectors.waiting_list_next(ticket_type_id=pk).select_for_update():
                if free <= 0:
                    break
                if entry.quantity > free:
                    continue  # smaller requests further down may still fit
                entry.move_to(WaitingListEntry.Status.OFFERED)
                entry.offered_at = now
                entry.offer_expires_at = now + timedelta(hours=hours)
                entry.save(update_fields=["status", "offered_at", "offer_expires_at"])
                audit("events.waiting_list.offer", entry, data={"quantity": entry.quantity})
                enqueue_on_commit(tasks.send_waiting_list_offer, entry.pk)
                free -= entry.quantity
                offered.append(entry)
    return offered


def ticket_type_seats_added(*, ticket_type: TicketType, actor=None) -> list[WaitingListEntry]:
    """Seats added by staff (a capacity raised, a type created) go to the waiting list before the public."""
    with transaction.atomic():
        offered = waiting_list_offer(ticket_type_ids=[ticket_type.pk])
        if offered:
            audit(
                "events.ticket_type.seats_offered",
                ticket_type,
                actor=actor,
                data={"capacity": ticket_type.capacity, "offered": [entry.pk for entry in offered]},
            )
    return offered


def waiting_list_leave(*, entry: WaitingListEntry) -> WaitingListEntry:
    """Leave the list (one click from the e-mail); an open offer's seats go to the next person."""
    with transaction.atomic():
        # The ticket type first, then the entry: waiting_list_offer's order, so an offer being made for
        # this type meanwhile (it may pick this entry) waits for us instead of deadlocking with us.
        _lock_capacity(ticket_type_ids=[entry.ticket_type_id], promo_code_id=None)
        entry = WaitingListEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status not in WaitingListEntry.ACTIVE:
            return entry
        was_offered = entry.status == WaitingListEntry.Status.OFFERED
        entry.move_to(WaitingListEntry.Status.LEFT)
        entry.save(update_fields=["status"])
        audit("events.waiting_list.leave", entry, data={})
        if was_offered:
            waiting_list_offer(ticket_type_ids=[entry.ticket_type_id])
    return entry


def waiting_list_anonymise(*, emails: list[str], anonymised_email: str) -> list[WaitingListEntry]:
    """A deleted account's entries (by e-mail, whatever the case) lose the address; those on the list leave it.

    Leaving is as in waiting_list_leave, for every entry at once: audited, and an open offer's
    seats go to the next person. The audit entries already written keep their rows, without the address.
    """
    if not emails:
        return []
    person = WaitingListEntry.objects.filter(selectors.email_in_q("email", emails))
    with transaction.atomic():
        # The ticket types of the entries on a list first, then the entries: waiting_list_offer's order,
        # so an offer made meanwhile for one of them waits for us instead of deadlocking with us.
        active_types = person.filter(status__in=WaitingListEntry.ACTIVE).values_list("ticket_type_id", flat=True)
        if active_types:
            _lock_capacity(ticket_type_ids=sorted(set(active_types)), promo_code_id=None)
        entries = list(person.select_related("ticket_type").select_for_update(of=("self",)))
        if not entries:
            return []
        pks = [entry.pk for entry in entries]
        leaving = [entry for entry in entries if entry.status in WaitingListEntry.ACTIVE]
        released = sorted(
            {entry.ticket_type_id for entry in leaving if entry.status == WaitingListEntry.Status.OFFERED}
        )
        # Those on a list leave it first, then every entry loses the address: the person may wait for one
        # ticket type under two of their addresses, and two active entries with the same new address
        # would break the one-active-entry-per-address constraint.
        WaitingListEntry.move_all(
            WaitingListEntry.objects.filter(pk__in=[entry.pk for entry in leaving]), WaitingListEntry.Status.LEFT
        )
        WaitingListEntry.objects.filter(pk__in=pks).update(email=anonymised_email)
        # Audit labels are the entry's str(), which starts with the address. Longest first: replacing
        # ada@x.org before not-ada@x.org would leave "not-" behind.
        label: F | Replace = F("label")
        for address in sorted({entry.email for entry in entries}, key=len, reverse=True):
            label = Replace(label, Value(address), Value(anonymised_email))
        ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(WaitingListEntry), object_id__in=[str(pk) for pk in pks]
        ).update(label=label)
        for entry in entries:
            entry.email = anonymised_email
        with audit_batch():
            for entry in leaving:
                entry.move_to(WaitingListEntry.Status.LEFT)
                audit("events.waiting_list.leave", entry, data={"account_deleted": True})
        # After the update, so none of the person's own entries is offered the seats they let go.
        if released:
            waiting_list_offer(ticket_type_ids=released)
    return entries


def waiting_list_expire_offers(*, now: datetime | None = None) -> int:
    """Offers not used in time lapse; their seats are offered to the next people."""
    now = now or timezone.now()
    expired = 0
    for pk in selectors.waiting_list_offers_to_expire(now=now).values_list("pk", flat=True):
        with transaction.atomic():
            entry = WaitingListEntry.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if entry is None or entry.status != WaitingListEntry.Status.OFFERED or entry.offer_is_open(now):
                continue
            entry.move_to(WaitingListEntry.Status.EXPIRED)
            entry.save(update_fields=["status"])
            audit("events.waiting_list.expire", entry, data={})
            waiting_list_offer(ticket_type_ids=[entry.ticket_type_id], now=now)
            expired += 1
    return expired
