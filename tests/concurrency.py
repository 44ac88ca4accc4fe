"""Race helpers for the PostgreSQL concurrency tests."""

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from unittest import mock

from django.db import connection

from portal.core import capacity
from portal.core.exceptions import Busy, SoldOut


def run_at_once(call: Callable, arguments: Iterable[tuple], *, timeout: float = 60) -> list[object]:
    """Call `call(*args)` for each args in its own thread, all released together once their database
    connections are open; returns each call's result, or the exception it raised, in finishing order."""
    from portal.accounts.users import User

    pending = list(arguments)
    barrier = threading.Barrier(len(pending))
    outcomes: list[object] = []
    lock = threading.Lock()

    def contender(*args):
        try:
            User.objects.exists()  # open this thread's connection before the start line
            barrier.wait()
            result = call(*args)
        except Exception as error:  # noqa: BLE001 - returned for the test to assert
            result = error
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=contender, args=args) for args in pending]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return outcomes


def race(attempt: Callable[[int], object], people: int, *, threads: int) -> dict[str, int]:
    """`people` people call attempt(n) on `threads` threads, the first wave released together: each either
    succeeds ("ok") or is told SoldOut ("sold_out"); a Busy answer is retried like a person would, up to 20
    times ("busy_retries" counts the retries, "gave_up" those who never got another answer)."""
    outcomes = {"ok": 0, "sold_out": 0, "busy_retries": 0, "gave_up": 0}
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def person(n: int) -> None:
        if n < threads:
            start.wait()
        result = "gave_up"
        try:
            for _attempt in range(20):
                try:
                    attempt(n)
                    result = "ok"
                    break
                except SoldOut:
                    result = "sold_out"
                    break
                except Busy:
                    with lock:
                        outcomes["busy_retries"] += 1
            with lock:
                outcomes[result] += 1
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(person, range(people)))
    return outcomes


@contextmanager
def widen_the_window(seconds: float) -> Iterator[None]:
    """Sleep after every capacity check that passes, before the write that follows it, so racing
    writers who counted the same seats overlap; the row lock must still keep them apart."""
    check = capacity.ensure_room

    def slow_check(**kwargs) -> None:
        check(**kwargs)
        time.sleep(seconds)

    with mock.patch.object(capacity, "ensure_room", slow_check):
        yield


@contextmanager
def without_capacity_locks() -> Iterator[None]:
    """Read the rows that own a capacity without locking them: the control run, which must oversell,
    shows that a concurrency test can see a race at all."""
    with mock.patch.object(capacity, "lock", lambda queryset, **kwargs: list(queryset)):
        yield
