"""The published figures against a small fixture computed by hand."""

from decimal import Decimal

import pytest

from portal.adoption import aggregation, services
from portal.adoption.disclosure import Rule
from portal.adoption.models import DeploymentType, Industry, ResponseStatus
from tests.adoption.factories import EditionFactory, ResponseFactory, listed_public_cloud


@pytest.fixture
def fixture_2021(db):
    """2020: 5 answers of 200 cores (1,000). 2021: 15 approved answers (1,600 cores), 2 not approved.

    2021 by hand:  5 telecom / DE / private, 100 cores each, OpenStack          →   500
                   6 academic / FR / hybrid, 50 cores each, OpenStack + Zuul    →   300
                   4 retail / US / public, 200 cores each, OpenStack + Kata     →   800 (a segment of 4: "other")
    """
    e2020 = EditionFactory(year=2020)
    e2021 = EditionFactory(year=2021)
    ResponseFactory.create_batch(5, edition=e2020, cores=200)
    ResponseFactory.create_batch(5, edition=e2021, industry=Industry.TELECOM, country="DE", cores=100, deployments=2)
    ResponseFactory.create_batch(
        6,
        edition=e2021,
        industry=Industry.RESEARCH,
        country="FR",
        deployment_type=DeploymentType.HYBRID,
        projects=["openstack", "zuul"],
        cores=50,
        deployments=2,
    )
    ResponseFactory.create_batch(
        4,
        edition=e2021,
        industry=Industry.RETAIL,
        country="US",
        deployment_type=DeploymentType.PUBLIC,
        projects=["openstack", "kata-containers"],
        cores=200,
        deployments=2,
        **listed_public_cloud("Binero", "Stockholm", organization="Binero"),
    )
    ResponseFactory(edition=e2021, status=ResponseStatus.REJECTED, cores=1_000_000)
    ResponseFactory(edition=e2021, status=ResponseStatus.PENDING, cores=1_000_000, industry=Industry.RETAIL)
    services.aggregates_recompute(edition=e2020)
    return services.aggregates_recompute(edition=e2021)


def _segments(segments):
    return [(s["key"], s["responses"], s["cores"]) for s in segments]


def test_aggregates_match_the_hand_computed_fixture(fixture_2021):
    aggregate = fixture_2021
    assert aggregate.published and aggregate.withheld_reason == ""
    assert (aggregate.min_segment_size, aggregate.dominance_share) == (5, Decimal("0.60"))
    assert aggregate.sample_size == 15
    assert aggregate.total_cores == 1600
    assert aggregate.total_deployments == 30
    assert aggregate.previous_total_cores == 1000
    assert aggregate.growth_percent == Decimal("60.0")
    # "other" (4 answers) is withheld; telecom too, or 15 - 6 - 5 would give other's 4 answers away.
    hidden = [(None, None)] * 2
    assert _segments(aggregate.by_industry) == [("research", 6, 300), ("telecom", *hidden[0]), ("other", *hidden[1])]
    assert _segments(aggregate.by_country) == [("FR", 6, 300), ("DE", None, None), ("other", None, None)]
    assert _segments(aggregate.by_deployment_type) == [
        ("hybrid", 6, 300),
        ("private", None, None),
        ("other", None, None),
    ]
    # Projects overlap: OpenStack is everyone and Zuul leaves 9 others, so only "other" is withheld.
    assert _segments(aggregate.by_project) == [("openstack", 15, 1600), ("zuul", 6, 300), ("other", None, None)]
    assert aggregate.by_country[0]["label"] == "France"
    assert aggregate.by_industry[-1]["label"] == "Other"
    reasons = {s["key"]: s["reason"] for s in aggregate.by_industry}
    assert reasons == {
        "research": None,
        "telecom": "withheld so that another suppressed figure cannot be derived from the published ones",
        "other": "fewer than 5 responses",
    }


def test_a_segment_of_four_responses_is_folded_into_other(fixture_2021):
    keys = {s["key"] for breakdown in ("by_industry", "by_country", "by_deployment_type", "by_project")
            for s in getattr(fixture_2021, breakdown)}  # fmt: skip
    assert not keys & {"retail", "US", "public", "kata-containers"}
    published = [
        s["responses"]
        for s in fixture_2021.by_industry + fixture_2021.by_country + fixture_2021.by_project
        if s["responses"] is not None
    ]
    assert published and min(published) >= 5


def test_a_fifth_response_makes_the_segment_visible(fixture_2021):
    ResponseFactory(edition=fixture_2021.edition, industry=Industry.RETAIL, cores=10)
    aggregate = services.aggregates_recompute(edition=fixture_2021.edition)
    assert ("retail", 5, 810) in _segments(aggregate.by_industry)
    assert "other" not in [s["key"] for s in aggregate.by_industry]


def test_consenting_public_clouds_are_listed_but_not_a_country_the_rule_withholds(fixture_2021):
    # The provider agreed to its name and regions; its country (US, 4 answers) is an answer like any other.
    assert fixture_2021.public_clouds == [{"name": "Binero", "regions": ["Stockholm"], "country": None}]


def test_recomputing_an_edition_updates_the_next_editions_growth(fixture_2021):
    e2020 = fixture_2021.edition.__class__.objects.get(year=2020)
    ResponseFactory.create_batch(3, edition=e2020, cores=1000 // 3 + 1)  # 2020 now has 2,002 cores
    services.aggregates_recompute(edition=e2020)
    fixture_2021.refresh_from_db()
    assert fixture_2021.previous_total_cores == 2002
    assert fixture_2021.growth_percent == Decimal("-20.1")  # (1600 - 2002) / 2002 = -20.08 %


def test_growth_is_relative_to_the_previous_figure():
    assert aggregation.growth_percent(40_000_000, 25_000_000) == Decimal("60.0")
    assert aggregation.growth_percent(15, 10) == Decimal("50.0")
    assert aggregation.growth_percent(2, 3) == Decimal("-33.3")
    assert aggregation.growth_percent(100, None) is None
    assert aggregation.growth_percent(100, 0) is None


def test_the_other_answer_and_small_segments_share_one_other():
    rows = [{"industry": "other", "cores": 1}] * 2 + [{"industry": "retail", "cores": 10}] * 3
    rows += [{"industry": "telecom", "cores": 100}] * 5
    segments = aggregation.breakdown(rows, lambda row: [row["industry"]], str, rule=Rule())
    assert [(s["key"], s["responses"], s["cores"]) for s in segments] == [("telecom", 5, 500), ("other", 5, 32)]


def test_the_first_edition_has_no_growth(fixture_2021):
    from portal.adoption.models import EditionAggregate

    first = EditionAggregate.objects.get(edition__year=2020)
    assert first.growth_percent is None and first.previous_total_cores is None


@pytest.mark.django_db
def test_growth_never_reveals_an_unpublished_previous_edition():
    small, current = EditionFactory(year=2010), EditionFactory(year=2011)
    ResponseFactory.create_batch(4, edition=small, cores=999)
    ResponseFactory.create_batch(5, edition=current, cores=100)
    aggregate = services.aggregates_recompute(edition=current)
    assert aggregate.previous_total_cores is None and aggregate.growth_percent is None
