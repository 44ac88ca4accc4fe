"""Race helpers for the PostgreSQL concurrency tests."""

import threading
from collections.abc import Callable, Iterable


def run_at_once(call: Callable, arguments: Iterable[tuple], *, timeout: float = 60) -> list[object]:
    """Call `call(*args)` for each args in its own thread, all released together once their database
    connections are open; returns each call's result, or the exception it raised, in finishing order."""
    from django.db import connection

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
