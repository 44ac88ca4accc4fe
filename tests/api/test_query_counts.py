"""Acceptance 2: each list endpoint costs the same number of queries for 5 rows and for 200."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def _editions(start, count):
    from tests.adoption.factories import AggregateFactory, EditionFactory

    for year in range(1700 + start, 1700 + start + count):
        AggregateFactory(
            edition=EditionFactory(year=year),
            public_clouds=[{"name": f"Cloud {year}", "country": "SE", "regions": ["North", "South"]}],
        )


def _members(start, count):
    from tests.members.factories import MembershipTierFactory, member

    tier = MembershipTierFactory()
    for _ in range(count):
        member(tier)


def _tiers(start, count):
    from tests.members.factories import MembershipTierFactory

    MembershipTierFactory.create_batch(count)


def _projects(start, count, home=None):
    from tests.members.factories import OrganizationFactory
    from tests.portal import factories as pages

    index = pages.project_index(home)
    organization = OrganizationFactory()
    for n in range(start, start + count):
        pages.project(index, n, organizations=[organization], tags=("cloud", f"tag-{n % 3}"))


def _events(start, count):
    from decimal import Decimal

    from tests.events.factories import EventFactory, TicketTypeFactory

    for _ in range(count):
        TicketTypeFactory(event=EventFactory(), price=Decimal("10"))


ENDPOINTS = {
    "/api/v1/events/?page_size=200": _events,
    "/api/v1/adoption/?page_size=200": _editions,
    "/api/v1/public-clouds/?page_size=200": _editions,
    "/api/v1/members/?page_size=200": _members,
    "/api/v1/tiers/": _tiers,
    "/api/v1/projects/?page_size=200": _projects,
}


def _count(client, url) -> tuple[int, dict]:
    from portal.core.cache import purge

    purge()  # measure the view itself, not the anonymous cache in front of it
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.json()


def _rows(body) -> int:
    return len(body["results"]) if isinstance(body, dict) else len(body)


@pytest.mark.slow
@pytest.mark.parametrize("url", ENDPOINTS)
def test_queries_do_not_grow_with_rows(client, url, site_with_home):
    build = ENDPOINTS[url]
    kwargs = {"home": site_with_home} if build is _projects else {}
    build(0, 5, **kwargs)
    client.get(url)  # warm the site's caches (Wagtail's Site lookup and the like)
    few, body = _count(client, url)
    assert _rows(body) == 5
    build(5, 195, **kwargs)
    many, body = _count(client, url)
    assert _rows(body) == 200
    assert many == few, f"{url}: {few} queries for 5 rows, {many} for 200"
