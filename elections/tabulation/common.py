"""What every tabulator shares: the ballot error, the result base, and the tie-break rule.

The tie-break rule is stated before the vote: each election publishes a seed; the candidates are put in
the order of ``sha256(seed + "/" + candidate)`` (hex, ascending, candidate id as the final key), and a
tie that the method's own rules leave open goes to the candidate earlier in that order. With an empty
seed the order is the order of the candidates on the ballot paper. Every tie broken this way is
reported in the result, so anyone recounting gets the same winners for the same reason.
"""

import dataclasses
import hashlib
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from portal.core.exceptions import ApplicationError

B = TypeVar("B")

TIE_RULE_SEEDED = "the seeded order: sha256(seed + '/' + candidate), ascending; the earlier candidate wins"
TIE_RULE_PAPER = "the order of the candidates on the ballot paper; the earlier candidate wins"


class InvalidBallot(ApplicationError):
    """A ballot that the method cannot count: an unknown candidate, a score out of range, too many votes."""

    code = "invalid_ballot"


@dataclasses.dataclass(frozen=True)
class TieBreak:
    """One tie the method's own rules left open, who was in it, and who it went to."""

    stage: str
    tied: tuple[str, ...]
    chosen: tuple[str, ...]
    rule: str


@dataclasses.dataclass(frozen=True)
class Result:
    """The fields every method reports; subclasses add their tallies."""

    method: str
    seats: int
    candidates: tuple[str, ...]
    ballots_counted: int
    winners: tuple[str, ...]
    tie_rule: str
    tie_order: tuple[str, ...]
    tie_breaks: tuple[TieBreak, ...]

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON-ready data (lists, dicts, strings and integers)."""
        return _plain(dataclasses.asdict(self))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def check_candidates(candidates: Sequence[str], seats: int) -> tuple[str, ...]:
    """Candidates are distinct non-empty strings and there is at least one seat."""
    names = tuple(candidates)
    if not names:
        raise InvalidBallot("An election needs at least one candidate.", code="no_candidates")
    if len(set(names)) != len(names) or not all(isinstance(c, str) and c for c in names):
        raise InvalidBallot("Candidates must be distinct, non-empty names.", code="bad_candidates")
    if not isinstance(seats, int) or seats < 1:
        raise InvalidBallot("An election fills at least one seat.", code="bad_seats")
    return names


def check_known(candidate: object, known: Iterable[str]) -> str:
    """A ballot may only name the election's candidates."""
    if not isinstance(candidate, str) or candidate not in known:
        raise InvalidBallot(f"The ballot names {candidate!r}, who is not a candidate.", code="unknown_candidate")
    return candidate


def check_count(value: object, *, low: int, high: int, what: str) -> int:
    """Scores and vote counts are whole numbers within the method's range (booleans are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidBallot(f"A {what} must be a whole number from {low} to {high}, not {value!r}.", code="bad_value")
    return value


class TieBreaker:
    """The published order that settles ties, and the record of each tie it settled."""

    def __init__(self, candidates: Sequence[str], seed: str) -> None:
        self.seed = seed
        if seed:
            self.rule = TIE_RULE_SEEDED
            digest = {c: hashlib.sha256(f"{seed}/{c}".encode()).hexdigest() for c in candidates}
            self.order: tuple[str, ...] = tuple(sorted(candidates, key=lambda c: (digest[c], c)))
        else:
            self.rule = TIE_RULE_PAPER
            self.order = tuple(candidates)
        self._position = {c: i for i, c in enumerate(self.order)}
        self.breaks: list[TieBreak] = []

    def position(self, candidate: str) -> int:
        return self._position[candidate]

    def reported(self) -> dict[str, Any]:
        """What every Result says of the ties: the rule, the published order, the ties it settled."""
        return {"tie_rule": self.rule, "tie_order": self.order, "tie_breaks": tuple(self.breaks)}

    def pick(self, tied: Sequence[str], count: int, stage: str, rule: str | None = None) -> list[str]:
        """The first ``count`` of ``tied`` in the published order, recorded as a tie-break."""
        ordered = sorted(tied, key=self.position)
        chosen = ordered[:count]
        self.breaks.append(TieBreak(stage=stage, tied=tuple(ordered), chosen=tuple(chosen), rule=rule or self.rule))
        return chosen


def top(scores: dict[str, int], count: int, ties: TieBreaker, stage: str) -> list[str]:
    """The ``count`` highest-scoring candidates; a tie across the cut-off goes by the published order."""
    ordered = sorted(scores, key=lambda c: (-scores[c], ties.position(c)))
    if count >= len(ordered):
        return ordered
    cut = scores[ordered[count - 1]]
    sure = [c for c in ordered if scores[c] > cut]
    tied = [c for c in ordered if scores[c] == cut]
    if len(sure) + len(tied) == count:
        return sure + tied
    return sure + ties.pick(tied, count - len(sure), stage)


def count_points(
    names: tuple[str, ...],
    ballots: Iterable[B],
    points: Callable[[B, Collection[str]], Mapping[str, int]],
    *,
    seats: int,
    tie_seed: str,
    stage: str,
) -> tuple[dict[str, int], dict[str, Any]]:
    """Add up the points each valid ballot gives; the ``seats`` candidates with the most win.

    ``points`` checks one ballot against the candidates and says what it gives each. Returns the
    totals and the fields every result has (seats, candidates, ballots counted, winners, tie-breaks)."""
    totals = dict.fromkeys(names, 0)
    counted = 0
    for ballot in ballots:
        for candidate, given in points(ballot, totals).items():
            totals[candidate] += given
        counted += 1
    ties = TieBreaker(names, tie_seed)
    winners = top(totals, seats, ties, stage)
    return totals, {
        "seats": seats,
        "candidates": names,
        "ballots_counted": counted,
        "winners": tuple(winners),
        **ties.reported(),
    }
