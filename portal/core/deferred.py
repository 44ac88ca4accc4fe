"""Rows a block of work writes together at its end, in one statement, instead of one each.

`audit_batch()` (portal/core/audit.py) and the outbox's `batch()` (portal/core/outbox.py) collect
into a context variable of their own and hand what they collected to their writer here.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any


@contextmanager
def written_together(collecting: ContextVar[list | None], write: Callable[[list], Any]) -> Iterator[None]:
    """While the block runs, `collecting` holds a list that callers append to; when it ends, `write`
    gets that list (not when empty). Nested, the outer block writes. A block that raises writes
    nothing: it runs inside the transaction it belongs to, which is rolled back anyway."""
    if collecting.get() is not None:
        yield
        return
    pending: list = []
    token = collecting.set(pending)
    try:
        yield
    finally:
        collecting.reset(token)
    if pending:
        write(pending)
