"""STAR and Bloc STAR against Equal Vote's worked examples and its Official Tiebreaker Protocol."""

import pytest

from elections.tabulation import InvalidBallot, tabulate_bloc_star, tabulate_star

# Equal Vote's real-time STAR calculator example: totals A 15, B 16, C 20; finalists C and B; the
# runoff is 2 to 2 with one ballot of no preference, so C wins on the higher score ("The finalists tie
# in the runoff. C has more points, so C wins!"). These five ballots give exactly its totals and its
# head-to-head matrix (A over B 3, A over C 3, B over A 2, B over C 2, C over A 2, C over B 2).
CALCULATOR = [
    {"A": 5, "B": 4, "C": 3},
    {"A": 5, "B": 1, "C": 4},
    {"A": 0, "B": 5, "C": 4},
    {"A": 0, "B": 2, "C": 5},
    {"A": 5, "B": 4, "C": 4},
]


def test_equal_votes_calculator_example_runoff_tie_goes_to_the_higher_score():
    result = tabulate_star(["A", "B", "C"], CALCULATOR)

    (round_,) = result.rounds
    assert round_.scores == {"A": 15, "B": 16, "C": 20}
    assert round_.finalists == ("C", "B")
    assert round_.runoff == {"C": 2, "B": 2}
    assert round_.no_preference == 1
    assert result.winners == ("C",)
    assert [(t.rule, t.chosen) for t in result.tie_breaks] == [("the higher total score in the scoring round", ("C",))]


def test_runoff_tied_on_score_too_goes_to_more_five_star_ratings():
    # Equal Vote's protocol, second runoff step: Brian and Chuck score 12 each, the runoff is 1 to 1
    # with one ballot of no preference, and Chuck has two fives to Brian's one.
    ballots = [
        {"Amy": 1, "Brian": 4, "Chuck": 2},
        {"Amy": 1, "Brian": 3, "Chuck": 5},
        {"Amy": 1, "Brian": 5, "Chuck": 5},
    ]

    result = tabulate_star(["Amy", "Brian", "Chuck"], ballots)

    assert result.rounds[0].scores == {"Amy": 3, "Brian": 12, "Chuck": 12}
    assert result.rounds[0].runoff == {"Brian": 1, "Chuck": 1}
    assert result.winners == ("Chuck",)
    assert [t.rule for t in result.tie_breaks] == [
        "the higher total score in the scoring round",
        "more ballots giving the maximum score",
    ]


def test_the_runoff_can_overturn_the_scoring_round():
    # A leads on points thanks to a few enthusiasts, but more voters prefer B.
    ballots = [{"A": 5, "B": 0}] * 2 + [{"A": 3, "B": 4}] * 3

    result = tabulate_star(["A", "B"], ballots)

    assert result.rounds[0].scores == {"A": 19, "B": 12}
    assert result.rounds[0].runoff == {"A": 2, "B": 3}
    assert result.winners == ("B",)


def test_a_tie_for_finalist_goes_to_the_head_to_head_winner_among_the_tied():
    ballots = [{"A": 5, "B": 3, "C": 2}, {"A": 5, "B": 1, "C": 2}, {"A": 5, "B": 3, "C": 3}]

    result = tabulate_star(["A", "B", "C"], ballots)

    assert result.rounds[0].scores == {"A": 15, "B": 7, "C": 7}
    assert result.rounds[0].finalists == ("A", "B")  # B over C on one ballot, C over B on one: no step settles it
    assert result.tie_breaks[0].rule == "preferred head to head on more ballots among the tied candidates"


# Bo, Cy and Di tie at 19 points and beat one another in a cycle (Cy over Bo 5-2, Bo over Di 5-3,
# Di over Cy 5-4), so each wins one matchup; counted by ballots, Cy is preferred 9 times, Di 8, Bo 7.
CYCLE = [
    {"Cy": 4, "Ed": 2, "Bo": 4, "Ada": 2, "Di": 1},
    {"Ada": 0, "Cy": 3, "Bo": 2, "Ed": 5, "Di": 0},
    {"Ada": 4, "Bo": 1, "Di": 4, "Ed": 0, "Cy": 2},
    {"Cy": 4, "Ed": 2, "Bo": 2, "Ada": 2, "Di": 1},
    {"Ed": 0, "Ada": 2, "Cy": 0, "Di": 1, "Bo": 2},
    {"Di": 2, "Bo": 2, "Cy": 3, "Ada": 0, "Ed": 1},
    {"Ed": 1, "Di": 3, "Bo": 0, "Ada": 4, "Cy": 1},
    {"Di": 5, "Bo": 1, "Ada": 0, "Cy": 1, "Ed": 0},
    {"Di": 2, "Ed": 0, "Cy": 1, "Bo": 5, "Ada": 1},
]


def test_a_three_way_tie_in_a_cycle_goes_to_the_candidates_preferred_on_more_ballots():
    result = tabulate_bloc_star(["Ada", "Bo", "Cy", "Di", "Ed"], CYCLE, seats=2)

    first = result.rounds[0]
    assert (first.scores["Bo"], first.scores["Cy"], first.scores["Di"]) == (19, 19, 19)
    assert first.finalists == ("Cy", "Di")
    assert first.runoff == {"Cy": 4, "Di": 5}
    assert result.winners == ("Di", "Cy")  # what starvote's Bloc STAR elects from the same ballots


def test_a_tie_nothing_else_settles_goes_by_the_published_seeded_order():
    ballots = [{"A": 5, "B": 0}, {"A": 0, "B": 5}]

    first = tabulate_star(["A", "B"], ballots, tie_seed="2026 board election")
    same = tabulate_star(["A", "B"], list(reversed(ballots)), tie_seed="2026 board election")

    assert first.winners == same.winners
    assert first.winners == (first.tie_order[0],)
    assert first.tie_breaks[-1].rule.startswith("the seeded order")


def test_bloc_star_fills_each_seat_with_a_star_round_among_those_not_yet_elected():
    ballots = [
        {"Ann": 5, "Bob": 4, "Cat": 1, "Dan": 0},
        {"Ann": 4, "Bob": 5, "Cat": 0, "Dan": 2},
        {"Ann": 0, "Bob": 3, "Cat": 5, "Dan": 4},
    ]

    result = tabulate_bloc_star(["Ann", "Bob", "Cat", "Dan"], ballots, seats=2)

    first, second = result.rounds
    assert first.scores == {"Ann": 9, "Bob": 12, "Cat": 6, "Dan": 6}
    assert first.finalists == ("Bob", "Ann")
    assert first.runoff == {"Bob": 2, "Ann": 1}
    assert second.scores == {"Ann": 9, "Cat": 6, "Dan": 6}
    assert second.finalists[0] == "Ann"
    assert result.winners == ("Bob", "Ann")


@pytest.mark.parametrize(
    "ballot",
    [{"A": 6}, {"A": -1}, {"A": 2.5}, {"A": True}, {"Z": 3}, ["A"]],
    ids=["above-five", "negative", "fraction", "boolean", "unknown", "not-a-mapping"],
)
def test_invalid_star_ballots_are_refused(ballot):
    with pytest.raises(InvalidBallot):
        tabulate_star(["A", "B"], [ballot])
