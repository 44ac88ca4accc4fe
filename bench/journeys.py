"""Journeys: scenarios of several requests, run by Python threads instead of wrk.

A journey is three functions: `prepare(ctx)` once (returns any state it needs), `run_once(visitor,
state)` from each of `connections` threads until the time is up, and `verify(state)` once at the
end, which returns the problems it found (e.g. an oversold ticket type). Throughput is completed
journeys per second; latency is per journey. `run_once` raises `JourneyError(kind)` for a journey
that did not complete (`HTTP 500`, `HTTP 503`, `declined`…): it is counted under that kind, never
as a completion.
"""

import http.client
import itertools
import json
import math
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

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
    stripe_publishable_key: str = "pk_test_localstripe"


# --- A browser, as far as a journey needs one ------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str]  # what the browser would send untouched: hidden inputs, values, checked boxes
    names: list[str]  # every field name in the form, filled or not


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[Form] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower(), {}, []))
        elif not self.forms or "name" not in a:
            return
        elif tag == "input":
            form, kind = self.forms[-1], a.get("type", "text").lower()
            form.names.append(a["name"])
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    form.fields[a["name"]] = a.get("value", "on")
            elif kind not in {"submit", "button", "image", "file"}:
                form.fields[a["name"]] = a.get("value", "")
        elif tag in {"select", "textarea"}:
            self.forms[-1].names.append(a["name"])
            self._textarea = a["name"] if tag == "textarea" else None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1].fields[self._textarea] = data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


# A select's options: the parser reads none (a journey sets what it chooses), and a country list's 250
# cost the driver more than the rest of the register page.
_OPTIONS = re.compile(r"<option\b[^>]*>[^<]*</option>")


def _form_markup(html: str) -> str:
    """Only the <form>…</form> parts of a page, without their options: the parser is pure Python and
    costs the driver's CPU, which shares the cores with the server it measures."""
    parts, start = [], html.find("<form")
    while start != -1:
        end = html.find("</form>", start)
        end = len(html) if end == -1 else end + len("</form>")
        parts.append(html[start:end])
        start = html.find("<form", end)
    return _OPTIONS.sub("", "".join(parts))


def parse_forms(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(_form_markup(html))
    return parser.forms


def find_form(html: str, *, has: str = "", action_endswith: str = "", method: str = "") -> Form:
    """The first form with a field named like `has`, an action ending so, and the method; or JourneyError."""
    for form in parse_forms(html):
        if has and not any(name.startswith(has) for name in form.names):
            continue
        if action_endswith and not form.action.rstrip("/").endswith(action_endswith.rstrip("/")):
            continue
        if method and form.method != method:
            continue
        return form
    raise JourneyError("page changed", f"no form with {has or action_endswith!r}")


@dataclass
class Page:
    """What a journey reads of an answer (the final one, after redirects)."""

    status_code: int
    url: str
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


# A reused keep-alive connection the server closed while idle fails at once, before it was read.
_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)


class Visitor:
    """One anonymous visitor: its cookies, CSRF Origin/Referer on POSTs, redirects, 5xx as JourneyError.

    Plain `http.client` over kept-alive connections (one per host): the driver shares the machine
    with the server it measures, and `requests` cost it several times more CPU per request.
    The site's cookies are all Secure (production settings) and the requests say https through
    X-Forwarded-Proto, as behind a TLS proxy; the loopback itself is plain http, so the Cookie
    header is written here, on every hop of a redirect too.
    """

    def __init__(self, base_url: str, headers: dict[str, str]):
        self.base_url = base_url
        self.origin = "https://" + urlsplit(base_url).netloc  # what the browser sees behind TLS
        self.headers = dict(headers)
        self.cookies: dict[str, str] = {}
        self._connections: dict[str, http.client.HTTPConnection] = {}

    def close(self) -> None:
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()

    def _exchange(self, method: str, url: str, body: str | None, headers: dict[str, str]) -> tuple[int, Any, str]:
        split = urlsplit(url)
        target = split.path + (f"?{split.query}" if split.query else "")
        for attempt in range(2):
            connection = self._connections.get(split.netloc)
            reused = connection is not None
            if connection is None:
                connection = self._connections[split.netloc] = http.client.HTTPConnection(split.netloc, timeout=30)
            try:
                connection.request(method, target, body=body, headers=headers)
                response = connection.getresponse()
                text = response.read().decode("utf-8", "replace")
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                del self._connections[split.netloc]
                if attempt == 0 and reused and isinstance(exc, _STALE):
                    continue
                raise
            if response.will_close:
                connection.close()
                del self._connections[split.netloc]
            return response.status, response.headers, text
        raise AssertionError("unreachable")

    def _keep_cookies(self, headers: Any) -> None:
        for header in headers.get_all("Set-Cookie") or ():
            pair, _, attributes = header.partition(";")
            name, _, value = pair.strip().partition("=")
            if "max-age=0" in attributes.lower().replace(" ", ""):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value.strip('"')

    def _send(self, method: str, url: str, data: dict[str, str] | None = None, headers=None) -> Page:
        headers = headers or {}
        for _hop in range(10):
            if method == "GET" and data:
                url = f"{url.split('?', 1)[0]}?{urlencode(data)}"
                data = None
            sent = {**self.headers, **headers}
            if self.cookies:
                sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
            body = None
            if method == "POST":
                body = urlencode(data or {})
                sent["Content-Type"] = "application/x-www-form-urlencoded"
            status, response_headers, text = self._exchange(method, url, body, sent)
            self._keep_cookies(response_headers)
            if status >= 500:
                raise JourneyError(f"HTTP {status}", urlsplit(url).path)
            location = response_headers.get("Location")
            if status not in (301, 302, 303, 307, 308) or not location:
                return Page(status, url, text)
            url = urljoin(url, location)
            if status in (301, 302, 303):  # what browsers do: the next hop is a GET
                method, data, headers = "GET", None, {}
        raise JourneyError("redirect loop", urlsplit(url).path)

    def get(self, path: str, params: dict[str, str] | None = None) -> Page:
        return self._send("GET", urljoin(self.base_url, path), params)

    def post(self, url: str, data: dict[str, str]) -> Page:
        """A plain form POST to any host (localstripe's token endpoint, as Stripe.js calls it)."""
        return self._send("POST", url, data)

    def submit(self, page: Page, form: Form, data: dict[str, str]) -> Page:
        """Send `form` (found on `page`) as a browser would, following redirects."""
        url = urljoin(page.url, form.action or page.url)
        if form.method == "get":
            return self._send("GET", url, data)
        headers = {"Origin": self.origin, "Referer": self.origin + urlsplit(page.url).path}
        return self._send("POST", url, data, headers)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (what wrk reports too); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(p / 100 * len(ordered))))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Journey:
    prepare: Callable[[JourneyContext], Any]
    run_once: Callable[[Visitor, Any], None]
    verify: Callable[[Any], list[str]] = field(default=lambda state: [])


