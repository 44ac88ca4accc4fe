"""Pure arithmetic of the published figures: rows in, privacy-safe breakdowns out.

No database here, so the rules (folding, suppression, growth) can be checked against hand-computed
numbers and generated editions. The disclosure rule itself lives in `disclosure`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from django_countries import countries

from portal.adoption.disclosure import Cell, Rule, protect
from portal.adoption.models import OTHER, DeploymentType, Project
from portal.core.industries import Industry

OTHER_LABEL = "Other"


def cells(
    rows: list[Mapping], keys_of: Callable[[Mapping], Iterable[str]], label_of: Callable[[str], str], *, rule: Rule
) -> list[Cell]:
    """The answers per segment; segments under the rule's minimum are folded into one "other" cell.

    A row may belong to several segments (projects used); "other" holds each row once.
    """
    members: dict[str, set[int]] = defaultdict(set)
    for index, row in enumerate(rows):
        for key in keys_of(row):
            members[key].add(index)
    kept: list[Cell] = []
    other_rows: set[int] = set()
    for key, indexes in members.items():
        if key == OTHER or len(indexes) < rule.min_segment:
            other_rows |= indexes
        else:
            kept.append(Cell(key, label_of(key), frozenset(indexes)))
    if other_rows:
        kept.append(Cell(OTHER, OTHER_LABEL, frozenset(other_rows)))
    return kept


def breakdown(
    rows: Iterable[Mapping],
    keys_of: Callable[[Mapping], Iterable[str]],
    label_of: Callable[[str], str],
    *,
    rule: Rule,
    partition: bool = True,
) -> list[dict]:
    """Responses and cores per segment, with every figure the rule withholds set to None and explained."""
    rows = list(rows)
    segments = cells(rows, keys_of, label_of, rule=rule)
    return protect(segments, [row["cores"] for row in rows], rule=rule, partition=partition, other_key=OTHER)


def growth_percent(total: int, previous: int | None) -> Decimal | None:
    """Year-over-year growth in percent, one decimal; None without a previous figure to compare."""
    if not previous:
        return None
    return (Decimal(total - previous) * 100 / Decimal(previous)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def consenting_public_clouds(rows: Iterable[Mapping], *, published_countries: set[str]) -> list[dict]:
    """Providers that agreed to be listed: one entry per name, with their regions.

    The listing (name, regions) is what the provider agreed to; its country is an answer like any
    other, so it is shown only when that country is itself a published segment (else None).
    """
    clouds: dict[str, dict] = {}
    country_votes: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        name = (row.get("public_cloud_name") or "").strip()
        if not (row.get("public_cloud_listed") and name):
            continue
        key = name.casefold()
        entry = clouds.setdefault(key, {"name": name, "regions": []})
        region = (row.get("public_cloud_region") or "").strip()
        if region and region not in entry["regions"]:
            entry["regions"].append(region)
        country_votes[key][str(row.get("country") or "")] += 1
    result = []
    for key, entry in clouds.items():
        country = country_votes[key].most_common(1)[0][0]
        result.append(
            {
                **entry,
                "regions": sorted(entry["regions"]),
                "country": country if country in published_countries else None,
            }
        )
    return sorted(result, key=lambda cloud: cloud["name"].casefold())


def _label(choices) -> Callable[[str], str]:
    labels = dict(choices)
    return lambda key: labels.get(key, key)


def _country_label(code: str) -> str:
    return countries.name(code) or code


def withheld_reason(rows: Iterable[Mapping], *, rule: Rule) -> str:
    """Why a whole edition may not be published ("" when it may): too few answers, or one dominates."""
    cores = [row["cores"] for row in rows]
    if len(cores) < rule.min_segment:
        return rule.too_few
    if not rule.sum_ok(frozenset(range(len(cores))), cores):
        return rule.dominated
    return ""


def figures(rows: Iterable[Mapping], *, previous_total: int | None, rule: Rule) -> dict:
    """Every published figure of one edition from its approved rows (dicts of response fields)."""
    rows = list(rows)
    total = sum(row["cores"] for row in rows)
    by_country = breakdown(rows, lambda row: [str(row["country"])], _country_label, rule=rule)
    published_countries = {s["key"] for s in by_country if s["responses"] is not None and s["key"] != OTHER}
    reason = withheld_reason(rows, rule=rule)
    return {
        "published": not reason,
        "withheld_reason": reason,
        "min_segment_size": rule.min_segment,
        "dominance_share": rule.dominance_share,
        "sample_size": len(rows),
        "total_cores": total,
        "total_deployments": sum(row["deployments"] for row in rows),
        "previous_total_cores": previous_total or None,
        "growth_percent": growth_percent(total, previous_total),
        "by_industry": breakdown(rows, lambda row: [row["industry"]], _label(Industry.choices), rule=rule),
        "by_country": by_country,
        "by_deployment_type": breakdown(
            rows, lambda row: [row["deployment_type"]], _label(DeploymentType.choices), rule=rule
        ),
        "by_project": breakdown(
            rows, lambda row: dict.fromkeys(row["projects"] or []), _label(Project.choices), rule=rule, partition=False
        ),
        "public_clouds": consenting_public_clouds(rows, published_countries=published_countries),
    }
