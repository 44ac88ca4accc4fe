"""A cache that cannot be reached degrades the site to uncached pages: no visitor sees an error."""

import logging

import pytest

DOWN = {"default": {"BACKEND": "portal.core.cache_backends.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}


@pytest.fixture
def cache_down(settings):
    settings.CACHES = DOWN
    settings.PAGE_CACHE_SECONDS = 300


@pytest.mark.django_db
def test_pages_render_uncached_and_the_outage_is_logged_once(client, site_with_home, cache_down, caplog):
    with caplog.at_level(logging.ERROR, logger="portal.core.cache_backends"):
        first = client.get("/")
        second = client.get("/")
    assert first.status_code == 200 and second.status_code == 200
    assert site_with_home.title in second.content.decode()
    outage = [r for r in caplog.records if "cannot be reached" in r.getMessage()]
    assert len(outage) == 1


@pytest.mark.django_db
def test_a_form_behind_a_rate_limit_still_answers(client, cache_down):
    from tests.accounts.factories import UserFactory
    from tests.adoption.factories import EditionFactory

    EditionFactory(year=2026, opens="2026-01-01T00:00:00Z", closes="2099-01-01T00:00:00Z")
    client.force_login(UserFactory())
    statuses = [client.post("/adoption/survey/", {"cores": "many"}).status_code for _ in range(3)]
    assert statuses == [400] * 3, "the form's own answer: no limit can be counted, and no error either"


def test_the_degraded_cache_answers_as_an_empty_one(cache_down):
    from django.core.cache import caches

    cache = caches["default"]
    cache.set("k", "v")
    assert cache.get("k", "missing") == "missing"
    assert cache.add("k", 1) is False
    assert cache.get_many(["k"]) == {}
    with pytest.raises(ValueError):
        cache.incr("k")
