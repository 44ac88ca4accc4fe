"""Driving wrk (Debian's /usr/bin/wrk) and reading what it reports."""

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

LUA_SCRIPT = Path(__file__).with_name("bench.lua")
RESULT_MARKER = "BENCH_RESULT "


class WrkError(RuntimeError):
    """wrk is missing, failed, or printed nothing we can read."""


@dataclass(frozen=True)
class LoadResult:
    """One bounded load run: throughput, latency percentiles (ms) and errors by kind."""

    requests: int
    duration_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s > 0 else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @classmethod
    def combined(cls, slices: "list[LoadResult]") -> "LoadResult":
        """Slices of one load as one: requests over the time they took; percentiles, the slices' mean."""
        n = len(slices)
        errors: dict[str, int] = {}
        for piece in slices:
            for kind, count in piece.errors.items():
                errors[kind] = errors.get(kind, 0) + count
        return cls(
            requests=sum(r.requests for r in slices),
            duration_s=sum(r.duration_s for r in slices),
            p50_ms=sum(r.p50_ms for r in slices) / n,
            p90_ms=sum(r.p90_ms for r in slices) / n,
            p99_ms=sum(r.p99_ms for r in slices) / n,
            max_ms=max(r.max_ms for r in slices),
            errors=errors,
        )


def find_wrk() -> str:
    path = shutil.which("wrk") or ("/usr/bin/wrk" if Path("/usr/bin/wrk").exists() else None)
    if path is None:
        raise WrkError("wrk is not installed: `apt-get install wrk` (Debian's package; .ci/run installs it)")
    return path


def parse_wrk_output(text: str) -> LoadResult:
    """Read the line bench.lua's done() prints; fail loudly when wrk printed none."""
    for line in text.splitlines():
        if line.startswith(RESULT_MARKER):
            data = json.loads(line[len(RESULT_MARKER) :])
            lat = data["latency_us"]
            return LoadResult(
                requests=int(data["requests"]),
                duration_s=data["duration_us"] / 1e6,
                p50_ms=lat["p50"] / 1000,
                p90_ms=lat["p90"] / 1000,
                p99_ms=lat["p99"] / 1000,
                max_ms=lat["max"] / 1000,
                errors=_errors(data["errors"], data.get("statuses", {})),
            )
    raise WrkError("wrk printed no result line:\n" + text.strip()[-2000:])


def _errors(socket_errors: dict[str, int], statuses: dict[str, int]) -> dict[str, int]:
    """Socket errors by kind and every non-2xx answer by status (wrk counts 3xx as successes)."""
    errors = {kind: int(n) for kind, n in socket_errors.items() if n and kind != "status"}
    errors.update({f"HTTP {status}": int(n) for status, n in sorted(statuses.items()) if n})
    if socket_errors.get("status") and not statuses:
        errors["HTTP 4xx/5xx"] = int(socket_errors["status"])
    return errors


def wrk_command(
    wrk: str,
    url: str,
    *,
    connections: int,
    threads: int,
    duration_s: float,
    headers: dict[str, str],
    timeout_s: int = 10,
) -> list[str]:
    threads = max(1, min(threads, connections))
    cmd = [
        wrk,
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={max(1, round(duration_s))}s",
        f"--timeout={timeout_s}s",
        f"--script={LUA_SCRIPT}",
    ]
    for name, value in headers.items():
        cmd += ["--header", f"{name}: {value}"]
    return [*cmd, url]


def run_wrk(wrk: str, url: str, *, duration_s: float, cache_bust: bool = False, **options) -> LoadResult:
    """Run wrk (`options`: the connections, threads and headers of wrk_command) and parse what it prints."""
    cmd = wrk_command(wrk, url, duration_s=duration_s, **options)
    env = {**os.environ, "BENCH_CACHE_BUST": "1" if cache_bust else "0"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=duration_s + 60, check=False)
    if proc.returncode != 0:
        raise WrkError(f"wrk exited with {proc.returncode}: {proc.stderr.strip() or proc.stdout.strip()}")
    return parse_wrk_output(proc.stdout)
