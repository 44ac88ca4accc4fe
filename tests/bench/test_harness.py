"""The bench harness's pure parts: reading wrk, ratios to the static bound, verdicts, the report.

The load itself never runs in the suite (`make bench` does that).
"""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory

from bench import report
from bench.journeys import (
    Form,
    Journey,
    JourneyContext,
    JourneyError,
    Visitor,
    find_form,
    percentile,
    run_journey,
)
from bench.middleware import QueryCountMiddleware
from bench.run import BenchError, _combine, interleave, resolve
from bench.scenarios import SCENARIOS, STATIC, NotYet, Scenario, Target, api_link, first_link, first_of
from bench.wrk import LoadResult, WrkError, parse_wrk_output, wrk_command

WRK_OUTPUT = """\
Running 4s test @ http://127.0.0.1:41497/api/v1/
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     9.12ms   20.01ms 183.40ms   94.10%
    Req/Sec   829.00    120.10     1.01k    70.00%
  3316 requests in 4.00s, 1.20MB read
  Non-2xx or 3xx responses: 12
Requests/sec:    828.95
Transfer/sec:    307.11KB
BENCH_RESULT {"requests": 3316, "duration_us": 4000120, "bytes": 1258291, "errors": {"connect": 0, "read": 2, \
"write": 0, "status": 12, "timeout": 0}, "statuses": {"301": 3, "500": 12}, "latency_us": {"p50": 7503, \
"p90": 15020, "p99": 183320, "max": 183400, "mean": 9120.5}}
"""


def load(rps: float, p50: float = 10.0, p99: float = 40.0, **errors: int) -> LoadResult:
    return LoadResult(
        requests=int(rps * 4), duration_s=4.0, p50_ms=p50, p90_ms=p50, p99_ms=p99, max_ms=p99, errors=errors
    )


def test_wrk_output_is_read_from_the_result_line_with_every_non_2xx_answer():
    result = parse_wrk_output(WRK_OUTPUT)

    assert result.requests == 3316
    assert result.rps == pytest.approx(828.97, abs=0.01)
    assert (result.p50_ms, result.p99_ms) == (7.503, 183.32)
    # wrk counts the 301s as successes: the report must not.
    assert result.errors == {"read": 2, "HTTP 301": 3, "HTTP 500": 12}
    assert result.error_count == 17


