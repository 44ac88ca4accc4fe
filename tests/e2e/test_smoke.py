import pytest

from tests.e2e.screenshots import full_page_screenshot


@pytest.mark.django_db(transaction=True)
def test_home_page_renders_in_chromium(live_server, page, artifacts_dir, site_with_home):
    response = page.goto(live_server.url + "/")
    assert response is not None and response.status == 200
    assert page.locator("h1").inner_text() == "Open Infrastructure Foundation"
    assert page.get_by_role("navigation", name="Main").is_visible()
    shot = artifacts_dir / "smoke-home-1280.png"
    full_page_screenshot(page, shot)
    assert shot.stat().st_size > 1000
