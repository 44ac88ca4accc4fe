"""Acceptance 5: the home page and the log-in page fit a 375 px phone, with no horizontal scroll."""

import pytest

from tests.accounts.factories import PASSWORD, UserFactory
from tests.e2e.screenshots import full_page_screenshot

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def _fits(page) -> bool:
    # A phone widens its viewport to show content that overflows, so the width must also stay 375.
    return page.evaluate(NO_SIDEWAYS_SCROLL) and page.evaluate("window.innerWidth") == 375


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("name", "path"), [("home", "/"), ("login", "/accounts/login/"), ("signup", "/accounts/signup/")]
)
def test_page_fits_a_375px_phone(live_server, phone_page, artifacts_dir, site_with_home, name, path):
    response = phone_page.goto(live_server.url + path)
    assert response is not None and response.status == 200
    assert phone_page.get_by_role("navigation", name="Main").is_visible()
    assert phone_page.locator("h1").count() == 1
    assert _fits(phone_page), phone_page.evaluate("document.documentElement.scrollWidth")
    shot = artifacts_dir / f"phone-375-{name}.png"
    full_page_screenshot(phone_page, shot)
    assert shot.stat().st_size > 1000


@pytest.mark.django_db(transaction=True)
def test_log_in_with_errors_then_my_account_fit_a_phone(live_server, phone_page, artifacts_dir, site_with_home):
    user = UserFactory(email="a.very.long.address.for.testing@subdomain.example.org")
    phone_page.goto(live_server.url + "/accounts/login/")
    phone_page.get_by_label("Email").fill(user.email)
    phone_page.get_by_label("Password").fill("not-the-password")
    with phone_page.expect_navigation():  # the errors come back on the same address: wait for that page
        phone_page.get_by_role("button", name="Log in").click()
    assert phone_page.locator(".errorlist").first.is_visible()
    assert _fits(phone_page)
    full_page_screenshot(phone_page, artifacts_dir / "phone-375-login-error.png")

    phone_page.get_by_label("Password").fill(PASSWORD)
    phone_page.get_by_role("button", name="Log in").click()
    phone_page.wait_for_url("**/accounts/")
    assert phone_page.locator("h1").inner_text() == "My account"
    assert _fits(phone_page)
    full_page_screenshot(phone_page, artifacts_dir / "phone-375-my-account.png")


@pytest.mark.django_db(transaction=True)
def test_keyboard_focus_is_visible_and_the_skip_link_works(live_server, page, site_with_home):
    page.goto(live_server.url + "/accounts/login/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("el => el === document.activeElement")
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0, "the skip link comes into view when focused"


@pytest.mark.django_db(transaction=True)
def test_desktop_screenshots_of_the_account_pages(live_server, page, artifacts_dir, site_with_home):
    user = UserFactory()
    page.goto(live_server.url + "/accounts/login/")
    full_page_screenshot(page, artifacts_dir / "desktop-1280-login.png")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/accounts/")
    full_page_screenshot(page, artifacts_dir / "desktop-1280-my-account.png")
    page.goto(live_server.url + "/accounts/delete/")
    page.get_by_label("Your password").fill("not-my-password")
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Delete my account").click()
    assert page.locator(".field--error .errorlist").inner_text().endswith("That is not your password.")
    full_page_screenshot(page, artifacts_dir / "desktop-1280-delete-errors.png")
