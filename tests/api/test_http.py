"""HTTP on public endpoints: ETag and conditional GET, Last-Modified, Cache-Control, CORS."""

import pytest

from tests.adoption.factories import AggregateFactory, EditionFactory
from tests.api.factories import bearer, token

pytestmark = pytest.mark.django_db

URL = "/api/v1/adoption/"


@pytest.fixture
def edition():
    return AggregateFactory(edition=EditionFactory(year=2021))


def test_a_matching_etag_answers_304_without_a_body(client, edition):
    first = client.get(URL)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith('"') and len(etag) > 10
    again = client.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert again["Access-Control-Allow-Origin"] == "*"
    assert client.get(URL, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
    assert client.get(URL, HTTP_IF_NONE_MATCH=f"W/{etag}").status_code == 304, "weak comparison, as RFC 9110 says"


def test_the_etag_changes_when_the_data_does(client, edition):
    etag = client.get(URL)["ETag"]
    AggregateFactory(edition=EditionFactory(year=2022))
    changed = client.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json()["count"] == 2


def test_last_modified_is_kept_while_the_body_stays_the_same(client, edition, time_machine):
    time_machine.move_to("2026-01-01T12:00:00Z", tick=False)
    first = client.get(URL)
    assert first["Last-Modified"] == "Thu, 01 Jan 2026 12:00:00 GMT"
    time_machine.move_to("2026-01-01T13:00:00Z", tick=False)
    assert client.get(URL)["Last-Modified"] == first["Last-Modified"]
    assert client.get(URL, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    AggregateFactory(edition=EditionFactory(year=2023))
    changed = client.get(URL, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert changed.status_code == 200
    assert changed["Last-Modified"] == "Thu, 01 Jan 2026 13:00:00 GMT"


def test_anonymous_gets_are_public_for_a_minute_and_open_to_other_origins(client, edition):
    response = client.get(URL, HTTP_ORIGIN="https://dashboard.example")
    assert response["Cache-Control"] == "public, max-age=60"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert "Accept" in response["Vary"]
    preflight = client.options(URL, HTTP_ORIGIN="https://dashboard.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "authorization" not in preflight["Access-Control-Allow-Headers"].lower()


def test_authenticated_calls_are_private_and_get_no_cors(client, edition):
    _, secret = token("read")
    response = client.get(URL, HTTP_ORIGIN="https://dashboard.example", **bearer(secret))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "Access-Control-Allow-Origin" not in response
    assert "ETag" not in response


def test_writes_get_no_cors(client):
    response = client.post(URL, {}, HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 405
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/",
        "/api/v1/adoption/",
        "/api/v1/public-clouds/",
        "/api/v1/projects/",
        "/api/v1/members/",
        "/api/v1/tiers/",
    ],
)
def test_every_public_list_answers_304_to_its_own_etag(client, url, site_with_home):
    first = client.get(url)
    assert first.status_code == 200
    assert first["Cache-Control"] == "public, max-age=60"
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
