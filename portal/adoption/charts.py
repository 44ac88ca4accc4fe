"""Charts of the adoption page, drawn on the server as SVG geometry plus the table behind each.

Templates only place what is computed here: every bar's box and text position, the summary that
goes into `<desc>`, the table rows and the CSV. No JavaScript, nothing from a CDN.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse

from portal.adoption.models import EditionAggregate, format_cores
from portal.core.csv_writer import csv_text

WIDTH = 480


def millions(value: int) -> str:
    """15234000 → "15.2M"; small numbers are printed in full."""
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    return f"{value:,}"


def percent(value: Decimal | float | None, *, signed: bool = False) -> str:
    if value is None:
        return "—"
    rounded = round(Decimal(value))
    sign = "+" if signed and rounded > 0 else ""
    return f"{sign}{rounded}\u00a0%"  # a no-break space: "60 %" never wraps


@dataclass
class Bar:
    label: str
    value: int
    display: str
    x: float
    y: float
    width: float
    height: float
    text_x: float
    text_y: float
    label_x: float
    label_y: float


@dataclass
class Chart:
    name: str
    title: str
    description: str
    columns: list[str]
    rows: list[list[str]]
    csv_columns: list[str]
    csv_rows: list[list]
    orientation: str  # "vertical" (columns over time) or "horizontal" (categories)
    bars: list[Bar] = field(default_factory=list)
    width: int = WIDTH
    height: int = 0
    baseline: float = 0
    caption: str = ""
    api_url: str = ""  # the same figures in the API, with their provenance
    csv_query: str = ""  # "?year=2022" when the CSV holds one edition

    @property
    def title_id(self) -> str:
        return f"chart-{self.name}-title"

    @property
    def desc_id(self) -> str:
        return f"chart-{self.name}-desc"

    def to_csv(self) -> str:
        return csv_text(self.csv_columns, self.csv_rows)


def vertical_bars(points: list[tuple[str, int, str]], *, height: int = 300) -> tuple[list[Bar], int, float]:
    """One column per point, scaled to the largest, with the value above and the label below."""
    top, bottom, side = 28, 36, 8
    plot = height - top - bottom
    peak = max((value for _label, value, _display in points), default=0) or 1
    slot = (WIDTH - 2 * side) / max(len(points), 1)
    bar_width = min(slot * 0.6, 96)
    bars = []
    for index, (label, value, display) in enumerate(points):
        bar_height = round(plot * value / peak, 1)
        x = round(side + slot * index + (slot - bar_width) / 2, 1)
        y = round(top + plot - bar_height, 1)
        centre = round(x + bar_width / 2, 1)
        bars.append(
            Bar(label, value, display, x, y, round(bar_width, 1), bar_height, centre, y - 8, centre, height - 12)
        )
    return bars, height, top + plot


def horizontal_bars(points: list[tuple[str, int, str]]) -> tuple[list[Bar], int, float]:
    """One row per category: its label above a bar scaled to the largest, the value after the bar.

    Labels sit above the bars so long names ("Energy, transportation and government") never
    squeeze the bars, and the chart stays legible when a phone scales it down.
    """
    value_width, row, bar_height, pad = 72, 46, 18, 4
    plot = WIDTH - value_width
    peak = max((value for _label, value, _display in points), default=0) or 1
    bars = []
    for index, (label, value, display) in enumerate(points):
        top = pad + index * row
        y = top + 22
        width = round(max(plot * value / peak, 1), 1)
        bars.append(Bar(label, value, display, 0, y, width, bar_height, width + 6, y + 14, 0, top + 15))
    return bars, pad * 2 + row * len(points), 0


PROVENANCE_COLUMNS = ["edition_responses", "computed_at", "min_segment_responses", "dominance_share"]


def provenance(aggregate: EditionAggregate) -> list:
    """The CSV cells that say where a row's figures come from: sample, computation time, rule applied."""
    return [
        aggregate.sample_size,
        aggregate.computed_at.isoformat(),
        aggregate.min_segment_size,
        aggregate.dominance_share,
    ]


def rule_caption(aggregate: EditionAggregate | None) -> str:
    if aggregate is None:
        return ""
    rule = aggregate.rule
    return (
        f"Segments with fewer than {rule.min_segment} responses are counted under “Other”; a figure resting on "
        f"fewer responses, or on one response making up more than {rule.dominance_share * 100:.0f} % of the "
        "cores, is withheld (—), as is any figure it could be derived from."
    )


