"""The disclosure rule of the published survey figures: which counts and sums may be shown.

Pure arithmetic on sets of answers (row indexes), so it can be checked exhaustively by tests:

- a count is published only when it rests on at least `min_segment` answers;
- a sum of cores only when, in addition, no single answer makes up more than `dominance_share` of it;
- complementary suppression: more segments are withheld until nothing hidden can be derived, neither
  as the total minus the published parts of a breakdown, nor as one published figure minus others
  it contains (a project used by all but one answer, say).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations

from django.conf import settings

# Families of published parts are enumerated for breakdowns that overlap (projects), so those stay small.
MAX_OVERLAPPING_CELLS = 12


@dataclass(frozen=True)
class Rule:
    """The thresholds one computation applied; stored with the figures as their provenance."""

    min_segment: int = 5
    dominance_share: Decimal = Decimal("0.6")

    @property
    def too_few(self) -> str:
        return f"fewer than {self.min_segment} responses"

    @property
    def dominated(self) -> str:
        return f"one response makes up more than {self.dominance_share * 100:.0f} % of the cores"

    complementary = "withheld so that another suppressed figure cannot be derived from the published ones"

    @property
    def description(self) -> str:
        return (
            f"A segment is published only when at least {self.min_segment} responses fall in it, and its cores "
            f"only when no single response makes up more than {self.dominance_share * 100:.0f} % of them; "
            'smaller segments are counted under "other", which obeys the same rule. Where a suppressed figure '
            "could be derived from the total or from other published figures, the next smallest segment is "
            "suppressed too. An edition is published only once it has closed, with at least "
            f"{self.min_segment} responses and no response making up more than "
            f"{self.dominance_share * 100:.0f} % of its cores."
        )

    def as_dict(self) -> dict:
        return {
            "min_segment_responses": self.min_segment,
            "dominance_share": float(self.dominance_share),
            "description": self.description,
        }

    def count_ok(self, rows: frozenset[int]) -> bool:
        """Nothing, or at least `min_segment` answers."""
        return not rows or len(rows) >= self.min_segment

    def sum_ok(self, rows: frozenset[int], cores: Sequence[int]) -> bool:
        """Nothing, or enough answers none of which dominates the sum."""
        if not rows:
            return True
        values = [cores[i] for i in rows]
        return len(rows) >= self.min_segment and Decimal(max(values)) <= self.dominance_share * sum(values)


def current_rule() -> Rule:
    """The rule the settings ask for (ADOPTION_MIN_SEGMENT, ADOPTION_DOMINANCE_SHARE)."""
    return Rule(
        min_segment=int(getattr(settings, "ADOPTION_MIN_SEGMENT", 5)),
        dominance_share=Decimal(str(getattr(settings, "ADOPTION_DOMINANCE_SHARE", "0.6"))),
    )


@dataclass(frozen=True)
class Cell:
    """One segment of a breakdown: its key, label and the answers (row indexes) in it."""

    key: str
    label: str
    rows: frozenset[int]


def _next_to_hide(cells: Sequence[Cell], hidden: set[int], everyone: frozenset[int], ok, partition: bool):
    """The published cell to withhold next so that no derivable set of answers breaks the rule, or None."""
    published = [i for i in range(len(cells)) if i not in hidden]

    def smallest(indexes: Iterable[int]) -> int:
        return min(indexes, key=lambda i: (len(cells[i].rows), cells[i].key))

    if partition:
        # The parts are disjoint: the total minus every published part is what is hidden.
        shown = frozenset().union(*(cells[i].rows for i in published))
        if published and not ok(everyone - shown):
            return smallest(published)
        return None
    # Overlapping parts: a published set minus any disjoint family of published sets inside it.
    if len(published) > MAX_OVERLAPPING_CELLS:
        raise ValueError("Too many overlapping segments to check for derivable figures.")
    containers = [everyone] + [cells[i].rows for i in published]
    for outer in containers:
        inner = [i for i in published if cells[i].rows < outer]
        for size in range(1, len(inner) + 1):
            for family in combinations(inner, size):
                sets = [cells[i].rows for i in family]
                union = frozenset().union(*sets)
                if sum(len(s) for s in sets) != len(union):
                    continue  # not disjoint: their sum counts some answers twice
                if not ok(outer - union):
                    return smallest(family)
    return None


def _suppress(cells, hidden: set[int], everyone, ok, partition: bool) -> set[int]:
    hidden = set(hidden)
    while (index := _next_to_hide(cells, hidden, everyone, ok, partition)) is not None:
        hidden.add(index)
    return hidden


def protect(
    cells: Sequence[Cell], cores: Sequence[int], *, rule: Rule, partition: bool, other_key: str = "other"
) -> list[dict]:
    """Publishable rows of one breakdown: {"key", "label", "responses", "cores", "suppressed", "reason"}.

    `partition` says each answer falls in exactly one cell (industry, country); projects overlap.
    A withheld figure is None; the published cells come first, largest first, "other" last.
    """
    everyone = frozenset(range(len(cores)))

    def count_ok(rows):
        return rule.count_ok(rows)

    def sum_ok(rows):
        return rule.sum_ok(rows, cores)

    few = {i for i, cell in enumerate(cells) if not count_ok(cell.rows)}
    hidden_counts = _suppress(cells, few, everyone, count_ok, partition)
    dominated = {i for i, cell in enumerate(cells) if not sum_ok(cell.rows)} - hidden_counts
    hidden_sums = _suppress(cells, hidden_counts | dominated, everyone, sum_ok, partition)

    result = []
    for index, cell in enumerate(cells):
        if index in few:
            reason = rule.too_few
        elif index in dominated:
            reason = rule.dominated
        elif index in hidden_sums:
            reason = rule.complementary
        else:
            reason = None
        result.append(
            {
                "key": cell.key,
                "label": cell.label,
                "responses": None if index in hidden_counts else len(cell.rows),
                "cores": None if index in hidden_sums else sum(cores[i] for i in cell.rows),
                "suppressed": reason is not None,
                "reason": reason,
            }
        )

    def order(segment: dict):
        if segment["key"] == other_key:
            return (2, 0, "")
        if segment["responses"] is None:
            return (1, 0, segment["label"])
        return (0, -segment["responses"], segment["label"])

    return sorted(result, key=order)
