"""Capacity (ticket types, promo codes, sponsorship slots, tier seats): lock the owning row, recount, write.

The one way, in one transaction: `lock()` the rows that own the capacity (waiting at most
CAPACITY_LOCK_TIMEOUT_MS on PostgreSQL, then CapacityBusy: "busy, try again"), count what is taken
with the app's selector, and `ensure_room()` before writing. SQLite ignores FOR UPDATE; its writers
queue on the database lock (IMMEDIATE transactions), and `busy_on_contention` turns a lost wait
into the same answer.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.conf import settings
from django.db import OperationalError, connection
from django.db.models import Model, QuerySet

from portal.core.exceptions import ApplicationError, CapacityBusy

M = TypeVar("M", bound=Model)

BUSY_MESSAGE = "Many people are asking for this right now. Please try again in a moment."


def is_contention(error: OperationalError) -> bool:
    """A lock not granted in time, a deadlock, a serialisation failure, or SQLite's "database is locked"."""
    text = f"{error} {error.__cause__}".lower()
    return any(word in text for word in ("lock", "deadlock", "could not serialize", "busy"))


@contextmanager
def busy_on_contention(message: str = BUSY_MESSAGE) -> Iterator[None]:
    """Around a capacity transaction: contention becomes CapacityBusy with `message`; other errors pass."""
    try:
        yield
    except OperationalError as error:
        if is_contention(error):
            raise CapacityBusy(message) from error
        raise


def lock(queryset: QuerySet[M], *, message: str = BUSY_MESSAGE) -> list[M]:
    """The rows that own a capacity, read and locked until the transaction ends (order the queryset by pk
    when it holds several rows, so two lockers never deadlock)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # SET LOCAL lock_timeout, for this transaction only
            cursor.execute(
                "SELECT set_config('lock_timeout', %s, true)", [f"{int(settings.CAPACITY_LOCK_TIMEOUT_MS)}ms"]
            )
    with busy_on_contention(message):
        return list(queryset.select_for_update(of=("self",)))


def ensure_room(*, taken: int, wanted: int, limit: int | None, refuse: Callable[[int], ApplicationError]) -> None:
    """Call with the owner locked and `taken` counted after the lock: raise `refuse(left)` (a SoldOut)
    when `wanted` more do not fit in `limit`; no limit (None) always fits."""
    if limit is not None and taken + wanted > limit:
        raise refuse(max(0, limit - taken))