def cores_chart(aggregates: list[EditionAggregate]) -> Chart:
    points = [(str(a.edition.year), a.total_cores, millions(a.total_cores)) for a in aggregates]
    bars, height, baseline = vertical_bars(points)
    if aggregates:
        first, last = aggregates[0], aggregates[-1]
        description = (
            f"Cores in production reported by the survey, {first.edition.year} to {last.edition.year}: "
            + ", ".join(f"{a.edition.year}: {millions(a.total_cores)}" for a in aggregates)
            + "."
        )
    else:
        description = "No survey results have been published yet."
    return Chart(
        name="cores",
        title="Cores in production, by survey year",
        description=description,
        columns=["Year", "Cores in production", "Growth", "Responses"],
        rows=[
            [str(a.edition.year), f"{a.total_cores:,}", percent(a.growth_percent, signed=True), f"{a.sample_size:,}"]
            for a in aggregates
        ],
        csv_columns=["year", "total_cores", "growth_percent", "responses", *PROVENANCE_COLUMNS[1:]],
        csv_rows=[
            [
                a.edition.year,
                a.total_cores,
                "" if a.growth_percent is None else a.growth_percent,
                a.sample_size,
                *provenance(a)[1:],
            ]
            for a in aggregates
        ],
        orientation="vertical",
        bars=bars,
        height=height,
        baseline=baseline,
        caption=" ".join(
            f"{a.edition.year}: {a.sample_size:,} responses, computed {a.computed_at:%-d %B %Y}." for a in aggregates
        ),
        api_url=reverse("adoption-list"),
    )


def _figure(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def segment_chart(
    name: str, title: str, heading: str, aggregate: EditionAggregate | None, segments: list[dict]
) -> Chart:
    """Shares of one breakdown of an edition, as horizontal bars; withheld figures show as "—"."""
    total = aggregate.sample_size if aggregate else 0

    def share(segment: dict) -> Decimal | None:
        if segment["responses"] is None:
            return None
        return (Decimal(segment["responses"]) * 100 / total).quantize(Decimal("0.1")) if total else Decimal(0)

    shown = [s for s in segments if s["responses"] is not None]
    points = [(s["label"], s["responses"], f"{share(s)}\u00a0%") for s in shown]
    bars, height, baseline = horizontal_bars(points)
    if shown and aggregate:
        named = [s for s in shown if s["key"] != "other"] or shown
        description = (
            f"{title} of the {total} responses to the {aggregate.edition.year} survey: "
            + "; ".join(f"{s['label']} {share(s)} %" for s in shown)
            + f". The largest is {named[0]['label']}."
        )
    else:
        description = "No survey results have been published yet."
    year = aggregate.edition.year if aggregate else ""
    rows = []
    csv_rows = []
    for s in segments:
        value = share(s)
        percent_text = "—" if value is None else f"{value}\u00a0%"
        rows.append([s["label"], _figure(s["responses"]), percent_text, _figure(s["cores"])])
        csv_rows.append(
            [
                year,
                s["key"],
                s["label"],
                "" if s["responses"] is None else s["responses"],
                "" if value is None else value,
                "" if s["cores"] is None else s["cores"],
                "yes" if s.get("suppressed") else "",
                s.get("reason") or "",
                *(provenance(aggregate) if aggregate else []),
            ]
        )
    computed = f" Computed {aggregate.computed_at:%-d %B %Y}." if aggregate else ""
    return Chart(
        name=name,
        title=f"{title} ({year})" if year else title,
        description=description,
        columns=[heading, "Responses", "Share", "Cores"],
        rows=rows,
        csv_columns=[
            "year",
            "segment",
            "label",
            "responses",
            "share_percent",
            "cores",
            "suppressed",
            "reason",
            *PROVENANCE_COLUMNS,
        ],
        csv_rows=csv_rows,
        orientation="horizontal",
        bars=bars,
        height=height,
        baseline=baseline,
        caption=f"{rule_caption(aggregate)} {total} responses.{computed}",
        api_url=reverse("adoption-detail", kwargs={"year": year}) if aggregate else "",
        csv_query=f"?year={year}" if aggregate else "",
    )


@dataclass
class Report:
    """What the adoption page shows, prepared from the published aggregates (oldest first)."""

    aggregates: list[EditionAggregate]
    charts: list[Chart]

    @property
    def latest(self) -> EditionAggregate | None:
        return self.aggregates[-1] if self.aggregates else None

    @property
    def headline_cores(self) -> str:
        return format_cores(self.latest.total_cores) if self.latest else ""

    @property
    def headline_growth(self) -> str:
        return percent(self.latest.growth_percent, signed=True) if self.latest else ""

    def chart(self, name: str) -> Chart | None:
        return next((chart for chart in self.charts if chart.name == name), None)


def report(aggregates: Iterable[EditionAggregate], *, year: int | None = None) -> Report:
    """The page's charts: cores over every edition, then the breakdowns of `year` (the latest by default)."""
    aggregates = list(aggregates)
    latest = aggregates[-1] if aggregates else None
    if year is not None:
        latest = next((a for a in aggregates if a.edition.year == year), None)
    charts = [
        cores_chart(aggregates),
        segment_chart("industries", "Industries", "Industry", latest, latest.by_industry if latest else []),
        segment_chart(
            "deployment-types",
            "Deployment types",
            "Deployment type",
            latest,
            latest.by_deployment_type if latest else [],
        ),
    ]
    return Report(aggregates=aggregates, charts=charts)
