"""Rate limits beyond log-in: sign-up, password reset (allauth), the survey (ours), the API (DRF)."""

import pytest
import time_machine
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory
from rest_framework.throttling import AnonRateThrottle

from portal.core.ratelimit import parse_rate, rate_limit
from tests.accounts.factories import UserFactory


@pytest.fixture(autouse=True)
def _fresh_counts():
    """No counts from other tests, and a clock that stays inside one window (limits count per window)."""
    cache.clear()
    with time_machine.travel("2026-11-25 10:00:30Z", tick=False):
        yield
    cache.clear()


def test_rates_are_written_as_count_per_period():
    assert parse_rate("5/m") == (5, 60)
    assert parse_rate("10/15m") == (10, 900)
    assert parse_rate("100/d") == (100, 86400)
    with pytest.raises(ValueError, match="5/m, 100/h"):
        parse_rate("five a minute")
    with pytest.raises(ValueError):
        rate_limit("x", "1/m", key="cookie")


@pytest.mark.django_db
def test_the_survey_refuses_a_burst_with_a_page_that_says_why(client):
    from tests.adoption.factories import EditionFactory

    EditionFactory(year=2026, opens="2026-01-01T00:00:00Z", closes="2099-01-01T00:00:00Z")
    client.force_login(UserFactory())
    statuses = [client.post("/adoption/survey/", {"cores": "many"}).status_code for _ in range(5)]
    assert statuses == [400] * 5  # invalid answers, each one counted
    response = client.post("/adoption/survey/", {"cores": "many"})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert 1 <= int(response["Retry-After"]) <= 60
    assert client.get("/adoption/survey/").status_code == 200  # reading is not limited


@pytest.mark.django_db
def test_limits_count_per_person_and_settings_can_change_them(settings):
    settings.GUILDHALL_RATE_LIMITS = {"demo": "2/m"}
    view = rate_limit("demo", "100/m")(lambda request: HttpResponse("ok"))
    factory = RequestFactory()
    alice, bob = UserFactory(), UserFactory()

    def post(user):
        request = factory.post("/demo/")
        request.user = user
        return view(request).status_code

    assert [post(alice), post(alice), post(alice)] == [200, 200, 429]
    assert post(bob) == 200  # Bob has his own count


def test_api_clients_get_the_house_error_format():
    from django.contrib.auth.models import AnonymousUser

    view = rate_limit("api-demo", "1/m", key="ip", methods=None)(lambda request: HttpResponse("ok"))
    request = RequestFactory().get("/api/v1/anything/")
    request.user = AnonymousUser()
    assert view(request).status_code == 200
    response = view(request)
    assert response.status_code == 429
    import json

    body = json.loads(response.content)
    assert body["code"] == "throttled" and body["message"].startswith("Too many attempts")
    assert body["extra"]["retry_after"] == int(response["Retry-After"])


@pytest.mark.django_db
def test_sign_up_is_rate_limited_per_address(client, settings):
    assert settings.ACCOUNT_RATE_LIMITS["signup"] == "20/m/ip"
    for n in range(20):
        response = client.post("/accounts/signup/", {"email": f"x{n}@example.org", "password1": "a", "password2": "b"})
        assert response.status_code == 200  # the form's own errors
    response = client.post("/accounts/signup/", {"email": "late@example.org", "password1": "a", "password2": "b"})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


@pytest.mark.django_db
def test_password_reset_is_rate_limited_per_address_and_per_e_mail(
    client, settings, django_capture_on_commit_callbacks
):
    assert settings.ACCOUNT_RATE_LIMITS["reset_password"] == "20/m/ip,5/m/key"
    person = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            assert client.post("/accounts/password/reset/", {"email": person.email}).status_code == 302
    response = client.post("/accounts/password/reset/", {"email": person.email})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    cache.clear()  # a new minute: the same person may ask again
    assert client.post("/accounts/password/reset/", {"email": person.email}).status_code == 302


@pytest.mark.django_db
def test_an_api_burst_gets_429_in_the_house_format(client, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "rate", "3/min", raising=False)
    assert [client.get("/api/v1/").status_code for _ in range(3)] == [200, 200, 200]
    response = client.get("/api/v1/")
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "throttled"
    assert set(body) == {"message", "code", "extra"} and body["extra"]["retry_after"] >= 1
