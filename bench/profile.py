"""Profile the order journey in one process: queries and CPU per step, and where the CPU goes.

    DATABASE_URL=postgres://… REDIS_URL=redis://… python -m bench.profile [--journeys 30] [--cprofile 25]

The same journey as `make bench` (bench/journeys.py, the same form filling), but each request goes
through Django's test client in this process, with the bench's production settings, against
PostgreSQL, Redis and localstripe. localstripe's webhooks come to a small server thread of this
process. Per step it reports the requests' own CPU (thread time), their queries, and the CPU the
PostgreSQL backend spent on them; then the CPU of localstripe and of a Celery worker per journey
(counted once the worker answers and the warm-up's tasks are done, so never its own start), and with
--cprofile the functions that cost most (--eager --profile-tasks: the tasks' only; --worker-dump: a
real worker's tasks, in a pstats file).
"""

import argparse
import cProfile
import io
import os
import pstats
import re
import secrets
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from wsgiref.simple_server import WSGIRequestHandler, make_server

from bench.cpu import process_cpu
from bench.run import FORWARDED, Processes, bench_env, free_port, log, manage
from portal.payments.gateway import WEBHOOK_EVENTS

BROWSER = {"HTTP_ORIGIN": "https://testserver", "HTTP_REFERER": "https://testserver/"}  # CSRF checks pass


@dataclass
class Step:
    count: int = 0
    cpu: float = 0.0
    db_cpu: float = 0.0
    queries: int = 0
    samples: list[str] = field(default_factory=list)


class Meter:
    """Per step: requests (or tasks), their thread CPU, queries and the PostgreSQL backend's CPU.

    Steps nest (a task run eagerly inside a request): the inner one's cost is its own, not the outer's.
    """

    def __init__(self):
        self.steps: dict[str, Step] = defaultdict(Step)
        self.on = False
        self.lock = threading.Lock()
        self.local = threading.local()

    def measure(self, name: str, call):
        from django.db import connection

        if not self.on:
            return call()
        stack = self.local.__dict__.setdefault("stack", [])
        frame = {"queries": [], "child_cpu": 0.0, "child_db": 0.0}

        def counter(execute, sql, params, many, context):
            stack[-1]["queries"].append(sql)
            return execute(sql, params, many, context)

        backend = _backend_pid(connection)
        db_before = process_cpu(backend, children=False) if backend else 0.0
        stack.append(frame)
        started = time.thread_time()
        try:
            if len(stack) == 1:
                with connection.execute_wrapper(counter):
                    result = call()
            else:
                result = call()
        finally:
            cpu = time.thread_time() - started
            stack.pop()
        backend = backend or _backend_pid(connection)
        db_cpu = process_cpu(backend, children=False) - db_before if backend else 0.0
        if stack:
            stack[-1]["child_cpu"] += cpu
            stack[-1]["child_db"] += db_cpu
        with self.lock:
            step = self.steps[name]
            step.count += 1
            step.cpu += cpu - frame["child_cpu"]
            step.db_cpu += db_cpu - frame["child_db"]
            step.queries += len(frame["queries"])
            if not step.samples:
                step.samples = frame["queries"]
        return result


