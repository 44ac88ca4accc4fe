"""The main journeys in Chromium, as people make them, with screenshots at
1280 and 375 px in var/artifacts/ (journey-<name>-<step>-<width>.png)."""

import re

import pytest
from django.core import mail

from events.models import Event, Order
from portal.payments.models import PaymentStatus
from portal.payments.selectors import payments_for_owner
from tests.e2e.axe import format_violations, run_axe
from tests.e2e.screenshots import full_page_screenshot
from tests.e2e.test_registration import _tab_and_type, _tab_to

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}


def _shoot(page, artifacts_dir, journey: str, step: str, axe_failures: list[str] | None = None) -> None:
    """A full-page screenshot; with axe_failures (a context opened with bypass_csp=True), axe runs too."""
    width = page.viewport_size["width"]
    full_page_screenshot(page, artifacts_dir / f"journey-{journey}-{step}-{width}.png")
    if axe_failures is not None:
        violations = run_axe(page)
        if violations:
            axe_failures.append(f"{step} at {width} px ({page.url}):\n{format_violations(violations)}")


def _shoot_on_a_phone(browser, artifacts_dir, journey: str, urls: dict[str, str], axe_failures=None) -> None:
    """The key pages of a journey again in a phone-sized context: no sideways scrolling, a screenshot
    each, and axe on each when axe_failures is given."""
    context = browser.new_context(**PHONE, bypass_csp=axe_failures is not None)
    try:
        phone = context.new_page()
        for step, url in urls.items():
            phone.goto(url)
            phone.wait_for_load_state("networkidle")
            assert phone.evaluate("document.documentElement.scrollWidth") <= 375, f"{step} scrolls sideways"
            _shoot(phone, artifacts_dir, journey, step, axe_failures)
    finally:
        context.close()


def _open_summit() -> Event:
    return Event.objects.get(slug__startswith="openinfra-summit-europe-")


def test_visitor_browses_home_a_project_the_directory_and_a_company(browser, live_server, demo_site, artifacts_dir):
    # The CSP is checked page by page in test_csp.py; here it is bypassed so that axe can be injected.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    axe_failures: list[str] = []
    visited = {}
    page.goto(live_server.url + "/")
    visited["home"] = page.url
    _shoot(page, artifacts_dir, "browse", "home", axe_failures)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Projects").click()
    page.wait_for_url("**/projects/")
    page.get_by_role("main").get_by_role("link", name="OpenStack", exact=True).first.click()
    page.wait_for_url("**/projects/openstack/")
    assert page.locator("h1").inner_text() == "OpenStack"
    visited["project"] = page.url
    _shoot(page, artifacts_dir, "browse", "project", axe_failures)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Members").click()
    page.wait_for_url("**/members/")
    visited["directory"] = page.url
    _shoot(page, artifacts_dir, "browse", "directory", axe_failures)

    page.get_by_role("main").get_by_role("link", name="Northwind Cloud", exact=True).first.click()
    page.wait_for_url(re.compile(r".*/members/.+/$"))
    assert page.locator("h1").inner_text() == "Northwind Cloud"
    visited["company"] = page.url
    _shoot(page, artifacts_dir, "browse", "company", axe_failures)

    context.close()
    _shoot_on_a_phone(browser, artifacts_dir, "browse", visited, axe_failures)
    assert not axe_failures, "\n".join(axe_failures)


def test_visitor_browses_by_keyboard_alone(page, live_server, demo_site, artifacts_dir):
    """Journey 1 with Tab and Enter only: the skip link, the main navigation, links in the page."""
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    assert _focused(page, "a.skip-link") and page.locator("a.skip-link").bounding_box()["y"] >= 0  # in view
    for selector, address in (
        ("header a[href='/projects/']", "/projects/"),
        ("main a[href='/projects/openstack/']", "/projects/openstack/"),
        ("header a[href='/members/']", "/members/"),
        ("main a[href='/members/northwind-cloud/']", "/members/northwind-cloud/"),
    ):
        _tab_to(page, selector, limit=300)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url == live_server.url + address
    assert page.locator("h1").inner_text() == "Northwind Cloud"
    _shoot(page, artifacts_dir, "keyboard-browse", "company")


