"""The page chrome every template extends: landmarks, navigation, no cookies for anonymous visitors."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, Permission

from portal.accounts.groups import CONTENT_EDITORS
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def _soup(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def _nav_links(soup) -> list[str]:
    return [a.get_text(strip=True) for a in soup.find("nav", attrs={"aria-label": "Main"}).find_all("a")]


def test_anonymous_home_page_has_the_chrome_and_sets_no_cookie(client, site_with_home):
    response = client.get("/")
    assert not response.cookies, "an anonymous public page must not set cookies"
    soup = _soup(response)
    assert soup.html["lang"] == "en"
    assert soup.select_one("a.skip-link")["href"] == "#main"
    assert soup.find("main", id="main") is not None
    assert soup.find("footer") is not None
    assert _nav_links(soup) == ["Projects", "Members", "Events", "Adoption", "Join", "Log in"]
    # JSON-LD is data, not script: a CSP does not block it.
    assert not [s for s in soup.find_all("script", src=False) if s.get("type") != "application/ld+json"]
    assert not soup.find_all(style=True)


def test_a_logged_in_person_sees_my_account(client, site_with_home):
    client.force_login(UserFactory())
    assert _nav_links(_soup(client.get("/")))[-1] == "My account"


def test_staff_see_a_link_to_the_admin(client, site_with_home, staff_groups):
    client.force_login(UserFactory(groups=[CONTENT_EDITORS]))
    assert "Admin" in _nav_links(_soup(client.get("/")))


def test_the_current_section_is_marked_in_the_navigation(client):
    soup = _soup(client.get("/accounts/login/"))
    current = soup.find("nav", attrs={"aria-label": "Main"}).find("a", attrs={"aria-current": "page"})
    assert current.get_text(strip=True) == "Log in"


def test_the_admin_link_follows_a_change_of_access_at_once(client, site_with_home, staff_groups):
    """The header's kind is kept per person: giving or taking admin access (a group, a group's
    permissions, superuser) shows on the next page, public or personal."""
    person = UserFactory()
    client.force_login(person)
    assert "Admin" not in _nav_links(_soup(client.get("/accounts/")))
    assert "Admin" not in _nav_links(_soup(client.get("/")))

    editors = Group.objects.get(name=CONTENT_EDITORS)
    person.groups.add(editors)
    assert "Admin" in _nav_links(_soup(client.get("/accounts/")))
    assert "Admin" in _nav_links(_soup(client.get("/")))

    access = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    editors.permissions.remove(access)
    assert "Admin" not in _nav_links(_soup(client.get("/accounts/")))
    editors.permissions.add(access)
    assert "Admin" in _nav_links(_soup(client.get("/accounts/")))

    person.groups.clear()
    assert "Admin" not in _nav_links(_soup(client.get("/accounts/")))
    assert "Admin" not in _nav_links(_soup(client.get("/")))

    person.is_superuser = True
    person.save()
    assert "Admin" in _nav_links(_soup(client.get("/accounts/")))
