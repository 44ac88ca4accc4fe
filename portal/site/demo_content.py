"""The demo foundation's facts, as data the loader turns into rows and pages.

The facts live in `demo_content.json` (names of companies and people are fictional); this module reads
them once and gives dates and money their types.
"""

import datetime
import json
from decimal import Decimal
from pathlib import Path

_FACTS = json.loads(Path(__file__).with_name("demo_content.json").read_text(encoding="utf-8"))

HOME: dict = _FACTS["HOME"]
WHY_OPEN_INFRASTRUCTURE: dict = _FACTS["WHY_OPEN_INFRASTRUCTURE"]
WHY_ORGANISATIONS_CHOOSE: dict = _FACTS["WHY_ORGANISATIONS_CHOOSE"]
AIMS: dict = _FACTS["AIMS"]
FOUR_OPENS: list = _FACTS["FOUR_OPENS"]
STACK: list = _FACTS["STACK"]
PROJECTS: list[dict] = [
    {**spec, "latest_release_date": datetime.date.fromisoformat(spec["latest_release_date"])}
    for spec in _FACTS["PROJECTS"]
]
TIERS: list[dict] = [{**spec, "annual_fee": Decimal(spec["annual_fee"])} for spec in _FACTS["TIERS"]]
# (name, tier slug, country, sector, description, member since)
ORGANIZATIONS: list[tuple] = [tuple(row) for row in _FACTS["ORGANIZATIONS"]]
# A former member: its membership has ended, so the directory does not show it.
FORMER_MEMBER: tuple = tuple(_FACTS["FORMER_MEMBER"])
# Which members contribute to which project (by organisation slug).
CONTRIBUTORS: dict[str, list[str]] = _FACTS["CONTRIBUTORS"]
NEWS: list[dict] = [{**spec, "date": datetime.date.fromisoformat(spec["date"])} for spec in _FACTS["NEWS"]]
FOOTER_LINKS: list[tuple[str, str]] = [tuple(link) for link in _FACTS["FOOTER_LINKS"]]  # type: ignore[misc]
SITE_SETTINGS: dict = _FACTS["SITE_SETTINGS"]
# The index pages under home, by slug: their title, slug, intro and search description.
SECTION_PAGES: dict[str, dict] = _FACTS["SECTION_PAGES"]
