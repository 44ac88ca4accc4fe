"""What a reader of /adoption/ and /api/v1/adoption/ cannot learn about one respondent, and what they can cite.

The edition below has six approved answers: five alike and one different (industry "other", one
country, one project, 12,345 cores, a listed public cloud). Nothing about that one answer may be
read from the published figures, while the edition is open or after it has closed.
"""

import csv
import io
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from portal.adoption import demo, services
from portal.adoption.models import DeploymentType, Industry, ResponseStatus, SurveyEdition
from portal.adoption.tasks import recompute_aggregates
from tests.adoption.factories import (
    EditionFactory,
    OpenEditionFactory,
    ResponseFactory,
    UserFactory,
    listed_public_cloud,
)

BREAKDOWNS = ("by_industry", "by_country", "by_deployment_type", "by_project")
PARTITIONS = ("by_industry", "by_country", "by_deployment_type")


@pytest.fixture
def adoption_page(site_with_home):
    return demo.ensure_page(site_with_home)


def _approve(responses, capture) -> None:
    staff = UserFactory(is_staff=True)
    for response in responses:
        with capture(execute=True):
            services.response_approve(response=response, actor=staff)


@pytest.fixture
def six_answers(db, django_capture_on_commit_callbacks) -> SurveyEdition:
    """The open edition, with five alike answers and one different, approved one by one."""
    edition = OpenEditionFactory()
    alike = ResponseFactory.create_batch(5, edition=edition, status=ResponseStatus.PENDING, cores=10_000)
    lone = ResponseFactory(
        edition=edition,
        status=ResponseStatus.PENDING,
        industry=Industry.OTHER,
        country="FI",
        deployment_type=DeploymentType.EDGE,
        projects=["zuul"],
        cores=12_345,
        **listed_public_cloud("Lonely Cloud", "Oulu", organization="Lonely Cloud Oy"),
    )
    _approve([*alike, lone], django_capture_on_commit_callbacks)
    return edition


def _close(edition: SurveyEdition, capture) -> None:
    """The edition's window ends; its figures are computed (by the hourly task, or staff)."""
    SurveyEdition.objects.filter(pk=edition.pk).update(closes=timezone.now() - timedelta(seconds=1))
    with capture(execute=True):
        recompute_aggregates.delay(edition.pk)


@pytest.mark.django_db
def test_an_open_edition_publishes_no_figure(client, adoption_page, six_answers):
    year = six_answers.year
    assert client.get(f"/api/v1/adoption/{year}/").status_code == 404
    assert client.get("/api/v1/adoption/").json()["count"] == 0
    assert client.get("/api/v1/public-clouds/").json()["count"] == 0
    html = client.get("/adoption/").content.decode()
    assert "No survey results have been published yet." in html
    assert "12,345" not in html and "62,345" not in html


@pytest.mark.django_db
def test_polling_the_api_reads_no_new_answer_from_the_difference(client, django_capture_on_commit_callbacks):
    edition = EditionFactory(year=2019)
    ResponseFactory.create_batch(10, edition=edition, cores=1_000)
    with django_capture_on_commit_callbacks(execute=True):
        recompute_aggregates.delay(edition.pk)
    before = client.get("/api/v1/adoption/2019/").json()
    late = ResponseFactory(edition=edition, status=ResponseStatus.PENDING, industry=Industry.FINANCE, cores=777)
    _approve([late], django_capture_on_commit_callbacks)
    after = client.get("/api/v1/adoption/2019/").json()
    assert after == before, "an approval must not move the published figures"


@pytest.mark.django_db
def test_after_close_no_breakdown_gives_the_lone_answer_away(
    client, adoption_page, six_answers, django_capture_on_commit_callbacks
):
    _close(six_answers, django_capture_on_commit_callbacks)
    body = client.get(f"/api/v1/adoption/{six_answers.year}/").json()
    assert (body["sample_size"], body["total_cores"]) == (6, 62_345)
    for name in BREAKDOWNS:
        for segment in body[name]:
            assert segment["responses"] != 1 and segment["cores"] != 12_345, (name, segment)
        other = next(s for s in body[name] if s["key"] == "other")
        assert other["suppressed"] and other["reason"] == "fewer than 5 responses"
    for name in PARTITIONS:
        # Nor from the total minus the published parts.
        shown = [s for s in body[name] if s["responses"] is not None]
        assert body["sample_size"] - sum(s["responses"] for s in shown) in {0, 6}
        assert body["total_cores"] - sum(s["cores"] for s in shown if s["cores"] is not None) != 12_345
    assert "12345" not in str(body)
    html = client.get("/adoption/").content.decode()
    assert "62,345" in html or "62K+" in html
    assert "12,345" not in html


