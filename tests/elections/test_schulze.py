"""The Schulze method against Markus Schulze's own worked examples."""

import pytest

from elections.tabulation import InvalidBallot, tabulate_schulze


def expand(spec: str) -> list[list[str]]:
    """'5 ACBED|8 BEDAC' → five ballots A>C>B>E>D and eight B>E>D>A>C."""
    ballots = []
    for part in spec.split("|"):
        count, order = part.split()
        ballots += [list(order)] * int(count)
    return ballots


# Schulze's first example (45 voters, 5 candidates), the one Wikipedia uses.
FORTY_FIVE = "5 ACBED|5 ADECB|8 BEDAC|3 CABED|7 CAEBD|2 CBADE|7 DCEBA|8 EBADC"


def test_forty_five_voters_elect_e_with_the_published_matrices():
    result = tabulate_schulze(list("ABCDE"), expand(FORTY_FIVE))

    assert result.winners == ("E",)
    assert result.ballots_counted == 45
    assert result.pairwise == {
        "A": {"B": 20, "C": 26, "D": 30, "E": 22},
        "B": {"A": 25, "C": 16, "D": 33, "E": 18},
        "C": {"A": 19, "B": 29, "D": 17, "E": 24},
        "D": {"A": 15, "B": 12, "C": 28, "E": 14},
        "E": {"A": 23, "B": 27, "C": 21, "D": 31},
    }
    assert result.strongest_paths == {
        "A": {"B": 28, "C": 28, "D": 30, "E": 24},
        "B": {"A": 25, "C": 28, "D": 33, "E": 24},
        "C": {"A": 25, "B": 29, "D": 29, "E": 24},
        "D": {"A": 25, "B": 28, "C": 28, "E": 24},
        "E": {"A": 25, "B": 28, "C": 28, "D": 31},
    }
    assert result.ranking == (("E",), ("A",), ("C",), ("B",), ("D",))
    assert result.tie_breaks == ()


def test_forty_five_voters_fill_five_seats_in_the_schulze_order():
    result = tabulate_schulze(list("ABCDE"), expand(FORTY_FIVE), seats=5)

    assert result.winners == ("E", "A", "C", "B", "D")
    assert [r.remaining for r in result.rounds][:2] == [tuple("ABCDE"), tuple("ABCD")]


@pytest.mark.parametrize(
    ("spec", "candidates", "order"),
    [
        ("5 ACBD|2 ACDB|3 ADCB|4 BACD|3 CBDA|3 CDBA|1 DACB|5 DBAC|4 DCBA", "ABCD", "DACB"),
        ("3 ABDEC|5 ADEBC|1 ADECB|2 BADEC|2 BDECA|4 CABDE|6 CBADE|2 DBECA|5 DECAB", "ABCDE", "BADEC"),
    ],
    ids=["second-example-30-voters", "third-example-30-voters"],
)
def test_schulzes_further_examples(spec, candidates, order):
    result = tabulate_schulze(list(candidates), expand(spec), seats=len(candidates))

    assert result.ranking == tuple((c,) for c in order)
    assert result.winners == tuple(order)


def test_a_tie_between_potential_winners_goes_by_the_published_order_and_is_reported():
    # Schulze's fourth example: B and D are both potential winners.
    ballots = expand("3 ABCD|2 DABC|2 DBCA|2 CBDA")

    by_paper = tabulate_schulze(list("ABCD"), ballots)
    by_paper_reversed = tabulate_schulze(list("DCBA"), ballots)

    assert by_paper.rounds[0].potential_winners == ("B", "D")
    assert by_paper.winners == ("B",)
    assert by_paper_reversed.winners == ("D",)
    assert by_paper.tie_breaks[0].tied == ("B", "D")
    assert by_paper.tie_breaks[0].chosen == ("B",)
    assert by_paper.ranking == (("B", "D"), ("A", "C"))


def test_unranked_candidates_share_the_last_place_and_equal_ranks_are_allowed():
    result = tabulate_schulze(["A", "B", "C"], [["A"], [["B", "C"]], ["C", "A"]])

    assert result.pairwise["A"] == {"B": 2, "C": 1}
    assert result.pairwise["B"] == {"A": 1, "C": 0}
    assert result.pairwise["C"] == {"A": 2, "B": 1}


@pytest.mark.parametrize(
    "ballot",
    [["A", "A"], ["A", ["B", "A"]], ["Z"], "AB", [[]], [1]],
    ids=["twice", "twice-in-group", "unknown", "string", "empty-group", "number"],
)
def test_invalid_ranked_ballots_are_refused(ballot):
    with pytest.raises(InvalidBallot):
        tabulate_schulze(["A", "B"], [ballot])


def test_the_result_serialises_to_plain_data():
    data = tabulate_schulze(list("ABCDE"), expand(FORTY_FIVE)).to_dict()

    assert data["method"] == "schulze"
    assert data["winners"] == ["E"]
    assert data["strongest_paths"]["E"]["D"] == 31
    assert data["rounds"][0]["potential_winners"] == ["E"]
