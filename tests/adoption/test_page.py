"""The /adoption/ page: headline figures and accessible server-rendered charts."""

import csv
import io

import pytest
from bs4 import BeautifulSoup

from portal.adoption import demo
from portal.adoption.models import AdoptionPage, DeploymentType, Industry
from tests.adoption.factories import EditionFactory, OpenEditionFactory, ResponseFactory


@pytest.fixture
def adoption_page(site_with_home) -> AdoptionPage:
    return demo.ensure_page(site_with_home)


def _seed(years: dict[int, int], per_year: int = 6) -> None:
    """`per_year` telecom answers and 6 academic ones a year, with the cores given."""
    from portal.adoption import services

    for year, cores in years.items():
        edition = EditionFactory(year=year)
        ResponseFactory.create_batch(per_year, edition=edition, cores=cores // (2 * per_year))
        ResponseFactory.create_batch(
            per_year,
            edition=edition,
            cores=cores // (2 * per_year),
            industry=Industry.RESEARCH,
            deployment_type=DeploymentType.EDGE,
        )
        services.aggregates_recompute(edition=edition)


@pytest.mark.django_db
def test_the_page_shows_headline_figures_and_three_accessible_charts(client, adoption_page):
    _seed({2021: 25_200_000, 2022: 40_320_000})
    response = client.get("/adoption/")
    assert response.status_code == 200
    assert not response.cookies, "an anonymous public page sets no cookie"
    soup = BeautifulSoup(response.content, "html.parser")
    assert len(soup.find_all("h1")) == 1
    values = [node.get_text() for node in soup.select(".stat__value")]
    assert values[:2] == ["40M+", "+60\u00a0%"]
    assert soup.find("link", href="/static/css/charts.css")

    charts = soup.select("figure.chart")
    assert [chart["id"] for chart in charts] == ["chart-cores", "chart-industries", "chart-deployment-types"]
    for chart in charts:
        svg = chart.find("svg")
        assert svg["role"] == "img"
        title, desc = svg.find("title"), svg.find("desc")
        assert svg["aria-labelledby"] == f"{title['id']} {desc['id']}"
        assert desc.get_text().strip()
        assert chart.find("table").find("tbody").find_all("tr")
        name = chart["id"].removeprefix("chart-")
        year_query = "" if name == "cores" else "?year=2022"
        assert chart.find("a", href=f"/adoption/data/{name}/{year_query}")
        assert chart.find("a", href="/api/v1/adoption/" if name == "cores" else "/api/v1/adoption/2022/")
    cores_table = charts[0].find("table")
    assert [row.find("th").get_text() for row in cores_table.tbody.find_all("tr")] == ["2021", "2022"]
    assert "40,320,000" in cores_table.get_text()
    assert len(charts[0].find_all("rect")) == 2
    assert "Academic and research" in charts[1].get_text()
    assert not soup.find("script", src=False) or not soup.find("script", src=False).string
    assert "style=" not in response.content.decode()


@pytest.mark.django_db
def test_each_chart_downloads_as_csv(client, adoption_page):
    _seed({2021: 25_200_000, 2022: 40_320_000})
    response = client.get("/adoption/data/cores/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="adoption-cores.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header = ["year", "total_cores", "growth_percent", "responses", "computed_at", "min_segment_responses",
              "dominance_share"]  # fmt: skip
    assert rows[0] == header
    assert [row[:4] for row in rows[1:]] == [["2021", "25200000", "", "12"], ["2022", "40320000", "60.0", "12"]]
    assert all(row[4].startswith("2") and row[5:] == ["5", "0.60"] for row in rows[1:])
    industries = list(csv.DictReader(io.StringIO(client.get("/adoption/data/industries/").content.decode())))
    assert {row["segment"]: row["share_percent"] for row in industries} == {"telecom": "50.0", "research": "50.0"}
    assert client.get("/adoption/data/deployment-types/").status_code == 200
    assert client.get("/adoption/data/nothing/").status_code == 404


@pytest.mark.django_db
def test_the_page_costs_the_same_queries_for_few_or_many_editions(client, adoption_page, django_assert_max_num_queries):
    _seed({2021: 1_000_000})
    client.get("/adoption/")  # warm Wagtail's site and page caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.core import cache

    cache.purge()  # both measured requests follow a purge (new figures purge the cache), so cost alike
    with CaptureQueriesContext(connection) as few:
        client.get("/adoption/")
    _seed({year: 1_000_000 * (year - 1999) for year in range(2000, 2020)})
    with django_assert_max_num_queries(len(few)):
        assert client.get("/adoption/").status_code == 200


@pytest.mark.django_db
def test_without_published_figures_the_page_says_so_and_invites_to_the_survey(client, adoption_page):
    OpenEditionFactory()
    html = client.get("/adoption/").content.decode()
    assert "No survey results have been published yet." in html
    assert 'href="/adoption/survey/"' in html
    assert "<svg" not in html


@pytest.mark.django_db
def test_raw_responses_never_reach_the_page(client, adoption_page):
    _seed({2022: 1_200_000})
    ResponseFactory(edition=EditionFactory(year=2022), is_anonymous=False, organization_name="Secretive Bank")
    html = client.get("/adoption/").content.decode()
    assert "Secretive Bank" not in html