def test_wrk_output_without_a_result_line_is_an_error_that_shows_the_output():
    with pytest.raises(WrkError, match="unable to connect"):
        parse_wrk_output("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_wrk_command_sends_the_forwarded_proto_and_never_more_threads_than_connections():
    cmd = wrk_command(
        "/usr/bin/wrk",
        "http://127.0.0.1:1/",
        connections=1,
        threads=4,
        duration_s=4,
        headers={"X-Forwarded-Proto": "https"},
    )

    assert "--threads=1" in cmd and "--connections=1" in cmd and "--duration=4s" in cmd
    assert cmd[cmd.index("--header") + 1] == "X-Forwarded-Proto: https"
    assert any(arg.startswith("--script=") and arg.endswith("bench.lua") for arg in cmd)
    assert cmd[-1] == "http://127.0.0.1:1/"


def test_static_bound_is_the_mean_of_its_runs_and_each_figure_is_a_ratio_to_it():
    bound = report.bound_from([load(3000, p50=2.0, p99=10.0), load(1000, p50=4.0, p99=14.0)])

    assert (bound.rps, bound.p50_ms, bound.p99_ms) == (2000, 3.0, 12.0)
    assert bound.drift == pytest.approx(1.0)
    ratios = report.ratios(load(1000, p50=15.0, p99=60.0), bound)
    assert (ratios.rps, ratios.p50, ratios.p99) == (0.5, 5.0, 5.0)


HALF = Target("rps_ratio", 0.5, "at least 50 %")


@pytest.mark.parametrize(
    ("result", "verdict"),
    [(load(1100), "PASS"), (load(900), "FAIL"), (load(1100, **{"HTTP 500": 1}), "FAIL")],
)
def test_a_throughput_target_passes_only_at_half_the_static_rate_and_without_errors(result, verdict):
    bound = report.bound_from([load(2000)])
    row = report.Row(Scenario("home", "Home", "/", target=HALF), report.MEASURED, "/", result)

    assert report.check(row, bound).verdict == verdict


def test_a_scenario_is_judged_against_the_static_runs_around_it_not_the_whole_bench():
    """The host slowed down while it ran: the static file around it was slower too."""
    whole_bench = report.bound_from([load(2000), load(2000), load(1000)])
    row = report.Row(Scenario("api", "API", "/api/", target=HALF), report.MEASURED, "/api/", load(600))
    row.bound = report.bound_from([load(1000), load(1200)])

    assert report.check(row, whole_bench).verdict == "PASS"
    assert "55% (600 of 1,100 req/s)" in report.check(row, whole_bench).figure
    assert "| 600 | 55% |" in report.table([row], whole_bench)
    row.bound = None
    assert report.check(row, whole_bench).verdict == "FAIL", "without its own runs: the whole bench's mean"


def test_each_slice_is_paired_with_the_static_runs_around_it_and_the_share_is_their_median():
    """One slice caught in a burst of the host's noise: the median of the pairs keeps the verdict the
    other slices give; the sum of the slices over the mean of the static runs would not."""
    slices = [load(600), load(150), load(620), load(580)]  # the second ran while the host stalled
    statics = [load(1000), load(1000), load(1100), load(1000), load(1000)]

    paired = report.paired_ratios(slices, statics)

    assert paired == pytest.approx([0.6, 0.15 / 1.05, 0.62 / 1.05, 0.58])
    row = report.Row(Scenario("home", "Home", "/", target=HALF), report.MEASURED, "/", LoadResult.combined(slices))
    row.bound = report.bound_from(statics)
    assert report.ratios(row.result, row.bound).rps < 0.5, "the slices summed: failed by one stall"
    row.slice_ratios = paired
    check = report.check(row, None)
    assert check.verdict == "PASS"
    assert "59% (488 of 1,020 req/s), the median of 4 slices (14% to 60%)" in check.figure
    assert "| 488 | 59% |" in report.table([row], None)
    row.slice_ratios = [0.3, 0.45, 0.7, 0.4]
    assert report.check(row, None).verdict == "FAIL", "most slices under half: the median fails"
    with pytest.raises(ValueError):
        report.paired_ratios(slices, statics[:-1])


def test_latency_and_journey_targets():
    bound = report.bound_from([load(2000)])
    fast = report.Row(
        Scenario("u", "Uncached", "/", target=Target("p50_ms", 25, "")), report.MEASURED, "/", load(50, p50=24)
    )
    slow = report.Row(
        Scenario("u", "Uncached", "/", target=Target("p50_ms", 25, "")), report.MEASURED, "/", load(50, p50=26)
    )
    oversold = report.Row(
        Scenario("o", "Orders", "/", target=Target("rps", 20, "")),
        report.MEASURED,
        "/",
        load(30),
        note="problems: oversold",
    )

    assert [report.check(r, bound).verdict for r in (fast, slow, oversold)] == ["PASS", "FAIL", "FAIL"]
    # Tens of journeys a second are shown to a tenth: 12.4 and 12.6 orders/s are not both "12".
    journeys = report.Row(Scenario("o", "Orders", "/"), report.MEASURED, "/", load(12.5))
    assert "| Orders | `/` | 8 | 12.5 |" in report.table([journeys], bound)


def test_a_journey_s_cpu_target_counts_guildhall_s_own_processes_only():
    target = Target("own_cpu_ms", 20, "at most 20 ms")
    scenario = Scenario("o", "Orders", "/", target=Target("rps", 20, ""), cpu_target=target)
    spent = {"localstripe": 6.0, "celery": 5.0, "gunicorn": 11.0, "driver": 4.0, "postgres": 3.5}
    within = report.Row(scenario, report.MEASURED, "/", load(30), journey_cpu_ms=spent)
    over = report.Row(scenario, report.MEASURED, "/", load(30), journey_cpu_ms={**spent, "gunicorn": 12.0})
    assert report.cpu_check(within) == report.Check(
        "Orders: CPU per journey", "at most 20 ms", "19.5 ms (gunicorn 11, celery 5, postgres 4)", "PASS"
    )
    assert report.cpu_check(over).verdict == "FAIL"  # the driver's and localstripe's CPU are not counted
    assert report.cpu_check(report.Row(scenario, report.FAILED, "/")).verdict == "FAIL"
    assert report.cpu_check(report.Row(Scenario("u", "Uncached", "/"), report.MEASURED, "/", load(50))) is None
    text = report.render([over], report.bound_from([load(2000)]), {"date": "", "commit": "", "machine": ""})
    assert "| Orders: CPU per journey | at most 20 ms | 20.5 ms (gunicorn 12, celery 5, postgres 4) | FAIL |" in text


def test_report_shows_pending_rows_ratios_and_verdicts():
    bound = report.bound_from([load(2000, p50=2.0, p99=8.0)], cpu_ms=[0.25])
    rows = [
        report.Row(STATIC, report.MEASURED, "/static/css/site.abc.css", load(2000, p50=2.0, p99=8.0), queries=0),
        report.Row(
            Scenario("home", "Home page", "/", target=HALF),
            report.MEASURED,
            "/",
            load(500, p50=8.0, p99=40.0),
            3,
            cpu_ms=1.5,
        ),
        report.Row(
            Scenario("project", "Project page", "/projects/openstack/", target=HALF),
            report.PENDING,
            "/projects/openstack/",
            note="not available yet (404; the public website)",
        ),
    ]

    text = report.render(
        rows, bound, {"date": "2026-11-25 09:00 UTC", "commit": "abc", "machine": "2 cores", "server": "gunicorn"}
    )

    home = next(line for line in text.splitlines() if line.startswith("| Home page | `/`"))
    assert "| 500 | 25% | 8.00 | ×4.0 | 40.00 | ×5.0 | 1.50 | ×6.0 | 3 | 0 |" in home
    project = next(line for line in text.splitlines() if line.startswith("| Project page"))
    assert "not available yet (404; the public website)" in project and "| — |" in project
    assert (
        "| Home page | at least 50 % | 25% (500 of 2,000 req/s); CPU per request 6.0× the static file's | FAIL |"
        in text
    )
    assert "| Project page | at least 50 % | — | PENDING |" in text
    assert "Static bound: 2,000 req/s" in text
    assert "- **server**: gunicorn" in text


class FakeSite:
    def __init__(self, pages: dict[str, str]):
        self.pages = pages

    def get(self, path):
        return (200, self.pages[path]) if path in self.pages else (404, "")

    def request(self, path, headers=None):
        return type("Response", (), {"status_code": self.get(path.split("?")[0])[0]})()

    def static_path(self, name):
        return None


class SignedInSite(FakeSite):
    def __init__(self, pages, *, session=None):
        super().__init__(pages)
        self.session, self.sent = session, []

    def session_of(self, person):
        if self.session is None:
            raise BenchError(f"could not log in as {person}")
        return {"Cookie": self.session}

    def request(self, path, headers=None):
        self.sent.append(headers)
        return super().request(path, headers)


def test_a_signed_in_scenario_sends_the_persons_session_and_fails_plainly_without_one():
    scenario = Scenario("member-home", "Home, signed in", "/", connections=1, signed_in="member")

    row = resolve(SignedInSite({"/": "home"}, session="sessionid=abc"), scenario)
    failed = resolve(SignedInSite({"/": "home"}), scenario)

    assert row.state == report.MEASURED
    assert (failed.state, failed.note) == (report.FAILED, "could not sign in: could not log in as member")
    site = SignedInSite({"/": "home"}, session="sessionid=abc")
    resolve(site, scenario)
    assert site.sent == [{"Cookie": "sessionid=abc"}]


def test_a_url_that_answers_404_is_a_pending_row_not_a_failure():
    row = resolve(
        FakeSite({"/": "home"}), Scenario("project", "Project", "/projects/openstack/", built_by="the public website")
    )

    assert row.state == report.PENDING
    assert row.note == "not available yet (404; the public website)"


def test_a_scenario_found_through_a_link_is_measured_once_the_link_exists():
    event = Scenario("event", "Event", first_link("/events/", r"/events/[\w-]+/"), built_by="the event pages")

    before = resolve(FakeSite({}), event)
    after = resolve(FakeSite({"/events/": '<a href="/events/summit-2027/">', "/events/summit-2027/": "page"}), event)

    assert (before.state, before.note) == (report.PENDING, "not available yet (/events/ answers 404; the event pages)")
    assert (after.state, after.path) == (report.MEASURED, "/events/summit-2027/")
    with pytest.raises(NotYet):
        first_link("/events/", r"/events/[\w-]+/")(FakeSite({"/events/": "no events yet"}))


def test_every_acceptance_scenario_is_declared_once():
    keys = [s.key for s in SCENARIOS]

    assert len(keys) == len(set(keys))
    assert {
        "home",
        "home-uncached",
        "project",
        "directory",
        "event",
        "api-projects",
        "api-members",
        "api-adoption",
        "order",
    } <= set(keys)
    assert next(s for s in SCENARIOS if s.key == "order").journey == "order"


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]

    assert (percentile(values, 50), percentile(values, 99), percentile([], 50)) == (50.0, 99.0, 0.0)


