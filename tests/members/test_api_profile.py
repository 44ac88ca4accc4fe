"""PATCH /api/v1/members/<slug>/ lets that organisation's admins, signed in with the session and
a CSRF token, change its public profile through organization_profile_update; everyone else is refused
in the API's error format, and anonymous reads stay public and cacheable."""

import json

import pytest
from django.test import Client
from wagtail.models import ModelLogEntry

from members.models import Organization
from tests.accounts.factories import UserFactory
from tests.api.factories import bearer, token
from tests.members.factories import MembershipTierFactory, member, role_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/members/acme/"


@pytest.fixture
def acme():
    return member(MembershipTierFactory(), name="Acme", slug="acme", country="Germany")


def session_client(user) -> Client:
    """A browser-like client: CSRF enforced, as for a page's script calling the API."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/accounts/")  # a page with a form sets the CSRF cookie
    return client


def patch(client: Client, body: dict, *, csrf: bool = True, **headers):
    if csrf and "csrftoken" in client.cookies:
        headers["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value
    return client.patch(URL, data=json.dumps(body), content_type="application/json", **headers)


def test_an_admin_changes_the_public_profile(acme):
    admin = role_for(acme, "admin")
    client = session_client(admin)
    response = patch(client, {"description": "Runs sovereign clouds.", "country": "France"})
    assert response.status_code == 200, response.content
    assert response.json()["country"] == "France" and response.json()["slug"] == "acme"
    assert response["Cache-Control"] == "private, no-store"
    acme.refresh_from_db()
    assert (acme.description, acme.country, acme.name) == ("Runs sovereign clouds.", "France", "Acme")
    assert ModelLogEntry.objects.get(action="guildhall.organization.update").user == admin
    public = Client().get(URL)
    assert public.json()["country"] == "France" and public["Cache-Control"] == "public, max-age=60"


def test_without_the_csrf_token_the_session_is_not_enough(acme):
    client = session_client(role_for(acme, "admin"))
    response = patch(client, {"country": "France"}, csrf=False)
    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]
    assert Organization.objects.get(slug="acme").country == "Germany"


@pytest.mark.parametrize("role", ["billing", "technical", "marketing"])
def test_other_roles_of_the_organisation_get_403(acme, role):
    response = patch(session_client(role_for(acme, role)), {"country": "France"})
    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"
    assert Organization.objects.get(slug="acme").country == "Germany"


def test_an_admin_of_another_organisation_gets_404(acme):
    globex = member(MembershipTierFactory(), slug="globex")
    response = patch(session_client(role_for(globex, "admin")), {"country": "France"})
    assert response.status_code == 404
    assert set(response.json()) == {"message", "code", "extra"}


def test_anonymous_callers_get_401_and_tokens_403(acme):
    assert Client().patch(URL, data="{}", content_type="application/json").status_code == 401
    _, secret = token("read", "checkin", "staff")
    response = Client().patch(URL, data="{}", content_type="application/json", **bearer(secret))
    assert response.status_code == 403
    assert "API tokens cannot" in response.json()["message"]


def test_invalid_fields_are_a_400_naming_the_field(acme):
    response = patch(session_client(role_for(acme, "admin")), {"website": "not a url", "industry": "piracy"})
    assert response.status_code == 400
    assert set(response.json()["extra"]["fields"]) == {"website", "industry"}


def test_the_slug_cannot_be_changed(acme):
    response = patch(session_client(role_for(acme, "admin")), {"slug": "hijacked", "name": "Acme Cloud"})
    assert response.status_code == 200
    assert Organization.objects.filter(slug="acme", name="Acme Cloud").exists()


def test_a_signed_in_read_is_private_and_an_anonymous_one_public(acme):
    person = UserFactory()
    client = Client()
    client.force_login(person)
    assert client.get(URL)["Cache-Control"] == "private, no-store"
    anonymous = Client().get(URL)
    assert anonymous["Cache-Control"] == "public, max-age=60" and anonymous["Access-Control-Allow-Origin"] == "*"


def test_the_schema_documents_the_patch(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/members/{slug}/"]["patch"]
    assert {"400", "401", "403", "404"} <= set(operation["responses"])
    assert {} not in operation["security"]
    assert "put" not in schema["paths"]["/api/v1/members/{slug}/"]


def test_a_name_with_a_bidi_override_is_a_400_naming_the_field(acme):
    response = patch(session_client(role_for(acme, "admin")), {"name": "Acme\u202egpj.exe"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and set(body["extra"]["fields"]) == {"name"}
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in body["message"]
    assert Organization.objects.get(slug="acme").name == "Acme"
