"""Approval and cumulative voting, worked by hand."""

import pytest

from elections.tabulation import InvalidBallot, tabulate_approval, tabulate_cumulative


def test_cumulative_worked_by_hand():
    # Three seats, so each voter has three votes.
    #   voter 1 piles all three on Ada            Ada 3
    #   voter 2 spreads them: Ada, Bo, Cy         Ada 1, Bo 1, Cy 1
    #   voter 3 gives two to Bo, one to Di        Bo 2, Di 1
    #   voter 4 gives two to Cy and abstains once Cy 2
    #   voter 5 gives one each to Bo, Di, Ed      Bo 1, Di 1, Ed 1
    # Totals: Ada 4, Bo 4, Cy 3, Di 2, Ed 1 → Ada, Bo and Cy are elected.
    ballots = [
        {"Ada": 3},
        {"Ada": 1, "Bo": 1, "Cy": 1},
        {"Bo": 2, "Di": 1},
        {"Cy": 2},
        {"Bo": 1, "Di": 1, "Ed": 1},
    ]

    result = tabulate_cumulative(["Ada", "Bo", "Cy", "Di", "Ed"], ballots, seats=3)

    assert result.votes == {"Ada": 4, "Bo": 4, "Cy": 3, "Di": 2, "Ed": 1}
    assert result.votes_per_voter == 3
    assert set(result.winners) == {"Ada", "Bo", "Cy"}
    assert result.tie_breaks == ()  # Ada and Bo are level, but both are elected: no tie to break


def test_cumulative_tie_for_the_last_seat_goes_by_the_published_order():
    result = tabulate_cumulative(["Ada", "Bo", "Cy"], [{"Ada": 2}, {"Bo": 1, "Cy": 1}], seats=2)

    assert result.winners == ("Ada", "Bo")
    assert result.tie_breaks[0].tied == ("Bo", "Cy")
    assert result.tie_breaks[0].chosen == ("Bo",)


@pytest.mark.parametrize(
    "ballot",
    [{"A": 3}, {"A": 1, "B": 2}, {"A": -1}, {"Z": 1}, {"A": 1.0}],
    ids=["pile", "spread", "neg", "unknown", "float"],
)
def test_cumulative_refuses_more_votes_than_seats_and_bad_values(ballot):
    with pytest.raises(InvalidBallot):
        tabulate_cumulative(["A", "B"], [ballot], seats=2)


def test_approval_elects_the_most_approved():
    ballots = [["A", "B"], ["B"], ["B", "C"], ["C"], []]

    result = tabulate_approval(["A", "B", "C"], ballots, seats=2)

    assert result.approvals == {"A": 1, "B": 3, "C": 2}
    assert result.winners == ("B", "C")
    assert result.ballots_counted == 5


@pytest.mark.parametrize("ballot", [["A", "A"], ["Z"], "A", {"A": 1}], ids=["twice", "unknown", "string", "mapping"])
def test_approval_refuses_invalid_ballots(ballot):
    with pytest.raises(InvalidBallot):
        tabulate_approval(["A", "B"], [ballot])