@pytest.mark.django_db
def test_a_lone_answers_country_is_not_listed_with_its_public_cloud(
    client, adoption_page, six_answers, django_capture_on_commit_callbacks
):
    _close(six_answers, django_capture_on_commit_callbacks)
    clouds = client.get("/api/v1/public-clouds/").json()["results"]
    assert [(cloud["name"], cloud["country"], cloud["regions"]) for cloud in clouds] == [
        ("Lonely Cloud", None, ["Oulu"])
    ]
    detail = client.get(f"/api/v1/adoption/{six_answers.year}/").json()
    assert detail["public_clouds"] == [{"name": "Lonely Cloud", "country": None, "regions": ["Oulu"]}]
    assert "Finland" not in client.get("/adoption/").content.decode()


@pytest.mark.django_db
def test_growth_is_headlined_between_two_closed_editions_only(
    client, adoption_page, six_answers, django_capture_on_commit_callbacks
):
    previous = EditionFactory(year=six_answers.year - 1)
    ResponseFactory.create_batch(6, edition=previous, cores=10_000)
    with django_capture_on_commit_callbacks(execute=True):
        recompute_aggregates.delay(previous.pk)
    soup = BeautifulSoup(client.get("/adoption/").content, "html.parser")
    assert f"The {previous.year} user survey in figures" in soup.get_text()
    assert "growth year over year" not in soup.get_text(), "the first published edition has nothing to grow from"

    _close(six_answers, django_capture_on_commit_callbacks)
    soup = BeautifulSoup(client.get("/adoption/").content, "html.parser")
    assert f"The {six_answers.year} user survey in figures" in soup.get_text()
    assert [node.get_text() for node in soup.select(".stat__value")][:2] == ["62K+", "+4\u00a0%"]
    assert client.get(f"/api/v1/adoption/{six_answers.year}/").json()["growth_percent"] == 3.9


@pytest.mark.django_db
def test_every_figure_carries_its_provenance(client, adoption_page, six_answers, django_capture_on_commit_callbacks):
    _close(six_answers, django_capture_on_commit_callbacks)
    year = six_answers.year
    body = client.get(f"/api/v1/adoption/{year}/").json()
    provenance = body["provenance"]
    assert provenance["edition"] == year and provenance["responses"] == 6
    assert provenance["computed_at"] == body["computed_at"]
    assert provenance["rule"]["min_segment_responses"] == 5 and provenance["rule"]["dominance_share"] == 0.6
    assert provenance["csv"] == [
        "http://testserver/adoption/data/cores/",
        f"http://testserver/adoption/data/industries/?year={year}",
        f"http://testserver/adoption/data/deployment-types/?year={year}",
    ]
    telecom = next(s for s in body["by_industry"] if s["key"] == "telecom")
    assert telecom == {
        "key": "telecom",
        "label": "Telecommunications",
        "responses": None,
        "cores": None,
        "suppressed": True,
        "reason": "withheld so that another suppressed figure cannot be derived from the published ones",
    }

    rows = list(csv.DictReader(io.StringIO(client.get(provenance["csv"][1]).content.decode())))
    assert {row["segment"]: (row["responses"], row["cores"], row["suppressed"], row["reason"]) for row in rows} == {
        "telecom": ("", "", "yes", telecom["reason"]),
        "other": ("", "", "yes", "fewer than 5 responses"),
    }
    assert all(row["edition_responses"] == "6" and row["min_segment_responses"] == "5" for row in rows)
    assert all(row["computed_at"].startswith(str(year)) and row["dominance_share"] == "0.60" for row in rows)

    chart = BeautifulSoup(client.get("/adoption/").content, "html.parser").find(id="chart-industries")
    assert "fewer than 5 responses" in chart.find("figcaption").get_text()
    assert [[cell.get_text() for cell in row.find_all(["th", "td"])] for row in chart.tbody.find_all("tr")] == [
        ["Telecommunications", "—", "—", "—"],
        ["Other", "—", "—", "—"],
    ]
    assert not chart.find_all("rect"), "no bar for a withheld figure"
    assert chart.find("a", href=f"/api/v1/adoption/{year}/")


@pytest.mark.django_db
def test_the_schema_documents_the_methodology(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in ("/api/v1/adoption/", "/api/v1/adoption/{year}/"):
        description = schema["paths"][path]["get"]["description"]
        assert "at least 5 responses" in description and "60 %" in description and "closed" in description
    segment = schema["components"]["schemas"]["Segment"]["properties"]
    assert {"suppressed", "reason"} <= set(segment) and segment["responses"].get("nullable")
    assert "provenance" in schema["components"]["schemas"]["EditionAggregate"]["properties"]
