"""Acceptance 3: pages cost a fixed number of queries whatever the number of members and projects.

Measured on the first request after the page cache is purged, with Django's content-type cache and
Wagtail's site-root cache warm (as in any running process).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.core import cache
from tests.members.factories import MembershipTierFactory, member
from tests.portal.factories import directory, join_page, news, news_index, project, project_index

pytestmark = pytest.mark.django_db

BUDGETS = {"/": 20, "/projects/project-0000/": 12, "/members/": 10}


def _grow(home, tiers, index, size: int) -> None:
    have_members = len(home._test_members)
    for n in range(have_members, size):
        home._test_members.append(member(tiers[n % len(tiers)], country=["Germany", "Japan", "Brazil"][n % 3]))
    have_projects = len(home._test_projects)
    for n in range(have_projects, size):
        home._test_projects.append(project(index, n, tags=["cloud", f"tag-{n}"], organizations=home._test_members[:3]))
    first = home._test_projects[0]
    first.related_projects = home._test_projects[1:]
    first.contributing_organizations = home._test_members
    first.save()


def _measure(client) -> dict[str, int]:
    client.get("/projects/")  # warm process-wide caches (content types, site root paths, site settings)
    counts = {}
    for url in BUDGETS:
        cache.purge()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        assert response["X-Page-Cache"] == "miss"
        counts[url] = len(queries)
    return counts


@pytest.mark.slow
def test_home_project_and_directory_pages_cost_the_same_for_5_and_200_rows(client, site_with_home):
    home = site_with_home
    home._test_members, home._test_projects = [], []
    tiers = [MembershipTierFactory(rank=rank, slug=f"tier-{rank}") for rank in (1, 2, 3, 4)]
    index = project_index(home)
    directory(home)
    join_page(home)
    feed = news_index(home)
    for n in range(5):
        news(feed, n)

    _grow(home, tiers, index, 5)
    small = _measure(client)
    _grow(home, tiers, index, 200)
    for n in range(5, 30):
        news(feed, n)
    large = _measure(client)

    assert large == small
    for url, budget in BUDGETS.items():
        assert large[url] <= budget, f"{url}: {large[url]} queries, budget {budget}"
    # The big directory really shows everyone.
    assert client.get("/members/").content.decode().count('class="card"') >= 200
