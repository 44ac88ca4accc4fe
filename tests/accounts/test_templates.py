"""allauth's pages render inside the site's chrome: one h1, the main landmark, no inline scripts or styles."""

import re

import pytest
from allauth.account.models import EmailAddress
from bs4 import BeautifulSoup
from django.core import mail

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

ANONYMOUS_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/confirm-email/",
]
LOGGED_IN_PAGES = [
    "/accounts/",
    "/accounts/profile/",
    "/accounts/delete/",
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/logout/",
]


def _assert_in_chrome(response):
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.html["lang"] == "en"
    assert len(soup.find_all("h1")) == 1
    assert soup.find("main", id="main") is not None
    assert soup.find("nav", attrs={"aria-label": "Main"}) is not None
    assert soup.find("a", class_="skip-link") is not None
    assert "· Open Infrastructure Foundation" in soup.title.string
    for script in soup.find_all("script"):
        assert script.get("src") or script.get("type") == "application/json", "no inline scripts"
    assert not soup.find_all(style=True), "no inline styles"
    assert not soup.find_all("style")
    for field in soup.select("input:not([type=hidden]), select, textarea"):
        if field.get("type") in ("submit", "button"):
            continue
        assert field.get("id") and soup.find("label", attrs={"for": field["id"]}), f"unlabelled {field}"


@pytest.mark.parametrize("url", ANONYMOUS_PAGES)
def test_anonymous_account_pages_render_in_the_site_chrome(client, url):
    _assert_in_chrome(client.get(url))


@pytest.mark.parametrize("url", LOGGED_IN_PAGES)
def test_my_account_pages_render_in_the_site_chrome(client, url):
    client.force_login(UserFactory())
    _assert_in_chrome(client.get(url))


def test_email_change_page_with_a_pending_address(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/email/", {"action_add": "", "email": "new-address@example.org"})
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["new-address@example.org"]
    assert EmailAddress.objects.filter(user=user, email="new-address@example.org", verified=False).exists()
    page = client.get("/accounts/email/")
    _assert_in_chrome(page)
    assert b"new-address@example.org" in page.content


def test_password_reset_link_page_renders(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": user.email})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mail.outbox[0].body).group(1)
    _assert_in_chrome(client.get(link, follow=True))
