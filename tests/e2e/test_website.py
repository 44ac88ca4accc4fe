"""The public website in Chromium: usable at 375 px (no sideways scrolling), filters work without JavaScript."""

import pytest

from portal.site import demo
from tests.e2e.screenshots import full_page_screenshot

PAGES = ["/", "/projects/openstack/", "/members/", "/join/", "/about/", "/news/"]


@pytest.fixture
def demo_site(transactional_db):
    demo.load()


@pytest.mark.django_db(transaction=True)
def test_public_pages_fit_a_375px_phone(live_server, phone_page, artifacts_dir, demo_site):
    for path in PAGES:
        response = phone_page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        overflow = phone_page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        name = path.strip("/").replace("/", "-") or "home"
        full_page_screenshot(phone_page, artifacts_dir / f"website-{name}-375.png")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 375px"


@pytest.mark.django_db(transaction=True)
def test_directory_filters_work_without_javascript(live_server, browser, artifacts_dir, demo_site):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(live_server.url + "/members/")
        page.select_option("#filter-tier", "gold")
        page.get_by_role("button", name="Filter").click()
        page.wait_for_url("**/members/?tier=gold*")
        headings = page.locator("main section h2").all_inner_texts()
        assert len(headings) == 1 and headings[0].startswith("Gold members")
        full_page_screenshot(page, artifacts_dir / "website-members-gold-1280.png")
    finally:
        context.close()
