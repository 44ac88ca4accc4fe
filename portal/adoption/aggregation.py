"""Pure arithmetic of the published figures: rows in, privacy-safe breakdowns out.

No database here, so the rules (folding, growth) can be checked against hand-computed numbers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from django_countries import countries

from portal.adoption.models import MIN_SEGMENT_SIZE, OTHER, DeploymentType, Project
from portal.core.industries import Industry

OTHER_LABEL = "Other"


def breakdown(
    rows: Iterable[Mapping],
    keys_of: Callable[[Mapping], Iterable[str]],
    label_of: Callable[[str], str],
    *,
    min_size: int = MIN_SEGMENT_SIZE,
) -> list[dict]:
    """Responses and cores per segment; segments under `min_size` responses are folded into "other".

    A row may belong to several segments (projects used); "other" counts each row once.
    Largest segments first, "other" last; an empty "other" is left out.
    """
    rows = list(rows)
    members: dict[str, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        for key in dict.fromkeys(keys_of(row)):  # each segment once per row, order kept
            members[key].append(index)
    kept: list[dict] = []
    other_rows: set[int] = set()
    for key, indexes in members.items():
        if key == OTHER or len(indexes) < min_size:
            other_rows.update(indexes)
        else:
            kept.append(
                {
                    "key": key,
                    "label": label_of(key),
                    "responses": len(indexes),
                    "cores": sum(rows[i]["cores"] for i in indexes),
                }
            )
    kept.sort(key=lambda segment: (-segment["responses"], -segment["cores"], segment["label"]))
    if other_rows:
        kept.append(
            {
                "key": OTHER,
                "label": OTHER_LABEL,
                "responses": len(other_rows),
                "cores": sum(rows[i]["cores"] for i in other_rows),
            }
        )
    return kept


def growth_percent(total: int, previous: int | None) -> Decimal | None:
    """Year-over-year growth in percent, one decimal; None without a previous figure to compare."""
    if not previous:
        return None
    return (Decimal(total - previous) * 100 / Decimal(previous)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def consenting_public_clouds(rows: Iterable[Mapping]) -> list[dict]:
    """Providers that agreed to be listed: one entry per name, with their regions and country."""
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
        result.append({**entry, "regions": sorted(entry["regions"]), "country": country})
    return sorted(result, key=lambda cloud: cloud["name"].casefold())


def _label(choices) -> Callable[[str], str]:
    labels = dict(choices)
    return lambda key: labels.get(key, key)


def _country_label(code: str) -> str:
    return countries.name(code) or code


def figures(rows: Iterable[Mapping], *, previous_total: int | None) -> dict:
    """Every published figure of one edition from its approved rows (dicts of response fields)."""
    rows = list(rows)
    total = sum(row["cores"] for row in rows)
    return {
        "sample_size": len(rows),
        "total_cores": total,
        "total_deployments": sum(row["deployments"] for row in rows),
        "previous_total_cores": previous_total or None,
        "growth_percent": growth_percent(total, previous_total),
        "by_industry": breakdown(rows, lambda row: [row["industry"]], _label(Industry.choices)),
        "by_country": breakdown(rows, lambda row: [str(row["country"])], _country_label),
        "by_deployment_type": breakdown(rows, lambda row: [row["deployment_type"]], _label(DeploymentType.choices)),
        "by_project": breakdown(rows, lambda row: row["projects"] or [], _label(Project.choices)),
        "public_clouds": consenting_public_clouds(rows),
    }
