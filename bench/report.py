"""Rows, ratios to the static bound, acceptance checks and the Markdown report: no I/O here."""

from dataclasses import dataclass, field
from statistics import median

from bench.scenarios import Scenario, Target
from bench.wrk import LoadResult

MEASURED, PENDING, FAILED = "measured", "pending", "failed"


@dataclass
class Row:
    scenario: Scenario
    state: str  # MEASURED, PENDING (URL answers 404 or journey not written) or FAILED
    path: str = ""
    result: LoadResult | None = None
    queries: int | None = None
    note: str = ""
    cpu_ms: float | None = None  # the server's CPU time per request (all gunicorn processes)
    # The static file measured just before and just after this row: its ratios are to that pair, so a
    # host that slows down or speeds up during the run moves both sides of each ratio alike.
    bound: "Bound | None" = None
    # Each slice's req/s over the static runs just before and just after it (paired_ratios): the
    # scenario's share of static is their median, so one slice caught in a burst of other work on
    # the machine or its host moves the figure less than a sum of the slices would.
    slice_ratios: list[float] = field(default_factory=list)
    # A journey's CPU per completed journey, in ms, by process (gunicorn, celery, postgres, localstripe, driver).
    journey_cpu_ms: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Bound:
    """The static file's figures: the mean of its runs (around one scenario, or over the whole bench)."""

    rps: float
    p50_ms: float
    p99_ms: float
    drift: float  # how far apart the slowest and fastest static runs were, relative to their mean
    cpu_ms: float | None = None
    runs: int = 2


def bound_from(results: list[LoadResult], cpu_ms: list[float] | None = None) -> Bound | None:
    if not results:
        return None
    n = len(results)
    rps = sum(r.rps for r in results) / n
    drift = (max(r.rps for r in results) - min(r.rps for r in results)) / rps if rps else 0.0
    return Bound(
        rps=rps,
        p50_ms=sum(r.p50_ms for r in results) / n,
        p99_ms=sum(r.p99_ms for r in results) / n,
        drift=drift,
        cpu_ms=sum(cpu_ms) / len(cpu_ms) if cpu_ms else None,
        runs=n,
    )


@dataclass(frozen=True)
class Ratios:
    rps: float  # share of the static file's requests/s (1.0 = as fast as static)
    p50: float  # times the static file's median latency
    p99: float


def ratios(result: LoadResult, bound: Bound) -> Ratios:
    def div(a: float, b: float) -> float:
        return a / b if b else float("inf")

    return Ratios(
        rps=div(result.rps, bound.rps), p50=div(result.p50_ms, bound.p50_ms), p99=div(result.p99_ms, bound.p99_ms)
    )


def paired_ratios(slices: list[LoadResult], statics: list[LoadResult]) -> list[float]:
    """Each slice's req/s over the mean of the static runs around it: `statics` holds the run before the
    first slice, then the one after each slice (one more than `slices`)."""
    if len(statics) != len(slices) + 1:
        raise ValueError(f"{len(slices)} slices need {len(slices) + 1} static runs around them, not {len(statics)}")
    pairs = zip(slices, statics, statics[1:], strict=False)
    return [piece.rps / ((a.rps + b.rps) / 2) for piece, a, b in pairs if a.rps + b.rps > 0]


def share_of_static(row: Row, bound: Bound) -> float:
    """The scenario's req/s as a share of the static file's: the median of its slices' paired ratios,
    or (measured in one piece) its req/s over the bound's."""
    if row.slice_ratios:
        return median(row.slice_ratios)
    assert row.result is not None
    return ratios(row.result, bound).rps


@dataclass(frozen=True)
class Check:
    title: str
    target: str
    figure: str
    verdict: str  # PASS, FAIL or PENDING


def check(row: Row, bound: Bound | None) -> Check | None:
    """The verdict on a scenario's acceptance target; errors (5xx, socket errors) always fail it."""
    target: Target | None = row.scenario.target
    if target is None:
        return None
    title = row.scenario.title
    if row.state != MEASURED or row.result is None:
        return Check(title, target.label, "—", "PENDING" if row.state == PENDING else "FAIL")
    result = row.result
    bound = row.bound or bound
    if target.kind == "rps_ratio":
        if bound is None:
            return Check(title, target.label, "no static bound", "FAIL")
        value = share_of_static(row, bound)
        figure, ok = f"{value:.0%} ({result.rps:,.0f} of {bound.rps:,.0f} req/s)", value >= target.value
        if row.slice_ratios:
            low, high = min(row.slice_ratios), max(row.slice_ratios)
            figure += f", the median of {len(row.slice_ratios)} slices ({low:.0%} to {high:.0%})"
        if row.cpu_ms and bound.cpu_ms:
            figure += f"; CPU per request {row.cpu_ms / bound.cpu_ms:.1f}× the static file's"
    elif target.kind == "p50_ms":
        figure, ok = f"{result.p50_ms:.1f} ms", result.p50_ms < target.value
    elif target.kind == "rps":
        figure, ok = f"{result.rps:,.1f}/s", result.rps >= target.value
    else:
        raise ValueError(f"unknown target kind {target.kind!r}")
    if result.error_count:
        figure += f", {result.error_count} errors"
        ok = False
    if row.note.startswith("problems:"):
        ok = False
    return Check(title, target.label, figure, "PASS" if ok else "FAIL")