def _backend_pid(connection) -> int | None:
    if connection.vendor != "postgresql" or connection.connection is None:
        return None
    if not hasattr(connection, "_bench_pid"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            connection._bench_pid = cursor.fetchone()[0]
    return connection._bench_pid


def step_name(method: str, path: str, query: str) -> str:
    from django.urls import resolve

    match = resolve(path)
    return f"{method} {match.view_name}{' ?' if query else ''}"


class ClientVisitor:
    """bench.journeys.Visitor's interface over Django's test client, each request measured."""

    def __init__(self, meter: Meter):
        from django.test import Client

        self.client = Client(enforce_csrf_checks=True, HTTP_X_FORWARDED_PROTO="https")
        self.meter = meter

    def _send(self, method: str, path: str, data=None) -> Any:
        from bench.journeys import JourneyError

        for _hop in range(10):
            split = urlsplit(path)
            name = step_name(method, split.path, split.query or ("?" if method == "GET" and data else ""))

            def call(method=method, path=path, data=data):
                if method == "GET":
                    return self.client.get(path, data or {}, secure=True, **BROWSER)
                return self.client.post(path, data or {}, secure=True, **BROWSER)

            response = self.meter.measure(name, call)
            if response.status_code >= 500:
                raise JourneyError(f"HTTP {response.status_code}", split.path)
            if response.status_code not in (301, 302, 303, 307, 308):
                response.url_path = split.path
                response.text = response.content.decode()
                return response
            path, method, data = response["Location"], "GET", None
        raise JourneyError("redirect loop", path)

    def get(self, path: str, params=None):
        return self._send("GET", path, params)

    def submit(self, page, form, data):
        action = form.action or page.url_path
        return self._send(form.method.upper(), action, data)

    def close(self) -> None:
        pass


def run_order_journeys(visitor: ClientVisitor, state: dict, count: int) -> None:
    """bench.journeys' order journey, with the test client's responses in place of requests'."""
    from bench.journeys import _order_run_once

    adapter = _Adapter(visitor)
    for _ in range(count):
        _order_run_once(adapter, state)


class _Adapter:
    """What _order_run_once reads of a response: .text, .url, .status_code; and a session for localstripe."""

    def __init__(self, visitor: ClientVisitor):
        import requests

        self.visitor = visitor
        self.session = requests.Session()
        self.session.trust_env = False

    def _wrap(self, response):
        response.url = "https://testserver" + response.url_path
        return response

    def get(self, path, params=None):
        return self._wrap(self.visitor.get(path, params))

    def post(self, url, data):
        return self.session.post(url, data=data, timeout=30)

    def submit(self, page, form, data):
        page.url_path = urlsplit(page.url).path
        return self._wrap(self.visitor.submit(page, form, data))


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def serve_webhooks(meter: Meter, port: int) -> threading.Thread:
    """localstripe's webhook deliveries, answered by this process's Django in a thread, measured."""
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    application = get_wsgi_application()

    def app(environ, start_response):
        environ["HTTP_X_FORWARDED_PROTO"] = "https"
        try:
            return meter.measure(
                f"{environ['REQUEST_METHOD']} webhook", lambda: list(application(environ, start_response))
            )
        finally:
            close_old_connections()

    server = make_server("127.0.0.1", port, app, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


def print_steps(meter: Meter, journeys: int, *, show_sql: bool) -> None:
    total_cpu = total_db = total_q = 0.0
    print(f"\n{'step':58} {'n/jrny':>6} {'CPU ms':>8} {'PG ms':>7} {'queries':>8}")
    for name, step in sorted(meter.steps.items(), key=lambda kv: -kv[1].cpu):
        per = step.count / journeys
        print(
            f"{name:58} {per:6.1f} {step.cpu * 1000 / step.count:8.2f} {step.db_cpu * 1000 / step.count:7.2f} "
            f"{step.queries / step.count:8.1f}"
        )
        total_cpu += step.cpu
        total_db += step.db_cpu
        total_q += step.queries
    print(
        f"{'per journey':58} {'':6} {total_cpu * 1000 / journeys:8.2f} {total_db * 1000 / journeys:7.2f} "
        f"{total_q / journeys:8.1f}"
    )
    if show_sql:
        for name, step in meter.steps.items():
            print(f"\n--- {name}: {len(step.samples)} queries")
            for sql in step.samples:
                print("   ", sql[:220])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=30, help="measured journeys (default 30)")
    parser.add_argument("--warmup", type=int, default=5, help="journeys before measuring (default 5)")
    parser.add_argument("--cprofile", type=int, default=0, metavar="N", help="print the N costliest functions")
    parser.add_argument("--dump", type=Path, help="also write the cProfile stats to this file (pstats)")
    parser.add_argument("--sql", action="store_true", help="print one request's queries per step")
    parser.add_argument(
        "--url",
        help="instead of the journey: GET this path --journeys times (a fresh query string each); "
        "'order' or 'pay' is the page of an unpaid order the signed-in person places first",
    )
    parser.add_argument(
        "--as", dest="person", choices=("member", "staff"), help="with --url: signed in as this demo person"
    )
    parser.add_argument(
        "--eager", action="store_true", help="run Celery tasks in this process, each one measured as a step"
    )
    parser.add_argument(
        "--profile-tasks",
        action="store_true",
        help="with --eager: --cprofile covers the Celery tasks only (a worker's CPU), not the requests",
    )
    parser.add_argument(
        "--worker-dump", type=Path, help="write the Celery worker's cProfile stats (its tasks' CPU) to this file"
    )
    parser.add_argument("--skip-prepare", action="store_true", help="the database is migrated and loaded")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="guildhall-profile-") as tmp:
        return _run(args, Path(tmp))


