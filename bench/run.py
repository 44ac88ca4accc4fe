"""`make bench`: the site under gunicorn with production settings, each scenario under wrk.

Order of a run: collect static files into a temporary STATIC_ROOT, migrate and fill a database
(on DATABASE_URL's PostgreSQL server, a database of the run's own, dropped at the end; Redis from
REDIS_URL; else a SQLite file of the run's own), start
localstripe (in memory) and gunicorn on free loopback ports, measure the static file, then each
scenario followed by the static file again (each scenario's ratios are to the static runs around
it), count each scenario's queries, write bench/results/latest.md and print it. Every process it starts is stopped on the way out, on error and on Ctrl-C too.
"""

import argparse
import ctypes
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import requests

from bench import cpu, databases, report
from bench.journeys import JOURNEYS, JourneyContext, JourneyError, Visitor, find_form, run_journey
from bench.scenarios import PEOPLE, SCENARIOS, STATIC, NotYet, Scenario
from bench.wrk import LoadResult, WrkError, find_wrk, run_wrk
from portal.payments.gateway import WEBHOOK_EVENTS

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results" / "latest.md"
FORWARDED = {"X-Forwarded-Proto": "https"}  # satisfies SECURE_SSL_REDIRECT like a TLS proxy would
CPUS = os.cpu_count() or 1


class BenchError(RuntimeError):
    """The bench itself could not run (a server did not start, wrk is missing…)."""


def log(message: str) -> None:
    sys.stderr.write(f"[bench] {message}\n")
    sys.stderr.flush()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:
    """In the child: get SIGTERM if the harness dies without cleaning up (kill -9)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class Processes:
    """The servers this run started; `stop()` ends each one's own process group, and only those."""

    def __init__(self, logdir: Path):
        self.logdir = logdir
        self.running: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, cmd: list[str], env: dict[str, str]) -> subprocess.Popen:
        logfile = (self.logdir / f"{name}.log").open("wb")
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: Ctrl-C reaches us, and we stop it in order
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,  # noqa: PLW1509
        )
        logfile.close()
        self.running.append((name, proc))
        return proc

    def pids(self) -> dict[str, int]:
        """The running servers by name (their children count with them)."""
        return {name: proc.pid for name, proc in self.running if proc.poll() is None}

    def tail(self, name: str, lines: int = 30) -> str:
        path = self.logdir / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def stop(self) -> None:
        for _name, proc in reversed(self.running):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for _name, proc in reversed(self.running):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(timeout=5)
        self.running.clear()


def server_cpu_seconds(master_pid: int) -> float | None:
    """User + system CPU time of the gunicorn master and its workers, from /proc (None elsewhere)."""
    return cpu.process_cpu(master_pid)


