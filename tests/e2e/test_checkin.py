"""The check-in page on a 375 px phone: log in, scan twice, search."""

import pytest
from django.test import Client

from portal.accounts.groups import EVENTS_STAFF, ensure_staff_groups
from portal.accounts.mfa import totp_activate
from tests.accounts.factories import UserFactory
from tests.conftest import log_in_with_second_factor
from tests.e2e.screenshots import full_page_screenshot
from tests.events.factories import EventFactory, TicketTypeFactory, paid_order

pytestmark = pytest.mark.django_db(transaction=True)


def _fits(page) -> bool:
    return (
        page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        and page.evaluate("window.innerWidth") == 375
    )


def test_check_in_on_a_phone(phone_page, live_server, artifacts_dir):
    ensure_staff_groups()  # a transactional test starts from a flushed database
    staff = UserFactory(groups=[EVENTS_STAFF])
    event = EventFactory(slug="summit", name="OpenInfra Summit Europe")
    full = TicketTypeFactory(event=event, name="Full access")
    ticket = paid_order(event, full, name="Katherine Johnson").tickets.get()
    page = phone_page

    page.goto(f"{live_server.url}/events/summit/checkin/")
    page.wait_for_url("**/accounts/login/**")  # staff pages ask for a log-in
    # Staff pages need the second factor: log in as tests/e2e/conftest.py's browser_as does.
    client = Client()
    totp_activate(staff)
    log_in_with_second_factor(client, staff)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/events/summit/checkin/")
    assert page.locator("h1").inner_text() == "Check-in: OpenInfra Summit Europe"
    assert _fits(page)

    page.get_by_label("Ticket code").fill(ticket.code)  # a scanner types the code and Enter
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Welcome, Katherine Johnson!" in page.locator("[data-checkin-result]").inner_text()
    page.get_by_label("Ticket code").fill(ticket.code)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    result = page.locator("[data-checkin-result]")
    assert result.inner_text().startswith("Already checked in at ")
    assert result.get_attribute("data-checkin-result") == "warning"
    assert _fits(page)
    full_page_screenshot(page, artifacts_dir / "checkin-375-already.png")

    page.get_by_label("Name, e-mail, company or code").fill("katherine")
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    assert page.get_by_text("Checked in at ").is_visible()
    assert _fits(page)
    full_page_screenshot(page, artifacts_dir / "checkin-375-search.png")
