"""Journeys: scenarios of several requests, run by Python threads instead of wrk.

A journey is three functions: `prepare(ctx)` once (returns any state it needs), `run_once(session,
state)` from each of `connections` threads until the time is up, and `verify(state)` once at the
end, which returns the problems it found (e.g. an oversold ticket type). Throughput is completed
journeys per second; latency is per journey. `run_once` raises `JourneyError("status")` on a 5xx
(counted as errors, never as completions) and `JourneyError("busy")` for an answer the site gives
on purpose under contention ("busy, try again"), which the journey may retry.
"""

import math
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from bench.wrk import LoadResult


class JourneyError(Exception):
    def __init__(self, kind: str, detail: str = ""):
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind


@dataclass
class JourneyContext:
    base_url: str  # the gunicorn server
    path: str  # the scenario's resolved path (e.g. the event's register page)
    stripe_url: str  # localstripe, state in memory
    headers: dict[str, str]  # what every request sends (X-Forwarded-Proto: https)
    manage: Callable[..., str]  # runs `manage.py <args>` with the bench's settings, returns stdout


@dataclass(frozen=True)
class Journey:
    prepare: Callable[[JourneyContext], Any]
    run_once: Callable[[requests.Session, Any], None]
    verify: Callable[[Any], list[str]] = field(default=lambda state: [])


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (what wrk reports too); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(p / 100 * len(ordered))))
    return ordered[rank - 1]


def run_journey(
    journey: Journey, ctx: JourneyContext, *, connections: int, duration_s: float
) -> tuple[LoadResult, list[str]]:
    """Run `journey` from `connections` threads for `duration_s`; returns the load result and the problems."""
    state = journey.prepare(ctx)
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + duration_s

    def worker() -> None:
        with requests.Session() as session:
            session.headers.update(ctx.headers)
            while time.monotonic() < deadline:
                started = time.perf_counter()
                try:
                    journey.run_once(session, state)
                except JourneyError as exc:
                    with lock:
                        errors[exc.kind] += 1
                    continue
                except requests.RequestException:
                    with lock:
                        errors["connect"] += 1
                    continue
                elapsed_ms = (time.perf_counter() - started) * 1000
                with lock:
                    latencies.append(elapsed_ms)

    started = time.monotonic()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    result = LoadResult(
        requests=len(latencies),
        duration_s=elapsed,
        p50_ms=percentile(latencies, 50),
        p90_ms=percentile(latencies, 90),
        p99_ms=percentile(latencies, 99),
        max_ms=max(latencies, default=0.0),
        errors=dict(errors),
    )
    return result, journey.verify(state)


# --- The order journey (issue 9) ------------------------------------------------------------
# To do when /events/<slug>/register/ exists: in `prepare`, give the event's cheapest paid ticket
# type a capacity the run cannot exhaust, or a small one to see "sold out" (through `ctx.manage`);
# in `run_once`: GET the register page (CSRF token and cookie), POST one ticket with attendee
# details, follow to the pay page, create a card token on localstripe
# (`POST {ctx.stripe_url}/v1/tokens`, card 4242…), POST it to the pay page, then poll the order
# until it is paid; raise JourneyError("status") on any 5xx. In `verify`: count paid and held
# seats per ticket type against capacity (`ctx.manage("shell", "-c", ...)`) and return a line
# per oversold type.


def _order_not_written(ctx: JourneyContext) -> Any:
    raise NotImplementedError("the order journey's steps are not written yet (bench/journeys.py)")


JOURNEYS: dict[str, Journey] = {
    "order": Journey(prepare=_order_not_written, run_once=lambda session, state: None),
}