def bench_env(workdir: Path, *, port: int, stripe_port: int, database_url: str | None = None) -> dict[str, str]:
    """Production settings for a throwaway site: never the developer's database, static or media."""
    env = dict(os.environ)
    database_url = database_url or os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}"
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=f"http://127.0.0.1:{port}",
        BENCH_STATIC_ROOT=str(workdir / "static"),
        BENCH_QUERY_HEADER="1",
        MEDIA_ROOT=str(workdir / "media"),
        DATABASE_URL=database_url,
        REDIS_URL=os.environ.get("REDIS_URL", ""),
        # Never real Stripe, whatever the shell has: localstripe on loopback, in memory.
        STRIPE_SECRET_KEY="sk_test_localstripe",  # noqa: S106 - the localstripe placeholder
        STRIPE_ALLOW_LOCALSTRIPE="1",
        # A bench on SQLite without Redis measures one machine's processes, each with its own cache.
        ALLOW_PER_PROCESS_CACHE="1",
        STRIPE_PUBLISHABLE_KEY="pk_test_localstripe",
        STRIPE_WEBHOOK_SECRET="whsec_bench_" + secrets.token_hex(8),
        LOCALSTRIPE_PORT=str(stripe_port),
        STRIPE_API_BASE=f"http://127.0.0.1:{stripe_port}",
        EMAIL_URL="dummymail://",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    if not env["REDIS_URL"]:
        # As `make run`: the embedded broker, a SQLite file of the run's own, read by the run's worker.
        env["CELERY_BROKER_URL"] = f"sqla+sqlite:///{workdir / 'celery-broker.sqlite3'}"
    else:
        env.pop("CELERY_BROKER_URL", None)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    proc = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if proc.returncode != 0:
        raise BenchError(f"manage.py {' '.join(args)} failed:\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def describe_database(env: dict[str, str]) -> str:
    url = urlsplit(env["DATABASE_URL"])
    if url.scheme.startswith("sqlite"):
        if os.environ.get("DATABASE_URL"):
            return "SQLite from DATABASE_URL, migrated and filled with `load_demo`"
        return "SQLite, a fresh file of the run's own (WAL), migrated and filled with `load_demo`"
    return (
        f"{url.scheme} on {url.hostname}:{url.port or ''} (DATABASE_URL's server), a new database of the run's "
        f"own (`{url.path.lstrip('/')}`, dropped after), migrated and filled with `load_demo`"
    )


class HttpSite:
    """The running server, as the scenarios' resolvers and the probes see it."""

    def __init__(self, base_url: str, static_root: Path, second_factor: Callable[[str], str] | None = None):
        self.base_url = base_url
        self.static_root = static_root
        self.second_factor = second_factor  # an e-mail's current authenticator code (staff need one)
        self.session = requests.Session()
        self.session.headers.update(FORWARDED)

        self._people: dict[str, dict[str, str]] = {}
        self.found: dict[str, str] = {}

    def session_of(self, person: str) -> dict[str, str]:
        """The Cookie header of `person` (a key of PEOPLE), logged in once through the log-in form."""
        if person not in self._people:
            email, password = PEOPLE[person]
            visitor = Visitor(self.base_url, FORWARDED)
            try:
                page = visitor.get("/accounts/login/")
                form = find_form(page.text, has="login", method="post")
                page = visitor.submit(page, form, {**form.fields, "login": email, "password": password})
                if "/2fa/authenticate/" in page.url and self.second_factor is not None:
                    form = find_form(page.text, has="code", method="post")
                    page = visitor.submit(page, form, {**form.fields, "code": self.second_factor(email)})
            finally:
                visitor.close()
            if page.status_code != 200 or "/accounts/login/" in page.url or "/2fa/" in page.url:
                raise BenchError(f"could not log in as {email} ({page.status_code} at {page.url})")
            cookie = "; ".join(f"{name}={value}" for name, value in visitor.cookies.items())
            self._people[person] = {"Cookie": cookie}
        return self._people[person]

    def request(self, path: str, headers: dict[str, str] | None = None) -> requests.Response:
        return self.session.get(self.base_url + path, headers=headers or {}, allow_redirects=False, timeout=30)

    def get(self, path: str) -> tuple[int, str]:
        response = self.request(path)
        return response.status_code, response.text

    def static_path(self, name: str) -> str | None:
        manifest = self.static_root / "staticfiles.json"
        if not manifest.exists():
            return None
        hashed = json.loads(manifest.read_text()).get("paths", {}).get(name)
        return f"/static/{hashed}" if hashed else None

    def wait_ready(self, proc: subprocess.Popen, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise BenchError(f"the server exited with {proc.returncode}")
            try:
                if self.request("/health/").status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise BenchError(f"the server did not answer /health/ with 200 within {timeout:.0f} s")


def scenario_headers(site, scenario: Scenario) -> dict[str, str]:
    """What each request of the scenario sends: its headers, and the session of who it is signed in as."""
    if not scenario.signed_in:
        return dict(scenario.headers)
    return {**scenario.headers, **site.session_of(scenario.signed_in)}


def busted(path: str, tag: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}bench-nocache={tag}"


def count_queries(site: HttpSite, scenario: Scenario, path: str) -> int | None:
    """Queries of one request, after the load has warmed every cache (a fresh URL when cache-busting)."""
    if scenario.cache_bust:
        path = busted(path, secrets.token_hex(4))
    response = site.request(path, headers={**scenario_headers(site, scenario), "X-Bench-Queries": "1"})
    value = response.headers.get("X-Bench-Queries")
    return int(value) if value is not None else None


def resolve(site: HttpSite, scenario: Scenario) -> report.Row:
    """Find the scenario's URL and check that it answers 200; a 404 means "not available yet"."""
    built_by = f"; {scenario.built_by}" if scenario.built_by else ""
    try:
        path = scenario.path(site) if callable(scenario.path) else scenario.path
    except NotYet as exc:
        return report.Row(scenario, report.PENDING, note=f"not available yet ({exc}{built_by})")
    if scenario.journey and scenario.journey not in JOURNEYS:
        return report.Row(scenario, report.FAILED, path, note=f"no journey named {scenario.journey!r}")
    probe = busted(path, "probe") if scenario.cache_bust else path
    try:
        headers = scenario_headers(site, scenario)
    except (BenchError, JourneyError, OSError) as exc:
        return report.Row(scenario, report.FAILED, path, note=f"could not sign in: {exc}")
    status = site.request(probe, headers=headers).status_code
    if status == 404:
        return report.Row(scenario, report.PENDING, path, note=f"not available yet (404{built_by})")
    if status != 200:
        return report.Row(scenario, report.FAILED, path, note=f"answered {status}, not 200: not measured")
    return report.Row(scenario, report.MEASURED, path)


Slice = tuple[LoadResult, float | None]  # one wrk run and the server's CPU seconds during it


def interleave(
    scenario_slice: Callable[[bool], Slice], static_slice: Callable[[], Slice], rounds: int
) -> tuple[list[Slice], list[Slice]]:
    """`rounds` times: a slice of the scenario (the first one after a warm-up), then one of the static file."""
    scenario_slices, static_slices = [], []
    for n in range(rounds):
        scenario_slices.append(scenario_slice(n == 0))
        static_slices.append(static_slice())
    return scenario_slices, static_slices


def _combine(slices: list[Slice]) -> tuple[LoadResult, float | None]:
    """The slices as one load, and the server's CPU ms per request over them (None if any is unknown)."""
    result = LoadResult.combined([piece for piece, _ in slices])
    cpu = [cpu_s for _, cpu_s in slices]
    if any(c is None for c in cpu) or not result.requests:
        return result, None
    return result, sum(c for c in cpu if c is not None) * 1000 / result.requests


class Bench:
    def __init__(self, args: argparse.Namespace, workdir: Path, processes: Processes, database_url: str | None = None):
        self.args = args
        self.workdir = workdir
        self.processes = processes
        self.port = free_port()
        self.stripe_port = free_port()
        self.env = bench_env(workdir, port=self.port, stripe_port=self.stripe_port, database_url=database_url)
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.site = HttpSite(self.base_url, workdir / "static", second_factor=self.authenticator_code)
        self.wrk = find_wrk()

    def authenticator_code(self, email: str) -> str:
        """The code a person's authenticator app shows now (`totp_code`, a development aid: DEBUG for it alone)."""
        return manage({**self.env, "DEBUG": "1"}, "totp_code", email).strip().splitlines()[-1]

    def prepare(self) -> None:
        started = time.monotonic()
        log("collectstatic into a temporary STATIC_ROOT…")
        manage(self.env, "collectstatic", "--noinput", "-v0")
        log(f"migrate ({describe_database(self.env)})…")
        manage(self.env, "migrate", "--noinput", "-v0")
        manage(self.env, "load_demo")
        # Fresh planner statistics: without them PostgreSQL picks nested loops over tables it believes
        # empty (autovacuum, which would gather them, may be off on a development server).
        manage(self.env, "shell", "-c", "from django.db import connection; connection.cursor().execute('ANALYZE')")
        log(f"site prepared in {time.monotonic() - started:.0f} s")

    def start_servers(self) -> None:
        py = sys.executable
        self.processes.start(
            "localstripe",
            [
                py, "-m", "portal.dev.localstripe", "--port", str(self.stripe_port), "--quiet",
                "--webhook-url", f"{self.base_url}/payments/stripe/webhook/",
                "--webhook-secret", self.env["STRIPE_WEBHOOK_SECRET"],
                # As the endpoint is configured at Stripe: only the events that can move a payment.
                "--webhook-events", ",".join(WEBHOOK_EVENTS),
            ],
            self.env,
        )  # fmt: skip
        self.processes.start(
            "celery",
            [py, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "--loglevel=WARNING"],
            self.env,
        )
        self.gunicorn = gunicorn = self.processes.start(
            "gunicorn",
            [
                py, "-m", "gunicorn", "portal.wsgi:application",
                "--config", str(ROOT / "gunicorn.conf.py"),  # production's: a listening socket per worker
                "--bind", f"127.0.0.1:{self.port}",
                "--workers", str(self.args.workers),
                "--worker-class", self.args.worker_class,
                "--threads", str(self.args.threads),
                "--keep-alive", "5",
                "--timeout", "30",
                "--graceful-timeout", "5",
                "--log-level", "warning",
            ],
            self.env,
        )  # fmt: skip
        try:
            self.site.wait_ready(gunicorn)
        except BenchError as exc:
            raise BenchError(f"{exc}\n--- gunicorn log ---\n{self.processes.tail('gunicorn')}") from None
        log(f"gunicorn on {self.base_url}: {self.args.workers} workers × {self.args.threads} threads")

    def load(self, row: report.Row, *, duration_s: float, warmup_s: float = 0) -> tuple[LoadResult, float | None]:
        """One run of wrk on the row's path; with the server's CPU seconds it took (None without /proc)."""
        scenario = row.scenario
        headers = {**FORWARDED, **scenario_headers(self.site, scenario)}
        url = self.base_url + row.path
        kwargs = {"connections": scenario.connections, "threads": 1, "headers": headers}
        if warmup_s > 0:
            run_wrk(self.wrk, url, duration_s=warmup_s, cache_bust=scenario.cache_bust, **kwargs)
        cpu_before = server_cpu_seconds(self.gunicorn.pid)
        result = run_wrk(self.wrk, url, duration_s=duration_s, cache_bust=scenario.cache_bust, **kwargs)
        cpu_after = server_cpu_seconds(self.gunicorn.pid)
        cpu_s = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
        return result, cpu_s

    def journey(self, row: report.Row) -> None:
        scenario = row.scenario
        ctx = JourneyContext(
            base_url=self.base_url,
            path=row.path,
            stripe_url=f"http://127.0.0.1:{self.stripe_port}",
            headers=dict(FORWARDED),
            manage=lambda *args: manage(self.env, *args),
        )
        postgres = cpu.PostgresBackends(self.env["DATABASE_URL"])
        try:
            run = run_journey(
                JOURNEYS[scenario.journey],
                ctx,
                connections=scenario.connections,
                duration_s=self.args.duration,
                warmup_s=self.args.journey_warmup,
                cpu_probe=cpu.probe(self.processes.pids(), postgres),
            )
        except NotImplementedError as exc:
            row.state, row.note = report.PENDING, f"not available yet ({exc})"
            return
        except (BenchError, JourneyError, requests.RequestException, KeyError, ValueError) as exc:
            row.state, row.note = report.FAILED, f"failed: {exc}".replace("\n", " ")[:300]
            return
        finally:
            postgres.close()
        row.result = result = run.result
        done = result.requests
        if "gunicorn" in run.cpu_s and done:
            row.cpu_ms = run.cpu_s["gunicorn"] * 1000 / done
        if run.problems:
            row.note = "problems: " + "; ".join(run.problems)
            return
        row.note = "per completed journey: req/s, latency and CPU; paid orders and capacity checked after the run"
        if done:
            row.journey_cpu_ms = {name: seconds * 1000 / done for name, seconds in run.cpu_s.items()}
            shares = ", ".join(f"{name} {seconds * 1000 / done:.0f}" for name, seconds in run.cpu_s.items())
            total = sum(run.cpu_s.values()) * 1000 / done
            row.note += f". CPU ms per journey, everything on the machine that serves it: {shares}; {total:.0f} in all"

    def static_run(self, path: str, *, duration_s: float | None = None, warmup: bool = True) -> report.Row:
        row = report.Row(STATIC, report.MEASURED, path)
        self.measure(row, duration_s=duration_s, warmup=warmup)
        return row

    def measure(self, row: report.Row, *, duration_s: float | None = None, warmup: bool = True) -> None:
        scenario = row.scenario
        log(f"{scenario.key}: {row.path} at {scenario.connections} connection(s)…")
        try:
            if scenario.journey:
                self.journey(row)
            else:
                row.result, cpu_s = self.load(
                    row, duration_s=duration_s or self.args.duration, warmup_s=self.args.warmup if warmup else 0
                )
                if cpu_s is not None and row.result.requests:
                    row.cpu_ms = cpu_s * 1000 / row.result.requests
                row.queries = count_queries(self.site, scenario, row.path)
        except (WrkError, requests.RequestException, subprocess.TimeoutExpired) as exc:
            row.state, row.note = report.FAILED, f"failed: {exc}".replace("\n", " ")[:200]
        self.check_server(scenario)

    def check_server(self, scenario: Scenario) -> None:
        if self.gunicorn.poll() is not None:
            raise BenchError(f"gunicorn died during {scenario.key}:\n{self.processes.tail('gunicorn')}")

    def measure_interleaved(self, row: report.Row, static_path: str, before: report.Row) -> list[report.Row]:
        """The scenario in `rounds` slices, each followed by a slice of the static file; returns those,
        and sets the row's slice ratios, each slice paired with the static runs around it (`before`,
        the static run just before the first slice, then the slices').

        Other work on a shared host comes and goes within seconds: slices a second apart see the same
        machine, where one run of each, several seconds apart, may not.
        """
        scenario = row.scenario
        log(f"{scenario.key}: {row.path} at {scenario.connections} connection(s), {self.args.rounds} slices…")
        static = report.Row(STATIC, report.MEASURED, static_path)

        def scenario_slice(first: bool) -> tuple[LoadResult, float | None]:
            warmup_s = self.args.warmup if first else 0
            return self.load(row, duration_s=self.args.duration / self.args.rounds, warmup_s=warmup_s)

        def static_slice() -> tuple[LoadResult, float | None]:
            return self.load(static, duration_s=self.args.duration / self.args.rounds)

        try:
            scenario_slices, static_slices = interleave(scenario_slice, static_slice, self.args.rounds)
            row.queries = count_queries(self.site, scenario, row.path)
        except (WrkError, requests.RequestException, subprocess.TimeoutExpired) as exc:
            row.state, row.note = report.FAILED, f"failed: {exc}".replace("\n", " ")[:200]
            self.check_server(scenario)
            return []
        self.check_server(scenario)
        row.result, row.cpu_ms = _combine(scenario_slices)
        if before.result is not None:
            around = [before.result, *(result for result, _ in static_slices)]
            row.slice_ratios = report.paired_ratios([result for result, _ in scenario_slices], around)
        statics = []
        for result, cpu_s in static_slices:
            piece = report.Row(STATIC, report.MEASURED, static_path, result)
            piece.cpu_ms = cpu_s * 1000 / result.requests if cpu_s is not None and result.requests else None
            statics.append(piece)
        return statics

    def run(self, scenarios: list[Scenario]) -> str:
        started_at = datetime.now(UTC)
        load_before = os.getloadavg()
        self.probe_before = cpu.speed_probe()
        self.prepare()
        self.start_servers()

        static = resolve(self.site, STATIC)
        if static.state != report.MEASURED:
            raise BenchError(f"the static bound is not reachable: {static.path or STATIC.path} {static.note}")
        rows = [resolve(self.site, scenario) for scenario in scenarios]
        for row in rows:
            if row.state != report.MEASURED:
                log(f"{row.scenario.key}: {row.note}")

        # The static file before the first scenario and after each one: every scenario is measured
        # between two static runs, and its ratios are to those two (the host's speed drifts).
        static_runs = [self.static_run(static.path)]
        for row in rows:
            if row.state != report.MEASURED:
                continue
            before = static_runs[-1]
            if row.scenario.journey:
                self.measure(row)
                around = [before, self.static_run(static.path)]
            else:
                around = [before, *self.measure_interleaved(row, static.path, before)]
            static_runs.extend(around[1:])
            row.bound = report.bound_from(
                [r.result for r in around if r.result is not None],
                [r.cpu_ms for r in around if r.cpu_ms is not None],
            )
        first_static = static_runs[0]
        measured = [r for r in static_runs if r.result is not None]
        statics = [r.result for r in measured]
        bound = report.bound_from(statics, [r.cpu_ms for r in measured if r.cpu_ms is not None])
        if bound is None:
            raise BenchError("the static file could not be measured: " + first_static.note)
        static_row = report.Row(STATIC, report.MEASURED, static.path, queries=first_static.queries, cpu_ms=bound.cpu_ms)
        static_row.result = LoadResult(
            requests=sum(r.requests for r in statics),
            duration_s=sum(r.duration_s for r in statics),
            p50_ms=bound.p50_ms,
            p90_ms=sum(r.p90_ms for r in statics) / len(statics),
            p99_ms=bound.p99_ms,
            max_ms=max(r.max_ms for r in statics),
            errors={k: sum(r.errors.get(k, 0) for r in statics) for s in statics for k in s.errors},
        )
        spread = f"{min(r.rps for r in statics):,.0f} to {max(r.rps for r in statics):,.0f}"
        static_row.note = (
            f"{len(statics)} runs: before the first scenario, between each one's slices and after it: {spread} req/s"
        )
        self.rows = [static_row, *rows]
        if any(key.startswith("HTTP 5") for row in self.rows if row.result for key in row.result.errors):
            log("some answers were 5xx; the end of gunicorn's log:\n" + self.processes.tail("gunicorn", 40))
        self.bound = bound
        return report.render(self.rows, bound, self.meta(started_at, load_before))

    def meta(self, started_at: datetime, load_before: tuple[float, float, float]) -> dict[str, str]:
        import django
        import gunicorn
        import wagtail

        load_after = os.getloadavg()
        probe_after = cpu.speed_probe()
        wrk_version = subprocess.run([self.wrk, "--version"], capture_output=True, text=True).stdout.split(" [")[0]
        cache = "Redis (REDIS_URL)" if self.env["REDIS_URL"] else "local memory, one per worker process"
        return {
            "date": started_at.strftime("%Y-%m-%d %H:%M UTC"),
            "commit": git_commit(),
            "machine": machine(),
            "server": (
                f"gunicorn {gunicorn.__version__}, {self.args.workers} workers × {self.args.threads} threads "
                f"(gthread, keep-alive) on {CPUS} cores: one worker per core plus one to cover waits on the "
                "database and cache; threads overlap I/O while the GIL serialises Python"
            ),
            "settings": (
                "production (`portal.settings` through `bench.settings`): DEBUG off, generated SECRET_KEY, "
                "ALLOWED_HOSTS=127.0.0.1, whitenoise manifest storage after `collectstatic`, SSL redirect on "
                "(requests send `X-Forwarded-Proto: https`)"
            ),
            "database": describe_database(self.env),
            "cache": cache,
            "load": (
                f"{wrk_version}, 1 thread, {self.args.duration:g} s per scenario after {self.args.warmup:g} s of "
                f"warm-up, in {self.args.rounds} slices each followed by a slice of the static file as long; "
                "on loopback; each request comes from one of 1024 client addresses (X-Forwarded-For) "
                "so per-client API throttling applies as it would to many visitors"
            ),
            "uncached": "a unique query string on every request (`?bench-nocache=…`), so no cache can answer",
            "queries": (
                "one request after the load (caches warm), counted on the server by `bench/middleware.py` "
                "(loaded only by `bench/settings.py` with BENCH_QUERY_HEADER=1)"
            ),
            "ratios": (
                "`% of static` = the median over the scenario's slices of each slice's req/s ÷ the mean of the "
                "static slices just before and just after it; `× static` = latency ÷ the static file's, to the "
                "static slices between and around the scenario's own (the order journey: the static runs before "
                "and after it)"
            ),
            "noise": (
                f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after; a fixed CPU loop "
                f"(`bench/cpu.py::speed_probe`) took {self.probe_before:.0f} ms before and {probe_after:.0f} ms after "
                "(the lower, the faster the cores were): other work on this machine or its host moves absolute "
                "figures; compare ratios within one run"
            ),
            "versions": (
                f"Python {platform.python_version()}, Django {django.get_version()}, Wagtail {wagtail.__version__}"
            ),
        }


def git_commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()

    commit = git("rev-parse", "--short=12", "HEAD") or "unknown"
    branch = git("rev-parse", "--abbrev-ref", "HEAD")
    dirty = " + uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else ""
    return f"{commit}{dirty}" + (f" ({branch})" if branch else "")


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{model or platform.processor() or 'CPU'} × {CPUS} cores{memory}, {platform.system()} {platform.release()}"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Guildhall benchmarks.")
    parser.add_argument("--duration", type=float, default=4, help="seconds of load per scenario (default 4)")
    parser.add_argument("--warmup", type=float, default=1, help="seconds of warm-up before each (default 1)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=4,
        help="slices each scenario's load is cut into, each followed by a slice of the static file (default 4)",
    )
    parser.add_argument(
        "--journey-warmup",
        type=float,
        default=3,
        help="seconds of journeys before measuring them (default 3: each worker meets each page once)",
    )
    parser.add_argument("--workers", type=int, default=CPUS + 1, help=f"gunicorn workers (default {CPUS + 1})")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker (default 2)")
    parser.add_argument("--worker-class", default="gthread", help="gunicorn worker class (default gthread)")
    parser.add_argument("--only", help="comma-separated scenario keys (the static bound always runs)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the report")
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 when an acceptance target fails (a journey's CPU target is only reported)",
    )
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    parser.add_argument("--keep-logs", type=Path, metavar="DIR", help="copy the servers' logs into DIR at the end")
    return parser.parse_args(argv)


def select(only: str | None) -> list[Scenario]:
    if not only:
        return list(SCENARIOS)
    keys = [key.strip() for key in only.split(",") if key.strip()]
    known = {s.key: s for s in SCENARIOS}
    unknown = [key for key in keys if key not in known]
    if unknown:
        raise BenchError(f"unknown scenario(s) {', '.join(unknown)}; known: {', '.join(known)}")
    return [known[key] for key in keys]


def _terminate(signum, frame):
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        for s in [STATIC, *SCENARIOS]:
            path = s.path if isinstance(s.path, str) else "(found on the running site)"
            print(f"{s.key:14} {s.title}  {path}")
        return 0
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="guildhall-bench-") as tmp:
        processes = Processes(Path(tmp))
        server_url = os.environ.get("DATABASE_URL", "")
        run_database = databases.run_database(server_url)  # PostgreSQL: a database of this run's own
        try:
            bench = Bench(args, Path(tmp), processes, run_database)
            text = bench.run(select(args.only))
        except BenchError as exc:
            log(f"FAILED: {exc}")
            return 1
        except WrkError as exc:
            log(f"FAILED: {exc}")
            return 1
        except KeyboardInterrupt:
            log("interrupted: stopping the servers")
            return 130
        finally:
            processes.stop()
            if args.keep_logs:  # the servers' own logs (gunicorn, celery, localstripe), for a look afterwards
                args.keep_logs.mkdir(parents=True, exist_ok=True)
                for logfile in Path(tmp).glob("*.log"):
                    shutil.copy(logfile, args.keep_logs / logfile.name)
            if run_database:
                databases.drop(server_url, run_database)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    tmp_output = args.output.with_suffix(".md.tmp")
    tmp_output.write_text(text)
    tmp_output.replace(args.output)
    sys.stdout.write(text)
    log(
        f"done in {time.monotonic() - started:.0f} s; written to {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}"
    )
    if args.check and any(
        c is not None and c.verdict == "FAIL" for c in (report.check(row, bench.bound) for row in bench.rows)
    ):
        return 1
    return 0
