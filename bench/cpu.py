"""CPU time of the processes a benchmark runs, read from /proc (Linux; None or 0 elsewhere).

The order journey's cost is not only gunicorn's: Celery, localstripe, PostgreSQL and the Python
driver itself share the same cores, so the report counts each of them.
"""

import os
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, user + system CPU seconds) of a process, or None if it is gone."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS


def process_cpu(pid: int, *, children: bool = True) -> float | None:
    """CPU seconds of a process and (by default) of its direct children; None without /proc."""
    if not PROC.is_dir():
        return None
    if not children:
        stat = _stat(pid)
        return stat[1] if stat is not None else 0.0
    total = 0.0
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        stat = _stat(int(entry.name))
        if stat is None:
            continue
        ppid, seconds = stat
        if int(entry.name) == pid or (children and ppid == pid):
            total += seconds
    return total


class PostgresBackends:
    """CPU of the PostgreSQL backends serving one database, since this object was made.

    Backends are found in pg_stat_activity on every reading; one that started meanwhile counts in
    full, one that ended meanwhile is lost (the figure is a floor). None unless DATABASE_URL is
    PostgreSQL on this machine.
    """

    def __init__(self, database_url: str):
        self.connection = None
        self.baseline: dict[int, float] = {}
        url = urlsplit(database_url)
        if not url.scheme.startswith("postgres") or url.hostname not in {"127.0.0.1", "localhost", "::1"}:
            return
        if not PROC.is_dir():
            return
        import psycopg

        self.connection = psycopg.connect(database_url.replace("postgis://", "postgres://"), autocommit=True)
        self.baseline = self._read()

    def _read(self) -> dict[int, float]:
        rows = self.connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
        out = {}
        for (pid,) in rows:
            stat = _stat(pid)
            if stat is not None:
                out[pid] = stat[1]
        return out

    def seconds(self) -> float | None:
        if self.connection is None:
            return None
        now = self._read()
        return sum(seconds - self.baseline.get(pid, 0.0) for pid, seconds in now.items())

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def probe(processes: dict[str, int], postgres: PostgresBackends | None = None) -> Callable[[], dict[str, float]]:
    """A reading of CPU seconds so far: each named process (with its children), this process
    (`driver`: the load generator's own threads) and the database's backends."""

    def read() -> dict[str, float]:
        out = {name: process_cpu(pid) for name, pid in processes.items()}
        out["driver"] = time.process_time()
        if postgres is not None:
            out["postgres"] = postgres.seconds()
        return {name: value for name, value in out.items() if value is not None}

    return read


def speed_probe(rounds: int = 3) -> float:
    """Milliseconds of CPU for a fixed pure-Python loop (the best of `rounds`): how fast this machine's
    cores are just now. On shared virtual machines it moves by half from one minute to the next, and
    every absolute figure of the run moves with it."""
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        total = 0
        for i in range(1_000_000):
            total += i * i
        best = min(best, time.process_time() - started)
    return best * 1000
