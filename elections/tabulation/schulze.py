"""The Schulze method (beatpath), ranked ballots, several seats by repeated removal of the winner.

Rule (Markus Schulze, "A new monotonic, clone-independent, reversal symmetric, and
Condorcet-consistent single-winner election method", 2011): a ballot ranks candidates, equal ranks
allowed; candidates left unranked share the last place. ``d[X][Y]`` counts the ballots ranking X above
Y. A link X→Y exists when ``d[X][Y] > d[Y][X]`` and has strength ``d[X][Y]`` (winning votes); a path is
as strong as its weakest link, and ``p[X][Y]`` is the strength of the strongest path (0 if none). X is a
potential winner when ``p[X][Y] >= p[Y][X]`` for every Y. For several seats the winner is elected,
removed, and the method is run again among the others, until the seats are filled.

Ties: when more than one candidate is a potential winner, the seat goes to the one earlier in the
election's published tie-break order (see ``common``); the result reports it.
"""

import dataclasses
from collections.abc import Collection, Iterable, Sequence

from elections.tabulation.common import InvalidBallot, Result, TieBreaker, check_candidates, check_known

# A ranked ballot: best first; an entry is a candidate or a group of candidates ranked equal.
RankedBallot = Sequence[str | Sequence[str]]
Matrix = dict[str, dict[str, int]]


@dataclasses.dataclass(frozen=True)
class SchulzeRound:
    """One seat: who remained, the strongest paths among them, the potential winners, who was elected."""

    seat: int
    remaining: tuple[str, ...]
    strongest_paths: Matrix
    potential_winners: tuple[str, ...]
    elected: str


@dataclasses.dataclass(frozen=True)
class SchulzeResult(Result):
    pairwise: Matrix
    strongest_paths: Matrix
    ranking: tuple[tuple[str, ...], ...]
    rounds: tuple[SchulzeRound, ...]


def validate_ranked_ballot(ballot: RankedBallot, candidates: Collection[str]) -> dict[str, int]:
    """A ranked ballot names known candidates at most once; returns each ranked candidate's rank (0 best)."""
    if isinstance(ballot, str | bytes) or not isinstance(ballot, Sequence):
        raise InvalidBallot("A ranked ballot is a list of candidates, best first.", code="bad_ballot")
    ranks: dict[str, int] = {}
    for rank, entry in enumerate(ballot):
        group = [entry] if isinstance(entry, str) else entry
        if isinstance(group, bytes) or not isinstance(group, Sequence) or not group:
            raise InvalidBallot("Each place on a ranked ballot holds one candidate or a group.", code="bad_ballot")
        for candidate in group:
            if check_known(candidate, candidates) in ranks:
                raise InvalidBallot(f"{candidate} is ranked more than once.", code="duplicate_candidate")
            ranks[candidate] = rank
    return ranks


def pairwise_matrix(candidates: Sequence[str], ballots: Iterable[RankedBallot]) -> tuple[Matrix, int]:
    """``d[X][Y]``: how many ballots rank X above Y (unranked candidates share the last place)."""
    d = {x: {y: 0 for y in candidates if y != x} for x in candidates}
    counted = 0
    for ballot in ballots:
        ranks = validate_ranked_ballot(ballot, d)
        last = len(candidates)
        for x in candidates:
            rx = ranks.get(x, last)
            for y in candidates:
                if x != y and rx < ranks.get(y, last):
                    d[x][y] += 1
        counted += 1
    return d, counted


def strongest_paths(d: Matrix, among: Sequence[str]) -> Matrix:
    """``p[X][Y]``: the strength of the strongest path from X to Y among ``among`` (winning votes)."""
    p = {x: {y: (d[x][y] if d[x][y] > d[y][x] else 0) for y in among if y != x} for x in among}
    for k in among:
        for i in among:
            if i == k:
                continue
            for j in among:
                if j not in (i, k):
                    p[i][j] = max(p[i][j], min(p[i][k], p[k][j]))
    return p


def potential_winners(p: Matrix, among: Sequence[str]) -> list[str]:
    """Candidates X with ``p[X][Y] >= p[Y][X]`` for every other Y (there is always at least one)."""
    return [x for x in among if all(p[x][y] >= p[y][x] for y in among if y != x)]


def schulze_ranking(p: Matrix, among: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    """Schulze's order: X above Y when ``p[X][Y] > p[Y][X]``; candidates neither above the other share a place."""
    beaten = {x: sum(1 for y in among if y != x and p[x][y] > p[y][x]) for x in among}
    places = sorted(set(beaten.values()), reverse=True)
    return tuple(tuple(x for x in among if beaten[x] == n) for n in places)


def tabulate_schulze(
    candidates: Sequence[str], ballots: Iterable[RankedBallot], *, seats: int = 1, tie_seed: str = ""
) -> SchulzeResult:
    """Elect the Schulze winner, remove them, and repeat until the seats are filled."""
    names = check_candidates(candidates, seats)
    d, counted = pairwise_matrix(names, ballots)
    ties = TieBreaker(names, tie_seed)
    full = strongest_paths(d, names)
    remaining = list(names)
    rounds: list[SchulzeRound] = []
    while remaining and len(rounds) < seats:
        seat = len(rounds) + 1
        p = full if len(remaining) == len(names) else strongest_paths(d, remaining)
        best = potential_winners(p, remaining)
        elected = best[0] if len(best) == 1 else ties.pick(best, 1, f"seat {seat}: potential winners")[0]
        rounds.append(SchulzeRound(seat, tuple(remaining), p, tuple(best), elected))
        remaining.remove(elected)
    return SchulzeResult(
        method="schulze",
        seats=seats,
        candidates=names,
        ballots_counted=counted,
        winners=tuple(r.elected for r in rounds),
        **ties.reported(),
        pairwise=d,
        strongest_paths=full,
        ranking=schulze_ranking(full, names),
        rounds=tuple(rounds),
    )
