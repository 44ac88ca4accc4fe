"""Approval voting: each voter approves any number of candidates; the most approved fill the seats.

Rule: one point per approval; the ``seats`` candidates with the most approvals win. A tie across the
last seat goes by the election's published tie-break order (see ``common``). An empty ballot is
counted (it approves nobody).
"""

import dataclasses
from collections.abc import Collection, Iterable, Mapping, Sequence

from elections.tabulation.common import InvalidBallot, Result, check_candidates, check_known, count_points

ApprovalBallot = Collection[str]


@dataclasses.dataclass(frozen=True)
class ApprovalResult(Result):
    approvals: dict[str, int]


def validate_approval_ballot(ballot: ApprovalBallot, candidates: Collection[str]) -> list[str]:
    """An approval ballot lists known candidates, each at most once."""
    if isinstance(ballot, str | bytes | Mapping) or not isinstance(ballot, Iterable):
        raise InvalidBallot("An approval ballot is a list of candidates.", code="bad_ballot")
    approved = [check_known(c, candidates) for c in ballot]
    if len(set(approved)) != len(approved):
        raise InvalidBallot("A candidate is approved at most once on a ballot.", code="duplicate_candidate")
    return approved


def tabulate_approval(
    candidates: Sequence[str], ballots: Iterable[ApprovalBallot], *, seats: int = 1, tie_seed: str = ""
) -> ApprovalResult:
    """The most approved candidates win; ties by the published order."""
    names = check_candidates(candidates, seats)
    approvals, fields = count_points(
        names,
        ballots,
        lambda ballot, known: dict.fromkeys(validate_approval_ballot(ballot, known), 1),
        seats=seats,
        tie_seed=tie_seed,
        stage="approvals",
    )
    return ApprovalResult(method="approval", **fields, approvals=approvals)
