"""Properties every tabulator keeps, on random elections; STAR checked against the starvote library."""

import random

import starvote
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from elections.tabulation import (
    tabulate_approval,
    tabulate_bloc_star,
    tabulate_cumulative,
    tabulate_schulze,
    tabulate_star,
)

CANDIDATES = ["Ada", "Bo", "Cy", "Di", "Ed"]
names = st.integers(min_value=2, max_value=5).map(lambda n: CANDIDATES[:n])
seeds = st.sampled_from(["", "seed-1", "board 2026"])
PROPERTY_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def star_election(draw):
    cands = draw(names)
    ballot = st.fixed_dictionaries({c: st.integers(0, 5) for c in cands})
    return cands, draw(st.lists(ballot, min_size=1, max_size=25))


@st.composite
def ranked_election(draw):
    cands = draw(names)
    ballot = st.permutations(cands).flatmap(lambda order: st.integers(1, len(order)).map(lambda k: list(order[:k])))
    return cands, draw(st.lists(ballot, min_size=1, max_size=25))


@st.composite
def approval_election(draw):
    cands = draw(names)
    return cands, draw(st.lists(st.lists(st.sampled_from(cands), unique=True), min_size=1, max_size=25))


@st.composite
def cumulative_election(draw):
    cands = draw(names)
    seats = draw(st.integers(1, len(cands)))

    @st.composite
    def ballot(draw2):
        left, given_votes = seats, {}
        for c in cands:
            n = draw2(st.integers(0, left))
            if n:
                given_votes[c] = n
            left -= n
        return given_votes

    return cands, seats, draw(st.lists(ballot(), min_size=1, max_size=25))


def shuffled(ballots, seed):
    copy = list(ballots)
    random.Random(seed).shuffle(copy)
    return copy


@PROPERTY_SETTINGS
@given(star_election(), seeds, st.integers(0, 1000))
def test_star_is_deterministic_and_ignores_ballot_order(election, seed, shuffle):
    cands, ballots = election
    seats = min(2, len(cands))
    once = tabulate_bloc_star(cands, ballots, seats=seats, tie_seed=seed)
    assert once == tabulate_bloc_star(cands, ballots, seats=seats, tie_seed=seed)
    assert once == tabulate_bloc_star(cands, shuffled(ballots, shuffle), seats=seats, tie_seed=seed)


@PROPERTY_SETTINGS
@given(ranked_election(), seeds, st.integers(0, 1000))
def test_schulze_is_deterministic_and_ignores_ballot_order(election, seed, shuffle):
    cands, ballots = election
    once = tabulate_schulze(cands, ballots, seats=2, tie_seed=seed)
    assert once == tabulate_schulze(cands, ballots, seats=2, tie_seed=seed)
    assert once == tabulate_schulze(cands, shuffled(ballots, shuffle), seats=2, tie_seed=seed)


@PROPERTY_SETTINGS
@given(approval_election(), seeds, st.integers(0, 1000))
def test_approval_is_deterministic_and_ignores_ballot_order(election, seed, shuffle):
    cands, ballots = election
    once = tabulate_approval(cands, ballots, seats=2, tie_seed=seed)
    assert once == tabulate_approval(cands, shuffled(ballots, shuffle), seats=2, tie_seed=seed)


@PROPERTY_SETTINGS
@given(cumulative_election(), seeds, st.integers(0, 1000))
def test_cumulative_is_deterministic_and_ignores_ballot_order(election, seed, shuffle):
    cands, seats, ballots = election
    once = tabulate_cumulative(cands, ballots, seats=seats, tie_seed=seed)
    assert once == tabulate_cumulative(cands, shuffled(ballots, shuffle), seats=seats, tie_seed=seed)
    assert len(once.winners) == seats


@PROPERTY_SETTINGS
@given(ranked_election(), seeds)
def test_a_condorcet_winner_always_wins_schulze(election, seed):
    cands, ballots = election
    result = tabulate_schulze(cands, ballots, tie_seed=seed)
    d = result.pairwise
    condorcet = [x for x in cands if all(d[x][y] > d[y][x] for y in cands if y != x)]
    assume(condorcet)
    assert result.winners == (condorcet[0],)


@PROPERTY_SETTINGS
@given(star_election())
def test_star_agrees_with_the_starvote_library(election):
    cands, ballots = election
    try:
        # starvote applies the same Official Tiebreaker Protocol; with no final tiebreaker it raises
        # when the protocol runs out, which is where our published order takes over instead.
        expected = starvote.election(starvote.star, ballots, seats=1, tiebreaker=None)
    except starvote.UnbreakableTieError:
        assume(False)
    assert list(tabulate_star(cands, ballots).winners) == expected


@PROPERTY_SETTINGS
@given(star_election())
def test_bloc_star_agrees_with_the_starvote_library(election):
    cands, ballots = election
    assume(len(cands) >= 3)
    try:
        expected = starvote.election(starvote.bloc, ballots, seats=2, tiebreaker=None)
    except starvote.UnbreakableTieError:
        assume(False)
    assert list(tabulate_bloc_star(cands, ballots, seats=2).winners) == expected
