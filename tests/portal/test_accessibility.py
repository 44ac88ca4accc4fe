"""Acceptance 5: every public page of the demo has one h1, lang, a main landmark, labelled navs, alt on images,
headings in order, and an anonymous visit sets no cookie."""

import pytest
from bs4 import BeautifulSoup

from members.models import Organization
from portal.models import NewsPage, ProjectPage
from portal.site import demo

pytestmark = pytest.mark.django_db

HTML_URLS = [
    "/",
    "/about/",
    "/projects/",
    "/members/",
    "/members/?tier=gold",
    "/members/individuals/",
    "/join/",
    "/news/",
    "/search/",
    "/search/?q=kata",
]


@pytest.fixture
def demo_site(db):
    demo.load()
    urls = list(HTML_URLS)
    urls += [page.url for page in ProjectPage.objects.live()]
    urls += [page.url for page in NewsPage.objects.live()[:2]]
    urls += [
        f"/members/{slug}/"
        for slug in Organization.objects.filter(memberships__status="active").values_list("slug", flat=True)[:3]
    ]
    return urls


def _problems(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    problems = []
    if not soup.html.get("lang"):
        problems.append("<html> has no lang")
    if len(soup.find_all("h1")) != 1:
        problems.append(f"{len(soup.find_all('h1'))} h1 elements")
    if len(soup.find_all("main")) != 1:
        problems.append("no single <main> landmark")
    for nav in soup.find_all("nav"):
        if not (nav.get("aria-label") or nav.get("aria-labelledby")):
            problems.append(f"unlabelled nav: {str(nav)[:80]}")
    for img in soup.find_all("img"):
        if img.get("alt") is None:
            problems.append(f"img without alt: {img.get('src')}")
    previous = 1
    for heading in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"]):
        level = int(heading.name[1])
        if level > previous + 1:
            problems.append(f"heading jumps from h{previous} to h{level}: {heading.get_text(strip=True)[:40]}")
        previous = level
    for element in soup.find_all(style=True):
        problems.append(f"inline style on <{element.name}>")
    for script in soup.find_all("script"):
        if script.get("type") != "application/ld+json" and not script.get("src"):
            problems.append("inline script")
    return problems


def test_every_public_page_passes_the_structural_accessibility_checks(client, demo_site):
    failures = {}
    for url in demo_site:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.cookies == {}, f"{url} set cookies {list(response.cookies)}"
        problems = _problems(response.content.decode())
        if problems:
            failures[url] = problems
    assert failures == {}


def test_the_checks_catch_a_broken_page():
    broken = '<html><body><h1>A</h1><h1>B</h1><nav></nav><img src="x.png"><h4>deep</h4></body></html>'
    problems = _problems(broken)
    assert any("lang" in p for p in problems)
    assert any("2 h1" in p for p in problems)
    assert any("main" in p for p in problems)
    assert any("unlabelled nav" in p for p in problems)
    assert any("without alt" in p for p in problems)
    assert any("jumps" in p for p in problems)