CpuProbe = Callable[[], dict[str, float]]  # seconds of CPU used so far, by process (gunicorn, driver…)


@dataclass
class JourneyRun:
    result: LoadResult
    problems: list[str]
    cpu_s: dict[str, float]  # CPU spent in the measured window, by process


def run_journey(
    journey: Journey,
    ctx: JourneyContext,
    *,
    connections: int,
    duration_s: float,
    warmup_s: float = 0.0,
    cpu_probe: CpuProbe | None = None,
) -> JourneyRun:
    """Run `journey` from `connections` threads: `warmup_s` unmeasured, then `duration_s` measured.

    The same threads run both phases without a pause, so the measured window starts on warm workers
    with the load already at its level (as wrk's warm-up does). `cpu_probe` is read at the start and
    end of the measured window.
    """
    state = journey.prepare(ctx)
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    lock = threading.Lock()
    # The clock starts once every thread runs: on a loaded host a thread can start late, and a short
    # run would end before any journey began.
    clock: dict[str, float] = {}

    def start_clock() -> None:
        clock["measuring_from"] = time.monotonic() + warmup_s
        clock["deadline"] = clock["measuring_from"] + duration_s

    all_running = threading.Barrier(connections, action=start_clock)
    window: dict[str, Any] = {}

    def mark_start() -> None:
        with lock:
            if not window:
                window["started"] = time.monotonic()
                window["cpu"] = cpu_probe() if cpu_probe else {}

    def worker() -> None:
        visitor = Visitor(ctx.base_url, ctx.headers)
        all_running.wait()
        measuring_from, deadline = clock["measuring_from"], clock["deadline"]
        try:
            while (now := time.monotonic()) < deadline:
                measured = now >= measuring_from
                if measured:
                    mark_start()
                started_one = time.perf_counter()
                try:
                    journey.run_once(visitor, state)
                except JourneyError as exc:
                    if measured:
                        with lock:
                            errors[exc.kind] += 1
                    continue
                except (OSError, http.client.HTTPException):  # requests.RequestException is an OSError
                    if measured:
                        with lock:
                            errors["connect"] += 1
                    continue
                if measured:
                    elapsed_ms = (time.perf_counter() - started_one) * 1000
                    with lock:
                        latencies.append(elapsed_ms)
        finally:
            visitor.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    mark_start()  # nothing was measured (a warm-up longer than the run): an empty window
    elapsed = time.monotonic() - window["started"]
    cpu_after = cpu_probe() if cpu_probe else {}
    cpu = {name: cpu_after[name] - window["cpu"].get(name, 0.0) for name in cpu_after}
    result = LoadResult(
        requests=len(latencies),
        duration_s=elapsed,
        p50_ms=percentile(latencies, 50),
        p90_ms=percentile(latencies, 90),
        p99_ms=percentile(latencies, 99),
        max_ms=max(latencies, default=0.0),
        errors=dict(errors),
    )
    return JourneyRun(result, journey.verify(state), cpu)


# --- The order journey ------------------------------------------------------------------
# One buyer, one paid ticket, as a browser without JavaScript would do it, plus the card token
# Stripe.js would make: register page → choose 1 ticket (GET form) → details (POST form) → the
# pay page → a card token from localstripe → POST it to the pay page's form → the return page.
# `verify` then counts, in the database, orders paid during the run and seats taken per ticket
# type against capacity (through `manage.py shell`, with the events app's own selector).

