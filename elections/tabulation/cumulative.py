"""Cumulative voting: each voter has as many votes as there are seats, to spread or to pile up.

Rule (the one OpenInfra uses for its Individual Directors): a ballot gives each candidate a whole
number of votes, at least 0, together at most ``votes_per_voter`` (by default the number of seats;
fewer is allowed, the rest is abstention). The ``seats`` candidates with the most votes win. A tie
across the last seat goes by the election's published tie-break order (see ``common``).
"""

import dataclasses
from collections.abc import Collection, Iterable, Mapping, Sequence

from elections.tabulation.common import (
    InvalidBallot,
    Result,
    check_candidates,
    check_count,
    check_known,
    count_points,
)

CumulativeBallot = Mapping[str, int]


@dataclasses.dataclass(frozen=True)
class CumulativeResult(Result):
    votes_per_voter: int
    votes: dict[str, int]


def validate_cumulative_ballot(
    ballot: CumulativeBallot, candidates: Collection[str], votes_per_voter: int
) -> dict[str, int]:
    """A cumulative ballot maps known candidates to whole votes, together no more than the voter has."""
    if not isinstance(ballot, Mapping):
        raise InvalidBallot("A cumulative ballot maps candidates to votes.", code="bad_ballot")
    given = {
        check_known(c, candidates): check_count(v, low=0, high=votes_per_voter, what="number of votes")
        for c, v in ballot.items()
    }
    if sum(given.values()) > votes_per_voter:
        raise InvalidBallot(
            f"A ballot gives at most {votes_per_voter} votes in all, not {sum(given.values())}.", code="too_many_votes"
        )
    return given


def tabulate_cumulative(
    candidates: Sequence[str],
    ballots: Iterable[CumulativeBallot],
    *,
    seats: int = 1,
    tie_seed: str = "",
    votes_per_voter: int | None = None,
) -> CumulativeResult:
    """The candidates with the most votes win; each voter has ``seats`` votes unless told otherwise."""
    names = check_candidates(candidates, seats)
    allowance = seats if votes_per_voter is None else votes_per_voter
    votes, fields = count_points(
        names,
        ballots,
        lambda ballot, known: validate_cumulative_ballot(ballot, known, allowance),
        seats=seats,
        tie_seed=tie_seed,
        stage="votes",
    )
    return CumulativeResult(method="cumulative", **fields, votes_per_voter=allowance, votes=votes)
