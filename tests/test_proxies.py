"""Every limit reads the client's address one way: X-Forwarded-For hops are trusted only as far as
TRUSTED_PROXY_COUNT says, so a client rotating that header gets no fresh budget."""

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory
from rest_framework import throttling

from portal.core.ratelimit import rate_limit


@pytest.fixture(autouse=True)
def _tight_api_limit(monkeypatch):
    # The throttle classes read their rates once, at import: patch the class attribute for these tests.
    monkeypatch.setattr(
        throttling.SimpleRateThrottle,
        "THROTTLE_RATES",
        {"anon": "2/minute", "token": "100/minute", "user": "100/minute"},
    )
    cache.clear()
    yield
    cache.clear()


def _api(client, remote: str, forwarded: str) -> int:
    return client.get("/api/v1/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded).status_code


@pytest.mark.django_db
def test_rotating_x_forwarded_for_does_not_escape_the_api_limit_with_no_proxy(client):
    # Nothing sits in front: the header is the client's own invention and is ignored.
    statuses = [_api(client, "198.51.100.7", f"10.9.9.{i}") for i in range(4)]
    assert statuses == [200, 200, 429, 429]


@pytest.mark.django_db
def test_behind_one_proxy_the_last_hop_is_the_client(client, settings):
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.1"
    # The client prepends what it likes; our proxy appends the address it saw.
    statuses = [_api(client, proxy, f"10.9.9.{i}, 203.0.113.5") for i in range(3)]
    assert statuses == [200, 200, 429]
    assert _api(client, proxy, "10.9.9.1, 203.0.113.6") == 200, "another client behind the proxy has its own budget"


@pytest.mark.django_db
def test_the_sites_own_limits_ignore_a_rotated_header_too(settings):
    settings.GUILDHALL_RATE_LIMITS = {"proxy-demo": "2/m"}
    view = rate_limit("proxy-demo", "100/m", key="ip")(lambda request: HttpResponse("ok"))
    factory = RequestFactory()

    def post(forwarded: str) -> int:
        request = factory.post("/demo/", REMOTE_ADDR="198.51.100.8", HTTP_X_FORWARDED_FOR=forwarded)
        request.user = None
        return view(request).status_code

    assert [post(f"10.8.8.{i}") for i in range(3)] == [200, 200, 429]