def test_journey_runner_counts_completions_and_5xx_separately():
    calls = {"n": 0}
    lock = threading.Lock()  # two threads count

    def run_once(session, state):
        with lock:
            calls["n"] += 1
            n = calls["n"]
        time.sleep(0.002)
        if n % 4 == 0:
            raise JourneyError("status", "500 on pay")

    journey = Journey(prepare=lambda ctx: {}, run_once=run_once, verify=lambda state: ["1 ticket type oversold"])
    ctx = JourneyContext(base_url="http://127.0.0.1:1", path="/", stripe_url="", headers={}, manage=lambda *a: "")

    run = run_journey(journey, ctx, connections=2, duration_s=0.2)

    assert run.result.requests > 0 and run.result.errors["status"] > 0
    assert run.result.requests + run.result.errors["status"] == calls["n"]
    assert run.problems == ["1 ticket type oversold"]


def test_journeys_of_the_warm_up_are_not_counted_and_cpu_is_read_around_the_measured_window():
    calls = {"n": 0}
    readings = []
    lock = threading.Lock()

    def run_once(session, state):
        with lock:
            calls["n"] += 1
        time.sleep(0.005)

    def probe():
        readings.append(calls["n"])
        return {"gunicorn": float(len(readings)), "driver": 10.0 * len(readings)}

    journey = Journey(prepare=lambda ctx: {}, run_once=run_once)
    ctx = JourneyContext(base_url="http://127.0.0.1:1", path="/", stripe_url="", headers={}, manage=lambda *a: "")

    run = run_journey(journey, ctx, connections=2, duration_s=0.15, warmup_s=0.15, cpu_probe=probe)

    assert len(readings) == 2 and readings[0] > 0, "the first reading comes after the warm-up's journeys"
    assert 0 < run.result.requests < calls["n"]
    assert run.cpu_s == {"gunicorn": 1.0, "driver": 10.0}
    assert 0.1 < run.result.duration_s < 0.3