# What Guildhall itself spends on a journey: the load driver and the fake Stripe are the bench's own.
OWN_PROCESSES = ("gunicorn", "celery", "postgres")


def cpu_check(row: Row) -> Check | None:
    """The verdict on a journey's CPU target: Guildhall's own processes' CPU per completed journey."""
    target: Target | None = row.scenario.cpu_target
    if target is None:
        return None
    title = f"{row.scenario.title}: CPU per journey"
    if row.state != MEASURED or not row.journey_cpu_ms:
        return Check(title, target.label, "—", "PENDING" if row.state == PENDING else "FAIL")
    own = {name: row.journey_cpu_ms[name] for name in OWN_PROCESSES if name in row.journey_cpu_ms}
    total = sum(own.values())
    figure = f"{total:.1f} ms (" + ", ".join(f"{name} {ms:.0f}" for name, ms in own.items()) + ")"
    return Check(title, target.label, figure, "PASS" if total <= target.value else "FAIL")


def _num(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def _errors(result: LoadResult) -> str:
    if not result.errors:
        return "0"
    return ", ".join(f"{n} {kind}" for kind, n in sorted(result.errors.items()))


def table(rows: list[Row], bound: Bound | None) -> str:
    head = (
        "| Scenario | Path | Conns | Req/s | % of static | p50 ms | × static | p99 ms | × static "
        "| CPU ms/req | × static | Queries/req | Errors | Notes |\n"
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |\n"
    )
    lines = []
    for row in rows:
        s, r = row.scenario, row.result
        queries = "—" if row.queries is None else str(row.queries)
        path = f"`{row.path}`" if row.path else "—"
        if r is None:
            dashes = " | ".join(["—"] * 8)
            lines.append(f"| {s.title} | {path} | {s.connections} | {dashes} | {queries} | — | {row.note} |")
            continue
        near = row.bound or bound
        if near is not None:
            q = ratios(r, near)
            rel = (f"{share_of_static(row, near):.0%}", f"×{q.p50:.1f}", f"×{q.p99:.1f}")
        else:
            rel = ("—", "—", "—")
        cpu, cpu_rel = "—", "—"
        if row.cpu_ms is not None:
            cpu = _num(row.cpu_ms, 2)
            if near is not None and near.cpu_ms:
                cpu_rel = f"×{row.cpu_ms / near.cpu_ms:.1f}"
        lines.append(
            f"| {s.title} | {path} | {s.connections} | {_num(r.rps, 0 if r.rps >= 100 else 1)} | {rel[0]} | {_num(r.p50_ms, 2)} | {rel[1]} "
            f"| {_num(r.p99_ms, 2)} | {rel[2]} | {cpu} | {cpu_rel} | {queries} | {_errors(r)} | {row.note} |"
        )
    return head + "\n".join(lines) + "\n"


def render(rows: list[Row], bound: Bound | None, meta: dict[str, str]) -> str:
    """The whole report: results table, acceptance verdicts, how it was measured."""
    out = ["# Guildhall benchmarks", ""]
    out.append(f"{meta.get('date', '')} · commit `{meta.get('commit', '?')}` · {meta.get('machine', '')}")
    out.append("")
    out.append(table(rows, bound))
    if bound is not None:
        out.append(
            f"Static bound: {bound.rps:,.0f} req/s, p50 {bound.p50_ms:.2f} ms, p99 {bound.p99_ms:.2f} ms "
            f"(mean of its {bound.runs} runs: one before the first scenario, then one after each slice of every "
            f"scenario; the slowest and the fastest differ by {bound.drift:.0%}). Each scenario's ratios are to the "
            "static runs between and around its own slices."
        )
        if bound.cpu_ms:
            out.append(
                f"The server spent {bound.cpu_ms:.2f} ms of CPU per static request. CPU per request counts only "
                "gunicorn's own processes, so it moves far less than req/s when other work shares the machine."
            )
    else:
        out.append("Static bound: NOT MEASURED.")
    out.append("")
    checks = [c for c in (check(row, bound) for row in rows) if c is not None]
    checks += [c for c in (cpu_check(row) for row in rows) if c is not None]
    if checks:
        out.append("## Acceptance")
        out.append("")
        out.append("| Scenario | Target | Figure | Verdict |")
        out.append("| --- | --- | --- | --- |")
        out.extend(f"| {c.title} | {c.target} | {c.figure} | {c.verdict} |" for c in checks)
        out.append("")
    out.append("## How it was measured")
    out.append("")
    out.extend(f"- **{key}**: {value}" for key, value in meta.items() if key not in {"date", "commit", "machine"})
    out.append("")
    return "\n".join(out)
