import json
import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup

from tests.members.factories import MembershipTierFactory, member
from tests.portal.factories import directory, news, news_index, project, project_index

pytestmark = pytest.mark.django_db


def _soup(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def _json_ld(soup) -> list[dict]:
    return [json.loads(script.string) for script in soup.find_all("script", type="application/ld+json")]


def test_home_page_has_title_description_opengraph_canonical_and_organization_json_ld(client, site_with_home):
    site_with_home.search_description = "Open source infrastructure for everyone."
    site_with_home.save_revision().publish()

    soup = _soup(client.get("/"))

    assert soup.title.string.startswith("Open Infrastructure Foundation")
    assert soup.find("meta", attrs={"name": "description"})["content"] == "Open source infrastructure for everyone."
    assert soup.find("link", rel="canonical")["href"] == "http://testserver/"
    assert soup.find("meta", property="og:title")["content"]
    assert soup.find("meta", property="og:url")["content"] == "http://testserver/"
    (data,) = _json_ld(soup)
    assert data["@type"] == "Organization"
    assert data["url"] == "http://testserver/"
    # JSON-LD is the only <script> on the page: data, not code.
    assert [s.get("type") for s in soup.find_all("script")] == ["application/ld+json"]


def test_project_page_describes_itself_as_software_source_code(client, site_with_home):
    index = project_index(site_with_home)
    page = project(index, 1, title="Zuul", slug="zuul", tagline="Project gating </script> at scale.")
    page.save_revision().publish()

    soup = _soup(client.get("/projects/zuul/"))

    (data,) = _json_ld(soup)
    assert data["@type"] == "SoftwareSourceCode"
    assert data["name"] == "Zuul"
    assert data["codeRepository"] == "https://opendev.example/project-1"
    assert data["description"] == "Project gating </script> at scale."  # escaped inside the script, intact as data
    assert "</script> at scale" not in str(soup.find("script", type="application/ld+json"))
    assert soup.find("link", rel="canonical")["href"] == "http://testserver/projects/zuul/"
    assert soup.find("meta", property="og:type")["content"] == "article"


def test_member_company_page_has_its_own_title_and_canonical(client, site_with_home):
    member(MembershipTierFactory(), name="Acme Cloud", slug="acme-cloud", description="Clouds for everyone.")
    directory(site_with_home).save_revision().publish()

    soup = _soup(client.get("/members/acme-cloud/"))

    assert soup.h1.get_text(strip=True) == "Acme Cloud"
    assert soup.title.string.startswith("Acme Cloud")
    assert soup.find("link", rel="canonical")["href"] == "http://testserver/members/acme-cloud/"
    assert soup.find("meta", attrs={"name": "description"})["content"] == "Clouds for everyone."


def test_sitemap_lists_pages_and_member_companies_and_robots_points_to_it(client, site_with_home):
    project(project_index(site_with_home), 1, slug="zuul").save_revision().publish()
    member(MembershipTierFactory(), slug="acme-cloud")
    directory(site_with_home).save_revision().publish()

    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    tree = ET.fromstring(response.content)  # noqa: S314 - our own sitemap
    locations = [loc.text for loc in tree.findall("s:url/s:loc", namespace)]
    assert any(location.endswith("/projects/zuul/") for location in locations)
    assert any(location.endswith("/members/acme-cloud/") for location in locations)

    robots = client.get("/robots.txt")
    assert robots["Content-Type"].startswith("text/plain")
    text = robots.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow: /admin/" in text


def test_search_for_kata_lists_the_kata_containers_page(client, site_with_home):
    index = project_index(site_with_home)
    # Published as an editor would: Wagtail indexes through its (immediate) task backend.
    project(
        index, 1, title="Kata Containers", slug="kata-containers", tagline="Lightweight VMs."
    ).save_revision().publish()
    project(index, 2, title="Zuul", slug="zuul", tagline="Gating.").save_revision().publish()

    soup = _soup(client.get("/search/", {"q": "kata"}))

    titles = [link.get_text(strip=True) for link in soup.select("main ol a")]
    assert titles == ["Kata Containers"]
    assert soup.select_one("main ol a")["href"] == "/projects/kata-containers/"
    assert client.get("/search/?q=kata").cookies == {}


def test_search_without_a_query_shows_the_form_only(client, site_with_home):
    soup = _soup(client.get("/search/"))
    assert soup.find("form", attrs={"role": "search", "method": "get"})
    assert not soup.select("main ol")


def test_news_feeds_list_the_latest_items(client, site_with_home):
    index = news_index(site_with_home)
    index.save_revision().publish()
    news(index, 1, title="Flamingo released").save_revision().publish()

    rss = client.get("/news/feed/rss/")
    atom = client.get("/news/feed/atom/")

    assert rss["Content-Type"].startswith("application/rss+xml")
    assert b"Flamingo released" in rss.content
    assert atom["Content-Type"].startswith("application/atom+xml")
    assert b"Flamingo released" in atom.content
