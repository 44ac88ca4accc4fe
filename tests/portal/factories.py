"""Pages for tests: a small tree under the demo's home page, built without the demo loader."""

import datetime

from portal.models import (
    HomePage,
    JoinPage,
    MemberDirectoryPage,
    NewsIndexPage,
    NewsPage,
    ProjectIndexPage,
    ProjectPage,
)


def _child(parent, page):
    existing = parent.get_children().filter(slug=page.slug).specific().first()
    if existing is not None:
        return existing
    parent.add_child(instance=page)
    return page


def project_index(home: HomePage) -> ProjectIndexPage:
    return _child(home, ProjectIndexPage(title="Projects", slug="projects"))


def project(index: ProjectIndexPage, n: int, *, tags=("cloud",), organizations=(), **fields) -> ProjectPage:
    values = {
        "title": f"Project {n:04d}",
        "slug": f"project-{n:04d}",
        "tagline": f"Tagline of project {n}",
        "description": f"<p>Description of project {n}.</p>",
        "status": "confirmed",
        "founded_year": 2015,
        "repository": f"https://opendev.example/project-{n}",
        "latest_release_name": "1.0",
        "latest_release_date": datetime.date(2025, 1, 1),
    }
    values.update(fields)
    page = ProjectPage(**values)
    page.tags.add(*tags)
    page.contributing_organizations = list(organizations)
    index.add_child(instance=page)
    return page


def directory(home: HomePage) -> MemberDirectoryPage:
    return _child(home, MemberDirectoryPage(title="Members", slug="members"))


def join_page(home: HomePage) -> JoinPage:
    return _child(home, JoinPage(title="Join", slug="join"))


def news_index(home: HomePage) -> NewsIndexPage:
    return _child(home, NewsIndexPage(title="News", slug="news"))


def news(index: NewsIndexPage, n: int, **fields) -> NewsPage:
    values = {
        "title": f"News {n}",
        "slug": f"news-{n}",
        "date": datetime.date(2025, 1, 1) + datetime.timedelta(days=n),
        "intro": f"Summary {n}",
    }
    values.update(fields)
    page = NewsPage(**values)
    index.add_child(instance=page)
    return page
