"""/api/v1/adoption/, /api/v1/adoption/<year>/ and /api/v1/public-clouds/."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.adoption.factories import AggregateFactory, EditionFactory, ResponseFactory


def _aggregates(count: int, start: int = 1900) -> None:
    for year in range(start, start + count):
        AggregateFactory(
            edition=EditionFactory(year=year),
            public_clouds=[{"name": f"Cloud {year}", "country": "SE", "regions": ["North"]}],
        )


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_editions_list_headline_figures_and_sample_sizes(client):
    from portal.adoption import services

    edition = EditionFactory(year=2022, closes="2022-10-01T00:00:00Z")
    ResponseFactory.create_batch(5, edition=edition, cores=8_100_000)
    services.aggregates_recompute(edition=edition)
    EditionFactory(year=2023)  # no approved answers: not published

    body = client.get("/api/v1/adoption/").json()
    assert body["count"] == 1
    (item,) = body["results"]
    assert item == {
        "year": 2022,
        "url": "http://testserver/api/v1/adoption/2022/",
        "opens": "2022-06-01T00:00:00Z",
        "closes": "2022-10-01T00:00:00Z",
        "sample_size": 5,
        "total_cores": 40_500_000,
        "headline_cores": "40M+",
        "total_deployments": 5,
        "growth_percent": None,
        "computed_at": item["computed_at"],
        "provenance": {
            "edition": 2022,
            "responses": 5,
            "computed_at": item["computed_at"],
            "rule": {
                "min_segment_responses": 5,
                "dominance_share": 0.6,
                "description": item["provenance"]["rule"]["description"],
            },
            "csv": [],  # no /adoption/ page in this test
        },
    }
    assert "at least 5 responses" in item["provenance"]["rule"]["description"]


@pytest.mark.django_db
def test_one_edition_carries_every_aggregate_and_no_raw_answer(client):
    from portal.adoption import services

    edition = EditionFactory(year=2022)
    ResponseFactory.create_batch(
        5, edition=edition, public_cloud_name="Binero", public_cloud_region="Stockholm", public_cloud_listed=True,
        is_anonymous=False, organization_name="Binero AB",
    )  # fmt: skip
    services.aggregates_recompute(edition=edition)
    body = client.get("/api/v1/adoption/2022/").json()
    assert set(body) >= {"by_industry", "by_country", "by_deployment_type", "by_project", "public_clouds"}
    assert body["by_industry"] == [
        {
            "key": "telecom",
            "label": "Telecommunications",
            "responses": 5,
            "cores": 500,
            "suppressed": False,
            "reason": None,
        }
    ]
    assert body["public_clouds"] == [{"name": "Binero", "country": "DE", "regions": ["Stockholm"]}]
    assert "Binero AB" not in str(body)
    missing = client.get("/api/v1/adoption/1999/")
    assert missing.status_code == 404
    assert set(missing.json()) == {"message", "code", "extra"}


@pytest.mark.django_db
def test_public_clouds_merge_the_editions_that_listed_them(client):
    AggregateFactory(
        edition=EditionFactory(year=2021), public_clouds=[{"name": "Binero", "country": "SE", "regions": ["Stockholm"]}]
    )
    AggregateFactory(
        edition=EditionFactory(year=2022),
        public_clouds=[
            {"name": "binero", "country": "SE", "regions": ["Karlskrona"]},
            {"name": "Infomaniak", "country": "CH", "regions": ["Geneva"]},
        ],
    )
    results = client.get("/api/v1/public-clouds/").json()["results"]
    assert results == [
        {
            "name": "binero",
            "country": "SE",
            "regions": ["Karlskrona", "Stockholm"],
            "years": [2021, 2022],
            "first_listed": 2021,
        },
        {"name": "Infomaniak", "country": "CH", "regions": ["Geneva"], "years": [2022], "first_listed": 2022},
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/adoption/", "/api/v1/adoption/1902/", "/api/v1/public-clouds/"])
def test_query_counts_are_the_same_for_5_and_50_editions(client, url):
    _aggregates(5)
    few = _queries(client, url)
    _aggregates(45, start=1905)
    assert _queries(client, url) == few
    if url.endswith("s/"):
        assert client.get(url).json()["count"] == 50


@pytest.mark.django_db
def test_the_schema_describes_the_adoption_endpoints(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert {"/api/v1/adoption/", "/api/v1/adoption/{year}/", "/api/v1/public-clouds/"} <= set(schema["paths"])
    detail = schema["paths"]["/api/v1/adoption/{year}/"]["get"]
    assert "404" in detail["responses"]
    assert "by_industry" in schema["components"]["schemas"]["EditionAggregate"]["properties"]
    assert client.get("/api/v1/").json()["resources"]["adoption"] == "http://testserver/api/v1/adoption/"
