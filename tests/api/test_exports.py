"""Exports: members and projects as CSV, and both as a landscape.yml that landscape sites can ingest."""

import csv
import io

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.members.factories import MembershipTierFactory, member
from tests.portal import factories as pages

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(site_with_home):
    platinum = MembershipTierFactory(name="Platinum", slug="platinum", rank=1)
    gold = MembershipTierFactory(name="Gold", slug="gold", rank=2)
    acme = member(platinum, name="Acme", slug="acme", website="https://acme.example/", description="Clouds.")
    member(gold, name="=HYPERLINK(evil)", slug="evil", website="")
    index = pages.project_index(site_with_home)
    pages.project(index, 1, title="Zuul", slug="zuul", tagline="Gating CI", website="https://zuul-ci.example/",
                  organizations=[acme], tags=("ci", "gating"))  # fmt: skip
    pages.project(index, 2, title="Airship", slug="airship", status="incubating", website="")
    return {"acme": acme}


def _csv(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_members_csv_lists_current_members_in_tier_order_and_defuses_formulas(client, catalogue):
    response = client.get("/api/v1/exports/members.csv")
    rows = _csv(response)
    assert [(row["slug"], row["tier"]) for row in rows] == [("acme", "Platinum"), ("evil", "Gold")]
    assert rows[0]["website"] == "https://acme.example/"
    assert rows[0]["url"] == "http://testserver/members/acme/"
    assert rows[0]["logo_url"].startswith("http://testserver/media/")
    assert rows[1]["name"] == "'=HYPERLINK(evil)"
    assert (rows[0]["country"], rows[0]["country_code"]) == (catalogue["acme"].country, "DE")
    assert response["Content-Disposition"] == 'inline; filename="members.csv"'
    assert response["Access-Control-Allow-Origin"] == "*" and response["ETag"]


def test_projects_csv(client, catalogue):
    rows = _csv(client.get("/api/v1/exports/projects.csv", HTTP_ACCEPT="application/json"))
    assert [row["slug"] for row in rows] == ["airship", "zuul"]
    zuul = rows[1]
    assert zuul["status"] == "confirmed" and zuul["tags"] == "ci gating" and zuul["tagline"] == "Gating CI"
    assert zuul["url"] == "http://testserver/projects/zuul/"


def test_landscape_yml_has_the_upstream_shape(client, catalogue):
    response = client.get("/api/v1/exports/landscape.yml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/yaml")
    text = response.content.decode()
    assert "- category:\n    name: " in text, "markers are empty keys beside the entry, as in cncf/landscape"
    assert "- item:\n" in text
    data = yaml.safe_load(text)
    projects, members = data["landscape"]
    assert projects["category"] is None and projects["name"].endswith("Projects")
    assert [sub["name"] for sub in projects["subcategories"]] == ["Incubating", "Confirmed"]
    zuul = projects["subcategories"][1]["items"][0]
    assert zuul == {
        "item": None,
        "name": "Zuul",
        "homepage_url": "https://zuul-ci.example/",
        "description": "Gating CI",
        "logo": "zuul.svg",
        "repo_url": "https://opendev.example/project-1",
        "project": "graduated",
    }
    airship = projects["subcategories"][0]["items"][0]
    assert airship["homepage_url"] == "http://testserver/projects/airship/", "no website: the project's page"
    assert [sub["name"] for sub in members["subcategories"]] == ["Platinum", "Gold"]
    acme = members["subcategories"][0]["items"][0]
    assert acme["name"] == "Acme" and acme["homepage_url"] == "https://acme.example/"
    assert acme["logo"] == "acme.svg" and acme["description"] == "Clouds."
    for category in data["landscape"]:
        for subcategory in category["subcategories"]:
            assert subcategory["subcategory"] is None
            for item in subcategory["items"]:
                assert {"item", "name", "homepage_url", "logo"} <= set(item)


def test_the_api_root_links_the_exports(client):
    exports = client.get("/api/v1/").json()["exports"]
    assert exports["landscape.yml"] == "http://testserver/api/v1/exports/landscape.yml"
    assert exports["landscape.zip"] == "http://testserver/api/v1/exports/landscape.zip"


@pytest.mark.slow
@pytest.mark.parametrize(
    "url", ["/api/v1/exports/members.csv", "/api/v1/exports/projects.csv", "/api/v1/exports/landscape.yml"]
)
def test_exports_cost_the_same_queries_for_5_and_200_rows(client, url, site_with_home):
    tier = MembershipTierFactory()
    index = pages.project_index(site_with_home)

    def grow(start, count):
        for n in range(start, start + count):
            member(tier)
            pages.project(index, n, tags=("cloud", f"t{n % 4}"))

    grow(0, 5)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    grow(5, 195)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.count(b"example-company-") >= 200 or url.endswith("projects.csv")
    assert len(many) == len(few)