def _fill_card(page, number: str) -> None:
    page.get_by_placeholder("number").fill(number)
    page.get_by_placeholder("exp_month").fill("12")
    page.get_by_placeholder("exp_year").fill("34")
    page.get_by_placeholder("cvc").fill("123")
    page.get_by_placeholder("postal_code").fill("10115")


def _type_card_by_keyboard(page, *, postal_code: str) -> None:
    """localstripe's Stripe.js renders the card element as plain inputs in the page: reachable by Tab."""
    page.get_by_placeholder("number").wait_for()
    for placeholder, text in (
        ("number", "4242424242424242"),
        ("exp_month", "12"),
        ("exp_year", "34"),
        ("cvc", "123"),
        ("postal_code", postal_code),
    ):
        _tab_and_type(page, f"#card-element input[placeholder='{placeholder}']", text)


@pytest.mark.localstripe
def test_attendee_registers_two_tickets_with_a_promo_code_and_pays_by_card(
    browser, live_server, demo_site, localstripe, settings, artifacts_dir
):
    settings.SITE_URL = live_server.url  # the payment's return address is the order page on this server
    mail.outbox.clear()
    event = _open_summit()
    full = event.ticket_types.get(name="Full access")
    # The CSP is checked page by page in test_csp.py; here it is bypassed so that axe can be injected
    # (this also checks the details step, the live card form and the payment-received page).
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    axe_failures: list[str] = []
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    visited = {}

    page.goto(f"{live_server.url}/events/")
    visited["events"] = page.url
    _shoot(page, artifacts_dir, "register", "events", axe_failures)
    page.get_by_role("main").get_by_role("link", name=event.name).first.click()
    page.wait_for_url(f"**/events/{event.slug}/")
    visited["event"] = page.url
    _shoot(page, artifacts_dir, "register", "event", axe_failures)
    page.get_by_role("main").get_by_role("link", name=re.compile("Register")).first.click()
    page.wait_for_url(f"**/events/{event.slug}/register/")
    visited["tickets"] = page.url

    page.get_by_label(re.compile("^Full access")).fill("2")
    page.get_by_label("Promo code").fill("COMMUNITY20")
    _shoot(page, artifacts_dir, "register", "tickets", axe_failures)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**step=details**")
    visited["details"] = page.url
    page.locator("#id_buyer_name").fill("Ada Lovelace")
    page.locator("#id_buyer_email").fill("ada@example.org")
    page.locator("#id_attendee_1_name").fill("Ada Lovelace")
    page.locator("#id_attendee_2_name").fill("Charles Babbage")
    page.get_by_label(re.compile("code of conduct", re.I)).check()
    _shoot(page, artifacts_dir, "register", "details", axe_failures)
    # 2 × 749.00 = 1,498.00, 20 % off: 1,198.40 EUR.
    page.get_by_role("button", name=re.compile("Continue to payment")).click()
    page.wait_for_url("**/payments/**")
    visited["pay"] = page.url
    page.get_by_placeholder("number").wait_for()
    _shoot(page, artifacts_dir, "register", "pay", axe_failures)

    _fill_card(page, "4242424242424242")
    page.get_by_role("button", name=re.compile(r"^Pay 1,198\.40")).click()
    page.wait_for_url("**/return/**", timeout=20_000)
    assert page.locator("h1").inner_text() == "Thank you: payment received"
    visited["paid"] = page.url
    _shoot(page, artifacts_dir, "register", "paid", axe_failures)
    page.get_by_role("link", name="Continue").click()
    page.wait_for_url("**/order/**")
    order = Order.objects.get(buyer_email="ada@example.org")
    assert order.status == Order.Status.PAID
    assert [(line.ticket_type_id, line.quantity) for line in order.lines.all()] == [(full.pk, 2)]
    assert payments_for_owner(order).get().status == PaymentStatus.SUCCEEDED  # the demo has payments of its own
    assert "Order " + order.code in page.locator("h1").inner_text()
    assert page.locator(".badge--success").first.inner_text() == "Paid"
    visited["order"] = page.url
    _shoot(page, artifacts_dir, "register", "order", axe_failures)
    assert errors == []

    # The live server runs in this process: the e-mail sent on commit by the eager task is here.
    confirmations = [m for m in mail.outbox if "Your tickets" in m.subject]
    assert [m.to for m in confirmations] == [["ada@example.org"]]

    context.close()
    _shoot_on_a_phone(browser, artifacts_dir, "register", visited, axe_failures)
    assert not axe_failures, "\n".join(axe_failures)