_COUNT_PAID = """
import json
from events.models import Order
print(json.dumps(Order.objects.filter(status=Order.Status.PAID).count()))
"""

_OVERSOLD = """
import json
from events.models import Event
from events.selectors import ticket_types_with_availability
out = []
for event in Event.objects.all():
    for tt in ticket_types_with_availability(event=event, include_hidden=True):
        if tt.capacity is not None and tt.taken > tt.capacity:
            out.append(f"{event.slug}/{tt.name}: {tt.taken} taken of {tt.capacity}")
print(json.dumps(out))
"""


def _shell(ctx: JourneyContext, code: str) -> Any:
    return json.loads(ctx.manage("shell", "-c", code).strip().splitlines()[-1])


def paid_ticket_type(base_url: str, headers: dict[str, str], slug: str) -> dict:
    """The paid, public ticket type of the event with the most seats (so a run measures buying, not "sold out")."""
    response = requests.get(f"{base_url}/api/v1/events/{slug}/ticket-types/", headers=headers, timeout=30)
    if response.status_code == 404:
        raise NotImplementedError(f"/api/v1/events/{slug}/ticket-types/ answers 404")
    response.raise_for_status()
    return most_seats_paid(response.json())


def most_seats_paid(ticket_types: list[dict]) -> dict:
    """Of the API's ticket types, the paid one on sale, without approval, with the most seats left."""
    choices = [
        t
        for t in ticket_types
        if t.get("on_sale") and not t.get("needs_approval") and float(t["price"]) > 0 and t["available"] > 0
    ]
    if not choices:
        raise NotImplementedError("the event has no paid ticket type on sale with seats left")
    return max(choices, key=lambda t: t["available"])


def _order_prepare(ctx: JourneyContext) -> dict:
    ticket_type = paid_ticket_type(ctx.base_url, ctx.headers, ctx.path.rstrip("/").split("/")[-2])
    return {
        "ctx": ctx,
        "qty_field": f"qty_{ticket_type['id']}",
        "ticket_type": ticket_type["name"],
        "counter": itertools.count(1),
        "paid_before": _shell(ctx, _COUNT_PAID),
        "completed": itertools.count(),
    }


def place_order(visitor: Visitor, register_path: str, qty_field: str, n: int) -> Page:
    """Register for one ticket as a browser without JavaScript would; the answer is the pay page."""
    page = visitor.get(register_path)
    choose = find_form(page.text, has=qty_field, method="get")
    details = visitor.submit(page, choose, {**choose.fields, qty_field: "1"})
    form = find_form(details.text, has="buyer_email", method="post")
    data = dict(form.fields)
    data.update(buyer_name=f"Bench Buyer {n}", buyer_email=f"buyer{n}@bench.example")
    for name in form.names:
        if name.startswith("attendee_") and name.endswith("_name"):
            data[name] = f"Bench Attendee {n}"
        elif name.startswith("attendee_") and name.endswith("_email"):
            data[name] = f"attendee{n}@bench.example"
        elif name == "accept_code_of_conduct":
            data[name] = "on"
    pay_page = visitor.submit(details, form, data)
    if not urlsplit(pay_page.url).path.startswith("/payments/"):
        raise JourneyError(f"no pay page (HTTP {pay_page.status_code})", urlsplit(pay_page.url).path)
    return pay_page


def _card_token(visitor: Visitor, state: dict) -> str:
    ctx: JourneyContext = state["ctx"]
    response = visitor.post(  # the visitor's connection to localstripe is kept alive, as a browser's
        f"{ctx.stripe_url}/v1/tokens",
        data={
            "key": ctx.stripe_publishable_key,
            "card[number]": "4242424242424242",
            "card[exp_month]": "12",
            "card[exp_year]": "2034",
            "card[cvc]": "123",
        },
    )
    if response.status_code != 200:
        raise JourneyError("localstripe", f"token: {response.status_code}")
    return response.json()["id"]


def _order_run_once(visitor: Visitor, state: dict) -> None:
    n = next(state["counter"])
    pay_page = place_order(visitor, state["ctx"].path, state["qty_field"], n)
    card = find_form(pay_page.text, action_endswith="/card/", method="post")
    done = visitor.submit(pay_page, card, {**card.fields, "token": _card_token(visitor, state)})
    if not urlsplit(done.url).path.endswith("/return/") or done.status_code != 200:
        raise JourneyError("not paid", urlsplit(done.url).path)
    next(state["completed"])


def _order_verify(state: dict) -> list[str]:
    ctx: JourneyContext = state["ctx"]
    problems = list(_shell(ctx, _OVERSOLD))
    paid = _shell(ctx, _COUNT_PAID) - state["paid_before"]
    completed = next(state["completed"])
    if paid != completed:
        problems.append(f"{completed} journeys reached the return page but {paid} orders are paid")
    return problems


JOURNEYS: dict[str, Journey] = {
    "order": Journey(prepare=_order_prepare, run_once=_order_run_once, verify=_order_verify),
}
