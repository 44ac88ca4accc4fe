"""What `make bench` measures: one list, in the order it runs.

A scenario names a path (or a way to find one on the running site). When its URL answers 404 the
run shows it as "not available yet" and moves on, so pages still being built cost nothing; when
they land they are measured without touching the harness. A journey scenario runs a Python
function (bench/journeys.py) instead of wrk.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlsplit


class Site(Protocol):
    """What a resolver may ask of the running server (bench/run.py implements it)."""

    base_url: str
    found: dict[str, str]  # what resolvers found once and share (e.g. an order placed for the run)

    def get(self, path: str) -> tuple[int, str]: ...  # status and body of an anonymous GET

    def session_of(self, person: str) -> dict[str, str]: ...  # the Cookie header of a signed-in person

    def static_path(self, name: str) -> str | None: ...  # the hashed URL of a collected static file


Resolver = Callable[[Site], str]


class NotYet(Exception):
    """A resolver found no URL for its scenario yet (the page that links to it is not built)."""


@dataclass(frozen=True)
class Target:
    """An acceptance figure: `kind` is rps_ratio, p50_ms, rps or own_cpu_ms (a journey's); errors are never allowed."""

    kind: str
    value: float
    label: str


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    path: str | Resolver
    connections: int = 8
    cache_bust: bool = False  # a unique query string per request: nothing can come from a cache
    headers: dict[str, str] = field(default_factory=dict)
    journey: str | None = None  # name in bench.journeys.JOURNEYS; the path is then only probed
    target: Target | None = None
    # A journey's second target: the CPU per journey of Guildhall's own processes (web, worker, database).
    cpu_target: Target | None = None
    built_by: str = ""  # who builds the page, for the "not available yet" row
    signed_in: str = ""  # a key of PEOPLE: the requests carry that person's session
    is_bound: bool = False  # the static file: the upper bound every figure is compared to


def static_file(name: str) -> Resolver:
    def resolve(site: Site) -> str:
        path = site.static_path(name)
        if path is None:
            raise NotYet(f"{name} is not among the collected static files")
        return path

    return resolve


def first_link(index: str, pattern: str, suffix: str = "") -> Resolver:
    """The first link on `index` whose path matches `pattern` (e.g. the next event's page), plus `suffix`."""
    regex = re.compile(r'href="(' + pattern + r')"')

    def resolve(site: Site) -> str:
        status, body = site.get(index)
        if status != 200:
            raise NotYet(f"{index} answers {status}")
        match = regex.search(body)
        if match is None:
            raise NotYet(f"no link to {pattern} on {index}")
        return match.group(1) + suffix

    return resolve


def api_link(endpoint: str, key: str) -> Resolver:
    """The path of the URL in `key` of the first item an API list returns (paginated or not)."""

    def resolve(site: Site) -> str:
        status, body = site.get(endpoint)
        if status != 200:
            raise NotYet(f"{endpoint} answers {status}")
        data = json.loads(body)
        items = data.get("results", []) if isinstance(data, dict) else data
        if not items or not items[0].get(key):
            raise NotYet(f"{endpoint} lists nothing with {key!r}")
        return urlsplit(items[0][key]).path

    return resolve


def first_of(*resolvers: Resolver) -> Resolver:
    """The first resolver that finds a URL; "not yet" with every reason otherwise."""

    def resolve(site: Site) -> str:
        reasons = []
        for resolver in resolvers:
            try:
                return resolver(site)
            except NotYet as exc:
                reasons.append(str(exc))
        raise NotYet("; ".join(reasons))

    return resolve


JSON = {"Accept": "application/json"}

# Who a signed-in scenario is, from the demo: a member company's admin (members/demo.py), and the
# foundation's staff (portal/site/demo.py), who log in with a second factor.
PEOPLE = {
    "member": ("nadia.northcott@northwind-cloud.example", "openinfra-demo"),
    "staff": ("staff@openinfra.example", "openinfra-demo"),
}
SIGNED_IN_TARGET = Target("p50_ms", 5, "median at most 5 ms")
COMPANY_PAGE = r"/members/(?!individuals/)[\w-]+/"


def signed_in(key: str, title: str, path: str | Resolver, *, person: str = "member") -> Scenario:
    """A page as a signed-in person sees it, one request at a time: the median is the person's wait."""
    return Scenario(key, title, path, connections=1, signed_in=person, target=SIGNED_IN_TARGET)


UPCOMING = "/api/v1/events/?when=upcoming"
EVENT_PAGE = r"/events/[\w-]+/"
REGISTER = first_of(first_link("/events/", EVENT_PAGE, suffix="register/"), api_link(UPCOMING, "register_url"))


def _checkin(site: Site) -> str:
    return REGISTER(site).removesuffix("register/") + "checkin/"


ORDER_PAGE = re.compile(r'href="(/events/[\w-]+/order/[^"/]+/[^"/]+/)"')


def members_order(page: str) -> Resolver:
    """The pay page ("pay") or the order page ("order") of an order the signed-in member places for one ticket.

    The order is placed once per run, through the register forms as the member, and left unpaid: its pay
    page asks for the card, as a buyer who comes back to pay sees it.
    """

    def resolve(site: Site) -> str:
        if "member-pay" not in site.found:
            from bench.journeys import JourneyError, Visitor, paid_ticket_type, place_order
            from bench.run import FORWARDED

            register = REGISTER(site)
            ticket_type = paid_ticket_type(site.base_url, FORWARDED, register.rstrip("/").split("/")[-2])
            visitor = Visitor(site.base_url, FORWARDED)
            for pair in site.session_of("member")["Cookie"].split("; "):
                name, _, value = pair.partition("=")
                visitor.cookies[name] = value
            try:
                pay_page = place_order(visitor, register, f"qty_{ticket_type['id']}", 0)
                site.found["member-pay"] = urlsplit(pay_page.url).path
                match = ORDER_PAGE.search(visitor.get("/accounts/").text)
            except JourneyError as exc:
                raise NotYet(f"the member could not place an order ({exc})") from exc
            finally:
                visitor.close()
            if match is None:
                raise NotYet("My account links to no order of the member")
            site.found["member-order"] = match.group(1)
        return site.found[f"member-{page}"]

    return resolve


STATIC = Scenario("static", "Static file (whitenoise), the upper bound", static_file("css/site.css"), is_bound=True)

SCENARIOS: list[Scenario] = [
    Scenario(
        "home",
        "Home page, anonymous",
        "/",
        target=Target("rps_ratio", 0.5, "at least 50 % of the static file's requests/s"),
    ),
    Scenario(
        "home-uncached",
        "Home page, uncached, 1 connection",
        "/",
        connections=1,
        cache_bust=True,
        target=Target("p50_ms", 25, "median under 25 ms"),
    ),
    Scenario("project", "Project page (OpenStack)", "/projects/openstack/", built_by="the public website"),
    Scenario("directory", "Member directory", "/members/", built_by="the public website"),
    Scenario(
        "event",
        "Event page (the next event)",
        first_of(first_link("/events/", EVENT_PAGE), api_link(UPCOMING, "page_url")),
        built_by="the event pages",
    ),
    Scenario(
        "api-projects",
        "API: projects list",
        "/api/v1/projects/",
        headers=JSON,
        target=Target("rps_ratio", 0.5, "at least 50 % of the static file's requests/s"),
        built_by="the public website",
    ),
    Scenario("api-members", "API: members list", "/api/v1/members/", headers=JSON, built_by="the public website"),
    Scenario("api-adoption", "API: adoption list", "/api/v1/adoption/", headers=JSON, built_by="the adoption API"),
    Scenario("api-root", "API: root", "/api/v1/", headers=JSON),
    Scenario("api-schema", "API: OpenAPI schema", "/api/schema/", connections=2),
    Scenario("health", "Health check (database and cache)", "/health/"),
    signed_in("member-home", "Home page, signed-in member, 1 connection", "/"),
    signed_in("member-project", "Project page, signed-in member, 1 connection", "/projects/openstack/"),
    signed_in("member-directory", "Member directory, signed-in member, 1 connection", "/members/"),
    signed_in("member-company", "Company page, signed-in member, 1 connection", first_link("/members/", COMPANY_PAGE)),
    signed_in(
        "member-event",
        "Event page, signed-in member, 1 connection",
        first_of(first_link("/events/", EVENT_PAGE), api_link(UPCOMING, "page_url")),
    ),
    signed_in("member-register", "Register page, signed-in member, 1 connection", REGISTER),
    signed_in("member-order", "Order page (the member's unpaid order), 1 connection", members_order("order")),
    signed_in("member-pay", "Pay page (the member's unpaid order), 1 connection", members_order("pay")),
    signed_in("member-account", "My account, signed-in member, 1 connection", "/accounts/"),
    signed_in(
        "member-admin", "Member admin (the company's overview), 1 connection", "/members/manage/northwind-cloud/"
    ),
    signed_in("staff-checkin", "Check-in page (the next event), staff, 1 connection", _checkin, person="staff"),
    Scenario(
        "order",
        "Order journey: create → pay on localstripe → confirmed",
        REGISTER,
        connections=8,
        journey="order",
        target=Target("rps", 20, "at least 20 orders/s, no 5xx, none oversold"),
        cpu_target=Target(
            "own_cpu_ms", 20, "Guildhall's own CPU (gunicorn, celery, postgres) at most 20 ms per journey"
        ),
        built_by="the event pages",
    ),
]
