"""The ballot paper as a plain HTML form (no JavaScript): read the posted fields into a ballot's content."""

from collections.abc import Mapping, Sequence
from typing import Any

from elections.models import Candidate, Election
from elections.tabulation import InvalidBallot


def _whole(value: str, what: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise InvalidBallot(f"{what} must be a whole number.", code="bad_value") from None


def ballot_from_post(election: Election, paper: Sequence[Candidate], data: Mapping[str, Any]) -> Any:
    """The ballot's content in the method's shape; the service validates it by the counting rules."""
    method = election.method
    if method == Election.Method.APPROVAL:
        return list(data.getlist("approve")) if hasattr(data, "getlist") else list(data.get("approve", []))
    if method in (Election.Method.STAR, Election.Method.BLOC_STAR):
        return {c.slug: _whole(data.get(f"score-{c.slug}") or "0", f"The score for {c.name}") for c in paper}
    if method == Election.Method.CUMULATIVE:
        given = {c.slug: _whole(data.get(f"votes-{c.slug}") or "0", f"The votes for {c.name}") for c in paper}
        return {slug: n for slug, n in given.items() if n}
    if method == Election.Method.SCHULZE:
        ranks: dict[int, list[str]] = {}
        for c in paper:
            value = (data.get(f"rank-{c.slug}") or "").strip()
            if value:
                ranks.setdefault(_whole(value, f"The rank for {c.name}"), []).append(c.slug)
        return [group[0] if len(group) == 1 else group for _, group in sorted(ranks.items())]
    raise ValueError(f"Unknown voting method {method!r}")
