"""A cache that cannot be reached degrades the site to uncached pages: no visitor sees an error."""

import logging
import os
import re

import pytest
from django.core.cache import cache

from tests.tcp_proxy import TcpProxy

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


@pytest.fixture
def redis_behind_proxy(settings):
    """The cache on the real Redis, through a proxy the test can cut; emptied before and after."""
    url = os.environ["REDIS_URL"]
    host, port, db = re.match(r"redis://([^:/]+):(\d+)/?(\d*)", url).groups()
    proxy = TcpProxy(host, int(port))
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.core.cache_backends.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{proxy.port}/{db or 0}",
            "KEY_PREFIX": "cache-outage-test",
            "OPTIONS": {"socket_connect_timeout": 1.0, "socket_timeout": 1.0},
        }
    }
    settings.PAGE_CACHE_SECONDS = 300
    cache.clear()
    yield proxy
    if proxy.is_cut:
        proxy.restore()
    cache.clear()
    proxy.cut()


@pytest.mark.redis
@pytest.mark.django_db
def test_redis_going_away_mid_run_degrades_pages_and_its_return_is_noticed(
    client, site_with_home, redis_behind_proxy, caplog
):
    """A real Redis behind a proxy the test cuts: cached pages, then uncached ones (never a 500), then cached again."""
    proxy = redis_behind_proxy
    assert client.get("/").status_code == 200
    assert client.get("/")["X-Page-Cache"] == "hit"

    proxy.cut()
    with caplog.at_level(logging.WARNING, logger="portal.core.cache_backends"):
        during = [client.get("/") for _ in range(3)]
        assert [r.status_code for r in during] == [200, 200, 200]
        assert all(r["X-Page-Cache"] == "miss" for r in during)
        assert site_with_home.title in during[-1].content.decode()

        proxy.restore()
        assert client.get("/").status_code == 200
    messages = [r.getMessage() for r in caplog.records]
    assert len([m for m in messages if "cannot be reached" in m]) == 1, "the outage is logged once"
    assert [r.levelname for r in caplog.records if "cannot be reached" in r.getMessage()] == ["ERROR"]
    assert any("reachable again" in m for m in messages)
    assert client.get("/")["X-Page-Cache"] == "hit", "the cache serves again"


@pytest.mark.django_db
def test_a_signed_in_person_s_pages_render_and_their_header_is_right_without_the_cache(
    client, site_with_home, cache_down
):
    """The generation and the person's kind of header come together from the cache (or not at all): without
    it, the kind comes from the database, and kept and unkept pages alike render."""
    from portal.models import User
    from tests.events.factories import EventFactory, TicketTypeFactory, paid_order

    event = EventFactory(slug="summit")
    order = paid_order(event, TicketTypeFactory(event=event, price=0), n=1)
    client.force_login(User.objects.create_user(email="grace@example.org", password="x" * 12, is_superuser=True))
    for path in ("/accounts/", order.get_absolute_url(), "/"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert 'href="/admin/"' in page.content.decode(), path
        assert page.get("X-Page-Cache") != "hit", path


@pytest.mark.redis
@pytest.mark.django_db
def test_a_signed_in_person_goes_on_when_redis_goes_away_and_comes_back(client, site_with_home, redis_behind_proxy):
    """Signed in: kept pages (their kind's copy), unkept ones (My account, an order) and the header's Admin
    link, with Redis there, cut, and back."""
    from portal.models import User
    from tests.events.factories import EventFactory, TicketTypeFactory, paid_order

    event = EventFactory(slug="summit")
    order = paid_order(event, TicketTypeFactory(event=event, price=0), n=1)
    client.force_login(User.objects.create_user(email="grace@example.org", password="x" * 12, is_superuser=True))

    def visit() -> list:
        pages = [client.get(path) for path in ("/accounts/", order.get_absolute_url(), "/")]
        assert [page.status_code for page in pages] == [200, 200, 200]
        assert all('href="/admin/"' in page.content.decode() for page in pages)
        return [page.get("X-Page-Cache") for page in pages]

    assert visit() == [None, None, "miss"]
    assert visit() == [None, None, "hit"]
    redis_behind_proxy.cut()
    assert visit() == [None, None, "miss"]  # rendered afresh (the cache answers as an empty one)
    redis_behind_proxy.restore()
    assert visit()[2] in ("hit", "miss")
    assert visit() == [None, None, "hit"]
