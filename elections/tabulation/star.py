"""STAR voting (Score Then Automatic Runoff) and Bloc STAR, as Equal Vote defines them.

Rule: each voter scores every candidate from 0 to 5 (a blank is 0). Scoring round: the scores are
added up and the two highest-scoring candidates are the finalists. Automatic runoff: each ballot goes
to the finalist it scored higher (equal scores: no preference); the finalist preferred on more ballots
wins. Bloc STAR (the several-seat form PEP 772 describes) repeats this among the candidates not yet
elected until every seat is filled.

Ties follow Equal Vote's Official Tiebreaker Protocol, then the election's published order:
- in the scoring round, among candidates tied for a finalist's place, the one preferred head to head
  more often (summed over every ballot and every other tied candidate: a ballot scoring B above C
  counts one for B) advances, then the one with more five-star scores, then the one earlier in the
  published tie-break order. Counting ballots rather than matchups won is what ``starvote`` does,
  and it settles a cycle among three tied candidates that a count of matchups leaves 1-1-1;
- in the runoff, a tie goes to the finalist with the higher score, then to the one with more
  five-star scores, then to the one earlier in the published tie-break order.
Each step that settled a tie is reported in the result.

Why not the ``starvote`` library: it is well kept and implements exactly these rules, but it returns
only the list of winners; the scoring and runoff tallies that the results page publishes exist only as
printed text, and its final tie-break is a hash of the ballots rather than an order published before
the vote. So the counting here is our own, and the tests check it against ``starvote`` on random
elections.
"""

import dataclasses
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence

from elections.tabulation.common import (
    InvalidBallot,
    Result,
    TieBreak,
    TieBreaker,
    check_candidates,
    check_count,
    check_known,
)

MAX_SCORE = 5
StarBallot = Mapping[str, int]

RULE_HEAD_TO_HEAD = "preferred head to head on more ballots among the tied candidates"
RULE_FIVE_STARS = "more ballots giving the maximum score"
RULE_HIGHER_SCORE = "the higher total score in the scoring round"


@dataclasses.dataclass(frozen=True)
class StarRound:
    """One seat: the scoring round among the remaining candidates, the runoff, and who was elected."""

    seat: int
    scores: dict[str, int]
    finalists: tuple[str, ...]
    runoff: dict[str, int]
    no_preference: int
    elected: str


@dataclasses.dataclass(frozen=True)
class StarResult(Result):
    max_score: int
    rounds: tuple[StarRound, ...]


def validate_star_ballot(ballot: StarBallot, candidates: Collection[str], max_score: int = MAX_SCORE) -> dict[str, int]:
    """A STAR ballot maps known candidates to whole scores from 0 to the maximum; a blank is 0."""
    if not isinstance(ballot, Mapping):
        raise InvalidBallot("A STAR ballot maps candidates to scores.", code="bad_ballot")
    given = {check_known(c, candidates): check_count(s, low=0, high=max_score, what="score") for c, s in ballot.items()}
    return {c: given.get(c, 0) for c in candidates}


def tabulate_star(
    candidates: Sequence[str], ballots: Iterable[StarBallot], *, tie_seed: str = "", max_score: int = MAX_SCORE
) -> StarResult:
    """Single-winner STAR: the two highest totals go to an automatic runoff; the preferred one wins."""
    return _tabulate(candidates, ballots, seats=1, tie_seed=tie_seed, max_score=max_score, method="star")


def tabulate_bloc_star(
    candidates: Sequence[str],
    ballots: Iterable[StarBallot],
    *,
    seats: int,
    tie_seed: str = "",
    max_score: int = MAX_SCORE,
) -> StarResult:
    """Bloc STAR: a STAR round among those not yet elected, once per seat."""
    return _tabulate(candidates, ballots, seats=seats, tie_seed=tie_seed, max_score=max_score, method="bloc_star")


