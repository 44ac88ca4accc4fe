"""Counting the ballots: one pure function per voting method, and ``tabulate`` to pick one by name.

Each tabulator takes the candidates (ids, in ballot-paper order), an iterable of ballots, the number
of seats and the election's published tie-break seed, and returns a frozen result whose ``to_dict()``
is what the results page, the API and a recount publish. None of them reads the database.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from elections.tabulation.approval import ApprovalResult, tabulate_approval, validate_approval_ballot
from elections.tabulation.common import InvalidBallot, Result, TieBreak
from elections.tabulation.cumulative import CumulativeResult, tabulate_cumulative, validate_cumulative_ballot
from elections.tabulation.schulze import SchulzeResult, tabulate_schulze, validate_ranked_ballot
from elections.tabulation.star import MAX_SCORE, StarResult, tabulate_bloc_star, tabulate_star, validate_star_ballot

METHODS = ("approval", "star", "bloc_star", "schulze", "cumulative")


def tabulate(method: str, candidates: Sequence[str], ballots: Iterable[Any], *, seats: int, tie_seed: str) -> Result:
    """Count ``ballots`` by ``method`` (one of ``METHODS``)."""
    if method == "approval":
        return tabulate_approval(candidates, ballots, seats=seats, tie_seed=tie_seed)
    if method == "star":
        if seats != 1:
            raise InvalidBallot("STAR elects one candidate; use Bloc STAR for several seats.", code="bad_seats")
        return tabulate_star(candidates, ballots, tie_seed=tie_seed)
    if method == "bloc_star":
        return tabulate_bloc_star(candidates, ballots, seats=seats, tie_seed=tie_seed)
    if method == "schulze":
        return tabulate_schulze(candidates, ballots, seats=seats, tie_seed=tie_seed)
    if method == "cumulative":
        return tabulate_cumulative(candidates, ballots, seats=seats, tie_seed=tie_seed)
    raise ValueError(f"Unknown voting method {method!r}")


def validate_ballot(method: str, ballot: Any, candidates: Sequence[str], *, seats: int) -> Any:
    """Check one ballot before it is stored, by the same rules the count applies; return it normalised."""
    if method == "approval":
        return sorted(validate_approval_ballot(ballot, candidates))
    if method in ("star", "bloc_star"):
        return validate_star_ballot(ballot, candidates)
    if method == "schulze":
        validate_ranked_ballot(ballot, candidates)
        return [entry if isinstance(entry, str) else list(entry) for entry in ballot]
    if method == "cumulative":
        return validate_cumulative_ballot(ballot, candidates, seats)
    raise ValueError(f"Unknown voting method {method!r}")


__all__ = [
    "MAX_SCORE",
    "METHODS",
    "ApprovalResult",
    "CumulativeResult",
    "InvalidBallot",
    "Result",
    "SchulzeResult",
    "StarResult",
    "TieBreak",
    "tabulate",
    "tabulate_approval",
    "tabulate_bloc_star",
    "tabulate_cumulative",
    "tabulate_schulze",
    "tabulate_star",
    "validate_ballot",
]