def _run(args, workdir: Path) -> int:
    processes = Processes(workdir)
    port, stripe_port = free_port(), free_port()
    env = bench_env(workdir, port=port, stripe_port=stripe_port)
    env["BENCH_QUERY_HEADER"] = "0"
    try:
        log("collectstatic…")
        manage(env, "collectstatic", "--noinput", "-v0")
        if not args.skip_prepare:
            log("migrate and load_demo…")
            manage(env, "migrate", "--noinput", "-v0")
            manage(env, "load_demo")
        manage(env, "shell", "-c", "from django.db import connection; connection.cursor().execute('ANALYZE')")
        os.environ.update(env)
        import django

        django.setup()
        from django.conf import settings

        settings.ALLOWED_HOSTS.append("testserver")
        meter = Meter()
        if args.url:
            return _profile_url(args, meter)
        serve_webhooks(meter, port)
        stripe = processes.start(
            "localstripe",
            [
                sys.executable, "-m", "portal.dev.localstripe", "--port", str(stripe_port), "--quiet",
                "--webhook-url", f"http://127.0.0.1:{port}/payments/stripe/webhook/",
                "--webhook-secret", env["STRIPE_WEBHOOK_SECRET"], "--webhook-events", ",".join(WEBHOOK_EVENTS),
            ],
            env,
        )  # fmt: skip
        celery = None
        task_profiler = None
        if args.eager:
            if args.profile_tasks and args.cprofile:
                task_profiler = cProfile.Profile(time.thread_time)
            _run_tasks_here(meter, task_profiler)
        else:
            worker = ["-A", "portal", "worker", "--pool=solo", "--loglevel=WARNING"]
            if args.worker_dump:
                command = [sys.executable, "-c", WORKER_PROFILED, str(args.worker_dump.resolve()), *worker]
            else:
                command = [sys.executable, "-m", "celery", *worker]
            celery = processes.start("celery", command, env)
        time.sleep(3)
        if celery:
            _wait_worker_ready()
        return _profile(args, meter, env, stripe_port, stripe.pid, celery.pid if celery else None, task_profiler)
    finally:
        processes.stop()


# A Celery worker whose tasks (from task_prerun to task_postrun) are profiled; the stats are written
# when it stops. argv: the stats file, then celery's arguments.
WORKER_PROFILED = """
import cProfile, sys
from celery.__main__ import main
from celery.signals import task_postrun, task_prerun
path = sys.argv.pop(1)
profiler = cProfile.Profile()  # wall time (waits included): thread_time's calls would dwarf the tasks' own
task_prerun.connect(lambda **kw: profiler.enable(), weak=False)
task_postrun.connect(lambda **kw: profiler.disable(), weak=False)
sys.argv[0] = "celery"
try:
    main()
finally:
    profiler.dump_stats(path)
"""


def _wait_worker_ready(timeout: float = 180) -> None:
    """Until the worker answers a task: its start (seconds of CPU importing the site) is not a journey's."""
    from celery.exceptions import TimeoutError as CeleryTimeout

    from portal.celery import app

    log("waiting for the Celery worker…")
    try:
        app.send_task("portal.ping").get(timeout=timeout)
    except CeleryTimeout:
        raise SystemExit(f"the Celery worker did not answer within {timeout:.0f} s") from None


