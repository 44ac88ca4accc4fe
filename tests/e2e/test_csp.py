"""The Content Security Policy holds in a real browser: no page of ours trips it.

Chromium logs every blocked script, style or frame to the console ("Refused to ..."); a page
passes when nothing is refused. Pages come from tests/e2e/pages.py.
"""

import pytest

from tests.e2e.conftest import load_data_for
from tests.e2e.pages import PAGES


def csp_violations(page) -> list[str]:
    """Collects the console's CSP complaints from now on, into the returned list."""
    found: list[str] = []

    def on_console(message):
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            found.append(f"{message.type}: {text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: "Content Security Policy" in str(error) and found.append(str(error)))
    return found


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("site_page", PAGES, ids=str)
def test_no_csp_violation(live_server, browser_as, site_page):
    load_data_for(site_page)
    page = browser_as(site_page.who)
    violations = csp_violations(page)
    response = page.goto(live_server.url + site_page.path)
    assert response is not None and response.status == 200, f"{site_page.path}: {response and response.status}"
    assert "content-security-policy" in response.headers  # Playwright lower-cases header names
    page.wait_for_load_state("networkidle")
    assert violations == [], f"{site_page.path} trips the CSP:\n" + "\n".join(violations)


@pytest.mark.django_db(transaction=True)
def test_wagtails_live_preview_may_frame_the_page(live_server, browser_as):
    from portal.models import HomePage

    page = browser_as("staff")
    violations = csp_violations(page)
    page.goto(f"{live_server.url}/admin/pages/{HomePage.objects.get().pk}/edit/")
    page.get_by_role("button", name="Toggle preview").click()
    frame = page.frame_locator("#w-preview-iframe")
    frame.get_by_role("heading", level=1).wait_for()
    assert frame.get_by_role("heading", level=1).inner_text() == "Open Infrastructure Foundation"
    assert violations == [], "\n".join(violations)
