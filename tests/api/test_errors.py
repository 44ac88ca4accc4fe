"""The API answers JSON in its own error format for every error, including those Django raises before
a view runs (a body too large, an unknown URL) and those no view catches (a 500); people get the site's
own pages for the same errors."""

import json

import pytest
from django.test import Client
from django.urls import path

from portal.api.parsers import MAX_DEPTH, nesting_depth
from tests.members.factories import MembershipTierFactory, member, role_for
from tests.members.test_api_profile import patch, session_client

pytestmark = pytest.mark.django_db


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert body["code"] == code and body["message"], body
    return body


@pytest.fixture
def admin_client():
    acme = member(MembershipTierFactory(), name="Acme", slug="acme", country="Germany")
    return session_client(role_for(acme, "admin"))


def test_a_body_nested_100000_deep_is_a_400_that_says_so(admin_client):
    body = "[" * 100_000 + "]" * 100_000
    headers = {"HTTP_X_CSRFTOKEN": admin_client.cookies["csrftoken"].value}
    response = admin_client.patch("/api/v1/members/acme/", data=body, content_type="application/json", **headers)
    message = _error(response, 400, "parse_error")["message"]
    assert f"deeper than {MAX_DEPTH}" in message


def test_ordinary_nesting_and_brackets_inside_strings_still_parse(admin_client):
    response = patch(admin_client, {"description": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[ {{{{ ]]"})
    assert response.status_code == 200, response.content
    assert nesting_depth(json.dumps({"a": [[{"b": "]]]]"}]]})) == 4


def test_a_body_over_the_limit_is_a_413_in_json(admin_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    headers = {"HTTP_X_CSRFTOKEN": admin_client.cookies["csrftoken"].value}
    big = json.dumps({"description": "x" * (2 * 1024 * 1024)})
    response = admin_client.patch("/api/v1/members/acme/", data=big, content_type="application/json", **headers)
    body = _error(response, 413, "too_large")
    assert "1 MB" in body["message"] and body["extra"]["max_bytes"] == 1024 * 1024


def test_an_unsupported_media_type_is_a_415_in_json(admin_client):
    headers = {"HTTP_X_CSRFTOKEN": admin_client.cookies["csrftoken"].value}
    response = admin_client.patch("/api/v1/members/acme/", data="<x/>", content_type="application/xml", **headers)
    _error(response, 415, "unsupported_media_type")


def test_an_unknown_api_url_is_a_404_in_json():
    _error(Client().get("/api/v1/no-such-thing/"), 404, "not_found")


def _boom(request):
    raise RuntimeError("the database went away")


urlpatterns = [path("api/v1/boom/", _boom), path("boom/", _boom)]
handler500 = "portal.core.errors.server_error"  # as in portal/urls.py


@pytest.mark.urls("tests.api.test_errors")
def test_an_uncaught_error_is_a_500_in_json_for_the_api_and_a_page_for_people():
    client = Client(raise_request_exception=False)
    body = _error(client.get("/api/v1/boom/"), 500, "server_error")
    assert "database" not in body["message"], "the cause stays in the log"
    page = client.get("/boom/")
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")
    assert "Something went wrong on our side" in page.content.decode()


def test_people_get_the_sites_404_page():
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and 'action="/search/"' in html and 'name="robots" content="noindex"' in html


def test_a_person_sending_too_much_gets_the_sites_page(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = Client().post("/accounts/login/", {"login": "x" * 4096, "password": "secret"})
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert "The request is larger than the site accepts (1 KB)." in response.content.decode()