def _tabulate(
    candidates: Sequence[str],
    ballots: Iterable[StarBallot],
    *,
    seats: int,
    tie_seed: str,
    max_score: int,
    method: str,
) -> StarResult:
    names = check_candidates(candidates, seats)
    scored = [validate_star_ballot(b, names, max_score) for b in ballots]
    ties = TieBreaker(names, tie_seed)
    fives = {c: sum(1 for b in scored if b[c] == max_score) for c in names}
    remaining = list(names)
    rounds: list[StarRound] = []
    while remaining and len(rounds) < seats:
        rounds.append(_round(len(rounds) + 1, remaining, scored, fives, ties))
        remaining.remove(rounds[-1].elected)
    return StarResult(
        method=method,
        seats=seats,
        candidates=names,
        ballots_counted=len(scored),
        winners=tuple(r.elected for r in rounds),
        **ties.reported(),
        max_score=max_score,
        rounds=tuple(rounds),
    )


def _prefer(scored: list[dict[str, int]], a: str, b: str) -> int:
    return sum(1 for ballot in scored if ballot[a] > ballot[b])


def _round(
    seat: int, remaining: list[str], scored: list[dict[str, int]], fives: dict[str, int], ties: TieBreaker
) -> StarRound:
    stage = f"seat {seat}"
    scores = {c: sum(b[c] for b in scored) for c in remaining}
    if len(remaining) == 1:
        return StarRound(seat, scores, tuple(remaining), {remaining[0]: 0}, 0, remaining[0])

    def head_to_head(c: str, group: Sequence[str]) -> int:
        return sum(_prefer(scored, c, o) for o in group if o != c)

    ordered = sorted(remaining, key=lambda c: (-scores[c], ties.position(c)))
    cut = scores[ordered[1]]
    sure = [c for c in ordered if scores[c] > cut]
    tied = [c for c in ordered if scores[c] == cut]
    steps: list[tuple[str, Callable[[str, Sequence[str]], int]]] = [
        (RULE_HEAD_TO_HEAD, head_to_head),
        (RULE_FIVE_STARS, lambda c, _g: fives[c]),
    ]
    finalists = sure + (_settle(tied, 2 - len(sure), steps, ties, f"{stage}: scoring round") if len(sure) < 2 else [])
    a, b = finalists
    runoff = {a: _prefer(scored, a, b), b: _prefer(scored, b, a)}
    no_preference = len(scored) - runoff[a] - runoff[b]
    if runoff[a] != runoff[b]:
        elected = a if runoff[a] > runoff[b] else b
    else:
        steps = [(RULE_HIGHER_SCORE, lambda c, _g: scores[c]), (RULE_FIVE_STARS, lambda c, _g: fives[c])]
        (elected,) = _settle([a, b], 1, steps, ties, f"{stage}: runoff")
    return StarRound(seat, scores, (a, b), runoff, no_preference, elected)


def _settle(
    group: list[str],
    count: int,
    steps: Sequence[tuple[str, Callable[[str, Sequence[str]], int]]],
    ties: TieBreaker,
    stage: str,
) -> list[str]:
    """Choose ``count`` of the tied ``group`` by the protocol's steps in turn, then the published order."""
    if count >= len(group):
        return list(group)
    if not steps:
        return ties.pick(group, count, stage)
    rule, key = steps[0]
    values = {c: key(c, group) for c in group}
    ordered = sorted(group, key=lambda c: (-values[c], ties.position(c)))
    cut = values[ordered[count - 1]]
    sure = [c for c in ordered if values[c] > cut]
    still = [c for c in ordered if values[c] == cut]
    here = len(ties.breaks)  # this step is reported before the later steps it hands over to
    if len(sure) + len(still) == count:
        chosen = sure + still
    else:
        chosen = sure + _settle(still, count - len(sure), steps[1:], ties, stage)
    ties.breaks.insert(here, TieBreak(stage=stage, tied=tuple(ordered), chosen=tuple(chosen), rule=rule))
    return chosen
