"""Generated editions: no published figure, nor any figure derivable from two of them, gives a few answers away.

The checker rebuilds each segment's answers from the generated rows on its own, then asks of every
published count and sum, of every difference between two nested published figures (the total
included), and of the total minus the published parts, whether it rests on at least k answers and,
for sums of cores, whether one answer makes up more than the dominance share.
"""

from decimal import Decimal
from itertools import combinations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.adoption import aggregation
from portal.adoption.disclosure import Rule

BREAKDOWNS = {
    "by_industry": (lambda row: [row["industry"]], True),
    "by_country": (lambda row: [row["country"]], True),
    "by_deployment_type": (lambda row: [row["deployment_type"]], True),
    "by_project": (lambda row: row["projects"], False),
}

answers = st.fixed_dictionaries(
    {
        "industry": st.sampled_from(["telecom", "finance", "research", "other"]),
        "country": st.sampled_from(["DE", "FR", "US", "FI", "SE"]),
        "deployment_type": st.sampled_from(["private", "public", "hybrid"]),
        "projects": st.lists(st.sampled_from(["openstack", "zuul", "kata-containers", "starlingx"]), unique=True),
        "cores": st.one_of(st.integers(1, 300), st.integers(1, 200_000)),
        "deployments": st.integers(1, 5),
        "public_cloud_name": st.sampled_from(["", "Aurora Cloud", "Borealis"]),
        "public_cloud_region": st.just(""),
        "public_cloud_listed": st.booleans(),
    }
)
rules = st.builds(
    Rule,
    min_segment=st.integers(2, 6),
    dominance_share=st.sampled_from([Decimal("0.5"), Decimal("0.6"), Decimal("0.8")]),
)


def _sets(rows, keys_of, segments) -> list[tuple[dict, frozenset[int]]]:
    """Each published segment with the answers in it, rebuilt from the rows ("other": any unlisted key)."""
    listed = {s["key"] for s in segments if s["key"] != "other"}
    result = []
    for segment in segments:
        if segment["key"] == "other":
            rows_in = {i for i, row in enumerate(rows) if any(key not in listed for key in keys_of(row))}
        else:
            rows_in = {i for i, row in enumerate(rows) if segment["key"] in keys_of(row)}
        result.append((segment, frozenset(rows_in)))
    return result


def _check_figures(name, sets, everyone, ok, partition) -> None:
    """Every published set, nested difference and (for a partition) the hidden remainder is ok."""
    published = [rows for rows in sets]
    for rows in published:
        assert ok(rows), f"{name}: a published figure rests on {len(rows)} answers"
    for outer in [everyone, *published]:
        for inner in published:
            if inner < outer:
                assert ok(outer - inner), f"{name}: two published figures differ by {len(outer - inner)} answers"
    if partition:
        shown = frozenset().union(*published)
        assert ok(everyone - shown), f"{name}: the total minus the published parts is {len(everyone - shown)} answers"
    else:
        for size in range(2, len(published) + 1):
            for family in combinations(published, size):
                union = frozenset().union(*family)
                if sum(len(rows) for rows in family) == len(union):  # disjoint: their sum is the union's
                    assert ok(everyone - union), f"{name}: the total minus disjoint parts gives answers away"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(answers, max_size=30), rule=rules)
def test_no_published_or_derivable_figure_rests_on_fewer_than_k_answers_or_on_one(rows, rule):
    figures = aggregation.figures(rows, previous_total=None, rule=rule)
    cores = [row["cores"] for row in rows]
    everyone = frozenset(range(len(rows)))

    def count_ok(answers_in):
        return not answers_in or len(answers_in) >= rule.min_segment

    def sum_ok(answers_in):
        if not answers_in:
            return True
        values = [cores[i] for i in answers_in]
        return len(values) >= rule.min_segment and max(values) <= rule.dominance_share * sum(values)

    assert figures["published"] == (len(rows) >= rule.min_segment and sum_ok(everyone))
    if not figures["published"]:
        return  # nothing of the edition is shown
    for name, (keys_of, partition) in BREAKDOWNS.items():
        segments = figures[name]
        sets = _sets(rows, keys_of, segments)
        for segment, answers_in in sets:
            if segment["key"] != "other":
                assert len(answers_in) >= rule.min_segment, f"{name}: the key of a small segment is listed"
            if segment["responses"] is not None:
                assert segment["responses"] == len(answers_in)
            if segment["cores"] is not None:
                assert segment["responses"] is not None, f"{name}: cores shown for a withheld count"
                assert segment["cores"] == sum(cores[i] for i in answers_in)
            assert segment["suppressed"] == (segment["reason"] is not None)
            assert segment["suppressed"] == (segment["responses"] is None or segment["cores"] is None)
        _check_figures(name, [s for seg, s in sets if seg["responses"] is not None], everyone, count_ok, partition)
        _check_figures(name, [s for seg, s in sets if seg["cores"] is not None], everyone, sum_ok, partition)
    shown_countries = {s["key"] for s in figures["by_country"] if s["responses"] is not None}
    for cloud in figures["public_clouds"]:
        assert cloud["country"] is None or cloud["country"] in shown_countries


def test_the_finding_five_alike_and_one_different_publishes_nothing_of_the_one():
    rows = [
        {"industry": "telecom", "country": "DE", "deployment_type": "private", "projects": ["openstack"],
         "cores": 10_000, "deployments": 1}
        for _ in range(5)
    ] + [
        {"industry": "other", "country": "FI", "deployment_type": "edge", "projects": ["zuul"], "cores": 12_345,
         "deployments": 1}
    ]  # fmt: skip
    figures = aggregation.figures(rows, previous_total=None, rule=Rule())
    assert figures["published"] and figures["total_cores"] == 62_345
    for name in BREAKDOWNS:
        assert all(s["responses"] is None and s["cores"] is None for s in figures[name]), name
    assert "12345" not in str({name: figures[name] for name in BREAKDOWNS})