@pytest.mark.django_db
def test_query_header_counts_the_requests_queries_only_when_asked():
    def view(request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.execute("SELECT 2")
        return HttpResponse("ok")

    middleware = QueryCountMiddleware(view)
    factory = RequestFactory()

    assert middleware(factory.get("/", HTTP_X_BENCH_QUERIES="1"))["X-Bench-Queries"] == "2"
    assert "X-Bench-Queries" not in middleware(factory.get("/"))


def test_the_next_event_is_found_through_the_api_when_no_page_links_to_it():
    resolver = first_of(
        first_link("/events/", r"/events/[\w-]+/", suffix="register/"), api_link("/api/v1/events/", "register_url")
    )
    api = '{"results": [{"register_url": "https://127.0.0.1:8000/events/summit-2027/register/"}]}'

    assert resolver(FakeSite({"/api/v1/events/": api})) == "/events/summit-2027/register/"
    with pytest.raises(NotYet, match="/events/ answers 404; /api/v1/events/ answers 404"):
        resolver(FakeSite({}))


REGISTER_DETAILS = """
<form method="get" action="/search/"><input name="q"></form>
<form class="form" method="post" action="/events/summit/register/">
  <input type="hidden" name="csrfmiddlewaretoken" value="tok">
  <input type="hidden" name="qty_2" value="1">
  <input name="buyer_email" type="email">
  <textarea name="billing_address">line</textarea>
  <select name="billing_country"><option value="">—</option><option value="FR">France</option></select>
  <input type="checkbox" name="accept_code_of_conduct">
  <input type="checkbox" name="newsletter" value="yes" checked>
  <button type="submit">Continue to payment</button>
</form>
"""


def test_a_journey_fills_the_form_a_browser_would_send():
    form = find_form(REGISTER_DETAILS, has="buyer_email", method="post")

    assert form.action == "/events/summit/register/"
    # Hidden fields and defaults travel as they are; an unchecked box does not.
    assert form.fields == {
        "csrfmiddlewaretoken": "tok",
        "qty_2": "1",
        "buyer_email": "",
        "billing_address": "line",
        "newsletter": "yes",
    }
    assert "accept_code_of_conduct" in form.names
    assert "billing_country" in form.names, "a select is a field; its options are not read"
    with pytest.raises(JourneyError, match="page changed"):
        find_form(REGISTER_DETAILS, has="buyer_email", method="get")


class _Site(BaseHTTPRequestHandler):
    """A site of three pages: a form that sets a cookie and redirects, a page that reads it, a 500."""

    protocol_version = "HTTP/1.1"  # keep-alive, as gunicorn
    seen: list = []

    def log_message(self, *args):
        pass

    def _answer(self, status: int, body: str = "", headers: dict | None = None) -> None:
        data = body.encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        self.seen.append(("POST", self.path, self.rfile.read(length).decode(), self.headers.get("Origin")))
        self.send_response(303)
        self.send_header("Set-Cookie", "sessionid=abc; Path=/; Secure; HttpOnly")
        self.send_header("Location", "/done/")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        self.seen.append(("GET", self.path, self.headers.get("Cookie"), self.headers.get("X-Forwarded-Proto")))
        if self.path.startswith("/broken/"):
            self._answer(500, "oops")
        elif self.path.startswith("/logout/"):
            self._answer(200, "bye", {"Set-Cookie": 'sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0'})
        else:
            self._answer(200, f"<p>{self.path}</p>")


def test_the_driver_keeps_cookies_follows_redirects_as_a_browser_and_counts_a_5xx_as_an_error():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Site.seen = []
    visitor = Visitor(f"http://127.0.0.1:{server.server_port}", {"X-Forwarded-Proto": "https"})
    try:
        page = visitor.get("/form/", {"q": "1"})
        form = Form(action="/send/", method="post", fields={"a": "1"}, names=["a"])
        done = visitor.submit(page, form, {"a": "1", "b": "x y"})
        assert (done.status_code, done.url, done.text) == (200, f"{visitor.base_url}/done/", "<p>/done/</p>")
        # The POST carried the form and the browser's Origin; the 303 became a GET with the (Secure) cookie.
        assert _Site.seen[1] == ("POST", "/send/", "a=1&b=x+y", visitor.origin)
        assert _Site.seen[2] == ("GET", "/done/", "sessionid=abc", "https")
        assert _Site.seen[0][1] == "/form/?q=1"
        visitor.get("/logout/")
        visitor.get("/after/")
        assert _Site.seen[-1][2] is None, "a cookie the site deleted is not sent again"
        with pytest.raises(JourneyError, match="HTTP 500"):
            visitor.get("/broken/")
    finally:
        visitor.close()
        server.shutdown()
        server.server_close()


def test_a_scenario_is_measured_in_slices_each_followed_by_the_static_file():
    """The host's speed swings within seconds: the scenario and the static file take turns, slice by slice."""
    calls = []

    def scenario_slice(first):
        calls.append("warm-up, scenario" if first else "scenario")
        return load(500 + len(calls)), 0.5

    def static_slice():
        calls.append("static")
        return load(1000), 0.25

    scenario_slices, static_slices = interleave(scenario_slice, static_slice, 3)

    assert calls == ["warm-up, scenario", "static", "scenario", "static", "scenario", "static"]
    result, cpu_ms = _combine(scenario_slices)
    assert result.requests == sum(piece.requests for piece, _ in scenario_slices) == 4 * (501 + 503 + 505)
    assert result.duration_s == 12.0 and round(result.rps) == 503
    assert cpu_ms == pytest.approx(1.5 * 1000 / result.requests)
    assert len(static_slices) == 3


def test_slices_combine_into_one_load_with_every_error_counted():
    slow = load(400, p50=20.0, p99=80.0, read=1)
    fast = load(600, p50=10.0, p99=40.0, read=2, **{"HTTP 500": 3})

    both = LoadResult.combined([slow, fast])

    assert (both.requests, both.duration_s, both.rps) == (4000, 8.0, 500.0)
    assert (both.p50_ms, both.p99_ms, both.max_ms) == (15.0, 60.0, 80.0)
    assert both.errors == {"read": 3, "HTTP 500": 3}
    assert _combine([(slow, 1.0), (fast, None)])[1] is None, "one slice without CPU: no CPU figure"


# --- bench.ab: two versions in turns -----------------------------------------------------------

AB_REPORT = """\
# Guildhall benchmarks

| Scenario | Path | Conns | Req/s | % of static | p50 ms | × static | p99 ms | × static | CPU ms/req | × static | Queries/req | Errors | Notes |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |
| Static file (whitenoise), the upper bound | `/static/x.css` | 8 | 1,607 | 100% | 5.67 | ×1.0 | 73.46 | ×1.0 | 1.11 | ×1.0 | 0 | 0 | 2 runs |
| API: members list | `/api/v1/members/` | 8 | — | — | — | — | — | — | — | — | — | — | not available |
| Order journey | `/events/x/register/` | 8 | 12 | 1% | 434.70 | ×76.6 | 1,120.41 | ×15.3 | 84.55 | ×76.0 | — | 0 | CPU ms per journey: celery 31, gunicorn 85; 143 in all |

Static bound: 1,607 req/s
"""


def test_ab_reads_each_measured_scenarios_rate_and_a_journeys_cpu_from_the_report():
    from bench.ab import Figures, figures

    assert figures(AB_REPORT) == {
        "Static file (whitenoise), the upper bound": Figures(1607.0, None),
        "Order journey": Figures(12.0, 143.0, "celery 31, gunicorn 85"),
    }
    with pytest.raises(ValueError, match="no results table"):
        figures("# Guildhall benchmarks\n\nnothing measured\n")


def test_ab_ratios_are_the_median_of_the_pairs_this_over_base():
    from bench.ab import Figures, ratios

    pairs = [
        ({"order": Figures(10, 150.0)}, {"order": Figures(12, 120.0)}),
        ({"order": Figures(8, 200.0)}, {"order": Figures(12, 140.0)}),  # an outlier pair moves the median little
        ({"order": Figures(10, 140.0)}, {"order": Figures(11, 133.0)}),
    ]
    rps, cpu = ratios(pairs)["order"]
    assert rps == pytest.approx(1.2)
    assert cpu == pytest.approx(0.8)
    # A scenario one side did not measure in some pair has no ratio.
    assert ratios([({"a": Figures(1, None)}, {"a": Figures(2, None), "b": Figures(3, None)})]) == {"a": (2.0, None)}


def test_ab_passes_what_follows_the_double_dash_to_each_bench_run():
    from bench.ab import split_argv

    assert split_argv(["08e6bbc", "--pairs", "2", "--", "--duration", "8"]) == (
        ["08e6bbc", "--pairs", "2"],
        ["--duration", "8"],
    )
    assert split_argv(["HEAD~1", "--only", "order"]) == (["HEAD~1", "--only", "order"], [])
