"""The demo's figures come out of its seeded answers."""

from decimal import Decimal

import pytest

from portal.adoption import demo
from portal.adoption.models import EditionAggregate, SurveyResponse
from portal.adoption.selectors import public_clouds


@pytest.mark.django_db
def test_demo_figures_come_out_of_the_seeded_answers(client, site_with_home):
    demo.load(site_with_home)
    figures = {a.edition.year: a for a in EditionAggregate.objects.select_related("edition")}
    for year in (2020, 2021, 2022):
        answers = SurveyResponse.objects.filter(edition__year=year, status="approved")
        assert figures[year].total_cores == sum(answers.values_list("cores", flat=True))
        assert figures[year].sample_size == answers.count() >= 100
    assert 14_000_000 <= figures[2020].total_cores <= 16_000_000
    assert 24_000_000 <= figures[2021].total_cores <= 26_000_000
    assert figures[2022].total_cores > 40_000_000
    assert figures[2022].headline_cores == "40M+"
    assert Decimal("57") <= figures[2022].growth_percent <= Decimal("63")
    assert {segment["key"] for segment in figures[2022].by_industry} >= {
        "retail", "finance", "research", "telecom", "government", "manufacturing", "media", "cloud",
    }  # fmt: skip
    assert [cloud["name"] for cloud in public_clouds()] == [
        "Binero", "Cloudfire", "Infomaniak", "NIPA Cloud", "OROCK Technologies",
    ]  # fmt: skip
    assert any(segment["key"] == "other" for segment in figures[2022].by_country), "small countries are folded"

    html = client.get("/adoption/").content.decode()
    assert "40M+" in html and "+60\u00a0%" in html


@pytest.mark.django_db
def test_demo_is_idempotent(site_with_home):
    demo.load(site_with_home)
    counts = (SurveyResponse.objects.count(), EditionAggregate.objects.count())
    computed = list(EditionAggregate.objects.values_list("computed_at", flat=True))
    demo.load(site_with_home)
    assert (SurveyResponse.objects.count(), EditionAggregate.objects.count()) == counts
    assert list(EditionAggregate.objects.values_list("computed_at", flat=True)) == computed