def _focused(page, selector: str) -> bool:
    return page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector)


@pytest.mark.localstripe
def test_attendee_registers_and_pays_by_keyboard_alone(
    browser, page, live_server, demo_site, localstripe, settings, artifacts_dir
):
    """Journey 2 with Tab, Shift+Tab, typing, Space and Enter only (extends test_registration.py's
    phone journey: a paid ticket type, a promo code, two attendees, the card form)."""
    settings.SITE_URL = live_server.url
    event = _open_summit()
    full = event.ticket_types.get(name="Full access")
    page.goto(f"{live_server.url}/events/{event.slug}/")

    _tab_to(page, f"main a[href='/events/{event.slug}/register/']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/events/{event.slug}/register/")
    _tab_to(page, f"#id_qty_{full.pk}")
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    _tab_to(page, "#id_promo_code")
    page.keyboard.type("COMMUNITY20")
    page.keyboard.press("Enter")  # submits the form, as Enter in a text field does
    page.wait_for_url("**step=details**")
    assert "1,198.40" in page.locator("main").inner_text()

    _tab_and_type(page, "#id_buyer_name", "Ada Lovelace")
    page.keyboard.press("Tab")
    assert _focused(page, "#id_buyer_email")
    page.keyboard.type("ada@example.org")
    page.keyboard.press("Shift+Tab")  # back to fix a typo in the name
    assert _focused(page, "#id_buyer_name")
    page.keyboard.press("End")
    page.keyboard.type(" King")
    _tab_and_type(page, "#id_attendee_1_name", "Ada Lovelace King")
    _tab_and_type(page, "#id_attendee_2_name", "Charles Babbage")
    _tab_to(page, "#id_accept_code_of_conduct")
    page.keyboard.press("Space")
    assert page.locator("#id_accept_code_of_conduct").is_checked()
    _tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/payments/**")
    pay_url = page.url
    order = Order.objects.get(buyer_email="ada@example.org")
    assert order.buyer_name == "Ada Lovelace King"
    assert [t.attendee_name for t in order.tickets.order_by("pk")] == ["Ada Lovelace King", "Charles Babbage"]

    _type_card_by_keyboard(page, postal_code="10115")
    _tab_to(page, "#card-form button[type=submit]")
    _shoot(page, artifacts_dir, "keyboard", "pay")
    page.keyboard.press("Enter")
    page.wait_for_url("**/return/**", timeout=20_000)
    _tab_to(page, "main a.btn")
    page.keyboard.press("Enter")
    page.wait_for_url("**/order/**")
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    _shoot(page, artifacts_dir, "keyboard", "order")
    _shoot_on_a_phone(browser, artifacts_dir, "keyboard", {"pay": pay_url, "order": page.url})


def test_staff_check_a_ticket_in_on_a_phone(browser_as, live_server, artifacts_dir):
    """Journey 6: at the door, on a phone, by scanning (typing the code and Enter)."""
    from tests.e2e.pages import STAFF
    from tests.events.factories import paid_order

    event = _open_summit()
    ticket = paid_order(event, event.ticket_types.get(name="Full access"), name="Grace Hopper").tickets.get()
    for width in (375, 1280):
        options = {"is_mobile": True, "has_touch": True} if width == 375 else {}
        page = browser_as(STAFF, width=width, **options)
        page.goto(f"{live_server.url}/events/{event.slug}/checkin/")
        assert page.locator("h1").inner_text() == f"Check-in: {event.name}"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        if width == 375:
            page.get_by_label("Ticket code").fill(ticket.code)
            with page.expect_navigation():
                page.keyboard.press("Enter")
            assert "Welcome, Grace Hopper!" in page.locator("[data-checkin-result]").inner_text()
            ticket.refresh_from_db()
            assert ticket.checked_in_at is not None
        _shoot(page, artifacts_dir, "checkin", "checked-in", None)
