"""Full-page screenshots for people to look at (var/artifacts/)."""

from playwright.sync_api import Error as PlaywrightError


def full_page_screenshot(page, path) -> None:
    """Chromium now and then refuses one capture on a loaded host ("Unable to capture screenshot");
    a screenshot is a record, not a check, so that one is taken again after a moment."""
    try:
        page.screenshot(path=str(path), full_page=True)
    except PlaywrightError as error:
        if "Unable to capture screenshot" not in str(error):
            raise
        page.wait_for_timeout(500)
        page.screenshot(path=str(path), full_page=True)
