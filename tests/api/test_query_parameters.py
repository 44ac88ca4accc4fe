"""Every /api/v1/ list holds its query parameters to the schema: a value it cannot use is a 400 that
names the parameter; a valid page number past the end is a 404."""

import pytest

from tests.api.factories import token
from tests.events.factories import EventFactory
from tests.members.factories import MembershipTierFactory, member
from tests.portal.factories import project, project_index

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(site_with_home):
    member(MembershipTierFactory(slug="gold"), slug="acme", country="Norway", industry="cloud")
    project(project_index(site_with_home), 1, slug="edgy", tags=["edge"])
    EventFactory(slug="summit", city="Paris", country="France")


LISTS = ["/api/v1/members/", "/api/v1/projects/", "/api/v1/events/", "/api/v1/adoption/", "/api/v1/public-clouds/"]
BAD_VALUES = {
    "/api/v1/members/": ["tier=", "country=", "country_code=", "industry=", "industry=mining", "tier=gold&tier=x"],
    "/api/v1/projects/": ["status=", "status=nonsense", "tag=", "status=archived&status=incubating"],
    "/api/v1/events/": ["city=", "country=", "currency=", "when=", "when=tomorrow", "ordering=", "ordering=price"],
}


def _assert_rejected(client, url, parameter):
    response = client.get(url)
    assert response.status_code == 400, (url, response.status_code)
    body = response.json()
    assert body["code"] == "invalid"
    assert parameter in body["extra"]["fields"]
    assert body["message"].startswith(f"{parameter}:")


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("page=", "page"),
        ("page=abc", "page"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=1.5", "page"),
        ("page=last", "page"),
        ("page=1&page=2", "page"),
        ("page_size=", "page_size"),
        ("page_size=0", "page_size"),
        ("page_size=201", "page_size"),
    ],
)
def test_a_malformed_page_is_a_400_naming_it(client, rows, url, query, parameter):
    _assert_rejected(client, f"{url}?{query}", parameter)


@pytest.mark.parametrize("url", LISTS)
def test_a_valid_page_past_the_end_is_a_404(client, rows, url):
    assert client.get(f"{url}?page=1").status_code == 200
    response = client.get(f"{url}?page=99")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(("url", "query"), [(url, query) for url, queries in BAD_VALUES.items() for query in queries])
def test_a_blank_unknown_or_repeated_filter_value_is_a_400_naming_it(client, rows, url, query):
    _assert_rejected(client, f"{url}?{query}", query.split("=")[0])


def test_the_staff_lists_hold_their_page_parameters_too(client, rows):
    _, secret = token("staff")
    headers = {"Authorization": f"Bearer {secret}"}
    for path in ("orders", "attendees"):
        url = f"/api/v1/events/summit/{path}/"
        assert client.get(url, headers=headers).status_code == 200
        assert client.get(f"{url}?page=abc", headers=headers).status_code == 400
        assert client.get(f"{url}?page=2", headers=headers).status_code == 404


def test_valid_filters_and_orderings_still_work(client, rows):
    EventFactory(slug="forum", name="A forum", city="Oslo", country="Norway")

    def slugs(url):
        response = client.get(url)
        assert response.status_code == 200, response.json()
        return [row["slug"] for row in response.json()["results"]]

    assert slugs("/api/v1/events/?city=Oslo") == ["forum"]
    assert slugs("/api/v1/events/?ordering=name") == ["forum", "summit"]
    assert slugs("/api/v1/events/?ordering=-name,start") == ["summit", "forum"]
    assert slugs("/api/v1/events/?when=past") == []
    assert slugs("/api/v1/events/?when=upcoming&city=Paris") == ["summit"]
    assert slugs("/api/v1/members/?industry=cloud&tier=gold") == ["acme"]
    assert slugs("/api/v1/members/?tier=platinum") == []
    assert slugs("/api/v1/projects/?tag=edge") == ["edgy"]
