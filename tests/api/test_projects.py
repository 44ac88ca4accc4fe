import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.core import cache
from tests.members.factories import MembershipTierFactory, member
from tests.portal.factories import project, project_index

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects_index(site_with_home):
    return project_index(site_with_home)


def test_projects_list_and_detail(client, projects_index):
    company = member(MembershipTierFactory(), name="Acme Cloud", slug="acme-cloud")
    edge = project(projects_index, 1, title="Edgy", slug="edgy", tags=["edge", "telecom"], organizations=[company])
    core = project(projects_index, 2, title="Core", slug="core", status="incubating", tags=["iaas"])
    edge.related_projects = [core]
    edge.save()

    body = client.get("/api/v1/projects/").json()
    assert [p["slug"] for p in body["results"]] == ["core", "edgy"]

    detail = client.get("/api/v1/projects/edgy/").json()
    assert detail["name"] == "Edgy"
    assert detail["url"] == "http://testserver/projects/edgy/"
    assert detail["tags"] == ["edge", "telecom"]
    assert detail["related_projects"] == [{"slug": "core", "name": "Core"}]
    assert detail["contributing_organizations"] == [{"slug": "acme-cloud", "name": "Acme Cloud"}]
    assert detail["latest_release"] == {"name": "1.0", "date": "2025-01-01"}


def test_projects_filter_by_status_and_tag(client, projects_index):
    project(projects_index, 1, slug="a", status="incubating", tags=["edge"])
    project(projects_index, 2, slug="b", status="confirmed", tags=["edge"])
    project(projects_index, 3, slug="c", status="confirmed", tags=["iaas"])

    def slugs(query):
        return [p["slug"] for p in client.get(f"/api/v1/projects/?{query}").json()["results"]]

    assert slugs("status=incubating") == ["a"]
    assert slugs("tag=edge") == ["a", "b"]
    assert slugs("status=confirmed&tag=edge") == ["b"]
    response = client.get("/api/v1/projects/?status=nonsense")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_unpublished_projects_are_not_in_the_api(client, projects_index):
    hidden = project(projects_index, 1, slug="hidden")
    hidden.unpublish()
    assert client.get("/api/v1/projects/").json()["count"] == 0
    response = client.get("/api/v1/projects/hidden/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def _count_queries(client, url) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.json()


@pytest.mark.slow
def test_projects_list_costs_the_same_for_5_and_200_projects(client, projects_index, django_assert_max_num_queries):
    tier = MembershipTierFactory()
    organizations = [member(tier) for _ in range(3)]
    for n in range(5):
        project(projects_index, n, tags=["a", f"t{n}"], organizations=organizations)
    client.get("/api/v1/projects/")  # warm Django's content-type and Wagtail's site caches
    small, body = _count_queries(client, "/api/v1/projects/?page_size=200")
    assert body["count"] == 5

    for n in range(5, 200):
        project(projects_index, n, tags=["a", f"t{n}"], organizations=organizations)
    cache.purge()  # the factory adds pages without publishing them, so nothing purged the cached list
    with django_assert_max_num_queries(small):
        large, body = _count_queries(client, "/api/v1/projects/?page_size=200")
    assert len(body["results"]) == 200
    assert large == small