def _wait_tasks_done(since, timeout: float = 120) -> None:
    """Until every task scheduled since then has finished (its outbox row cleared), or the timeout."""
    from portal.core.models import OutboxMessage

    deadline = time.monotonic() + timeout
    unfinished = OutboxMessage.objects.filter(created_at__gte=since, finished_at__isnull=True, gave_up_at__isnull=True)
    while unfinished.exists():
        if time.monotonic() > deadline:
            log(f"tasks still unfinished after {timeout:.0f} s")
            return
        time.sleep(0.2)
    time.sleep(0.5)  # the worker's last acknowledgement and connection handling after the row is cleared


def _run_tasks_here(meter: Meter, profiler: cProfile.Profile | None = None) -> None:
    """Tasks run where they are sent (after the commit, as on a worker), each measured as `task <name>`;
    with a profiler, the outermost task runs (whatever thread sends them) are profiled, nothing else."""
    from celery import Task
    from django.conf import settings

    from portal.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    apply = Task.apply

    local = threading.local()

    def profiled(call):
        if profiler is None or not meter.on or getattr(local, "inside", False):
            return call()
        local.inside = True
        profiler.enable()
        try:
            return call()
        finally:
            profiler.disable()
            local.inside = False

    def measured_apply(self, *args, **kwargs):
        return meter.measure(f"task {self.name}", lambda: profiled(lambda: apply(self, *args, **kwargs)))

    Task.apply = measured_apply


def _profile(
    args,
    meter: Meter,
    env: dict,
    stripe_port: int,
    stripe_pid: int,
    celery_pid: int | None,
    task_profiler: cProfile.Profile | None = None,
) -> int:
    import itertools

    from django.test import Client

    from bench.journeys import JourneyContext
    from bench.scenarios import EVENT_PAGE

    body = Client(HTTP_X_FORWARDED_PROTO="https").get("/events/", secure=True).content.decode()
    path = re.search(r'href="(' + EVENT_PAGE + ')"', body).group(1) + "register/"
    ctx = JourneyContext(
        base_url="https://testserver",
        path=path,
        stripe_url=f"http://127.0.0.1:{stripe_port}",
        headers=dict(FORWARDED),
        manage=lambda *a: manage(env, *a),
    )
    from events.models import Event
    from events.selectors import ticket_types_with_availability

    event = Event.objects.get(slug=path.rstrip("/").split("/")[-2])
    choices = [
        tt
        for tt in ticket_types_with_availability(event=event)
        if tt.price > 0 and not tt.needs_approval and tt.available
    ]
    ticket_type = max(choices, key=lambda t: t.available)
    state = {
        "ctx": ctx,
        "qty_field": f"qty_{ticket_type.pk}",
        "ticket_type": ticket_type.name,
        "counter": itertools.count(int(time.time())),
        "completed": itertools.count(),
    }
    visitor = ClientVisitor(meter)
    from django.utils import timezone

    since = timezone.now()
    log(f"{args.warmup} journeys to warm up…")
    run_order_journeys(visitor, state, args.warmup)
    time.sleep(2.5)  # localstripe sends its webhooks a second later
    if celery_pid:
        _wait_tasks_done(since)  # the warm-up's tasks are not the measured journeys'
    stripe_before, celery_before = process_cpu(stripe_pid, children=False), process_cpu(celery_pid) if celery_pid else 0
    profiler = cProfile.Profile(time.thread_time) if args.cprofile and not task_profiler else None  # CPU, not waits
    log(f"{args.journeys} journeys measured…")
    meter.on = True
    started, cpu_started = time.monotonic(), time.process_time()
    if profiler:
        profiler.enable()
    run_order_journeys(visitor, state, args.journeys)
    if profiler:
        profiler.disable()
    elapsed = time.monotonic() - started
    time.sleep(2.5)
    meter.on = False
    if celery_pid:
        _wait_tasks_done(since)
    stripe_ms = (process_cpu(stripe_pid, children=False) - stripe_before) * 1000 / args.journeys
    celery_ms = (process_cpu(celery_pid) - celery_before) * 1000 / args.journeys if celery_pid else 0
    print_steps(meter, args.journeys, show_sql=args.sql)
    print(f"\nlocalstripe: {stripe_ms:.1f} ms CPU per journey; Celery worker: {celery_ms:.1f} ms CPU per journey")
    print(f"this process (Django + the driver): {(time.process_time() - cpu_started) * 1000 / args.journeys:.1f} ms")
    print(f"wall: {elapsed * 1000 / args.journeys:.0f} ms per journey, one at a time")
    _print_profile(task_profiler or profiler, args)
    return 0


def _profile_url(args, meter: Meter) -> int:
    """One page, uncached (a unique query string per request), anonymous or as a signed-in demo person."""
    from django.test import Client

    client = Client(HTTP_X_FORWARDED_PROTO="https")
    if args.person:
        _sign_in(client, args.person)
    path = _orders_page(client, args.url) if args.url in ("order", "pay") else args.url
    run = secrets.token_hex(4)  # the cache outlives a run: never ask twice for the same URL

    def get(n: int) -> None:
        sep = "&" if "?" in path else "?"
        response = meter.measure(f"GET {path}", lambda: client.get(f"{path}{sep}bench-nocache={run}-{n}", secure=True))
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")

    for n in range(args.warmup):
        get(-n - 1)
    meter.on = True
    profiler = cProfile.Profile(time.thread_time) if args.cprofile else None
    if profiler:
        profiler.enable()
    for n in range(args.journeys):
        get(n)
    if profiler:
        profiler.disable()
    print_steps(meter, args.journeys, show_sql=args.sql)
    _print_profile(profiler, args)
    return 0


def _sign_in(client, person: str) -> None:
    """Log in as the bench's demo person (bench.scenarios.PEOPLE) through the log-in form, and its second factor."""
    from django.contrib.auth import get_user_model

    from bench.scenarios import PEOPLE
    from portal.accounts.mfa import totp_code, totp_secret_for

    email, password = PEOPLE[person]
    page = client.post("/accounts/login/", {"login": email, "password": password}, secure=True, follow=True)
    if "/2fa/authenticate/" in page.request["PATH_INFO"]:
        secret = totp_secret_for(get_user_model().objects.get(email__iexact=email))
        page = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)}, secure=True, follow=True)
    if (
        page.status_code != 200
        or "/accounts/login/" in page.request["PATH_INFO"]
        or "/2fa/" in page.request["PATH_INFO"]
    ):
        raise SystemExit(f"could not log in as {email}")


def _orders_page(client, page: str) -> str:
    """The pay page ("pay") or order page ("order") of a one-ticket order the signed-in person places now,
    for the first event /events/ lists, as the bench's member-pay and member-order scenarios."""
    import json

    from bench.journeys import most_seats_paid, place_order
    from bench.scenarios import EVENT_PAGE, ORDER_PAGE

    event_page = re.search(f'href="({EVENT_PAGE})"', client.get("/events/", secure=True).content.decode())
    if event_page is None:
        raise SystemExit("/events/ links to no event")
    slug = event_page.group(1).rstrip("/").split("/")[-1]
    types = json.loads(client.get(f"/api/v1/events/{slug}/ticket-types/", secure=True).content)
    visitor = ClientVisitor(Meter())
    visitor.client = client
    pay_page = place_order(_Adapter(visitor), f"/events/{slug}/register/", f"qty_{most_seats_paid(types)['id']}", 0)
    if page == "pay":
        return urlsplit(pay_page.url).path
    order_page = ORDER_PAGE.search(client.get("/accounts/", secure=True).content.decode())
    if order_page is None:
        raise SystemExit("My account links to no order")
    return order_page.group(1)


def _print_profile(profiler, args) -> None:
    if profiler is None:
        return
    if args.dump:
        profiler.dump_stats(args.dump)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(args.cprofile)
    out.write("\n")
    stats.sort_stats("tottime").print_stats(args.cprofile)
    print(out.getvalue())


if __name__ == "__main__":
    sys.exit(main())
