"""Acceptance 4: the registration page on a 375 px phone, by keyboard alone (Tab, Enter, typing)."""

from decimal import Decimal

import pytest

from events.models import Order
from tests.e2e.screenshots import full_page_screenshot
from tests.events.factories import EventFactory, TicketTypeFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching selector has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def _tab_and_type(page, selector: str, text: str) -> None:
    """Tab to the field matching selector and type text into it."""
    _tab_to(page, selector)
    page.keyboard.type(text)


def test_register_on_a_phone_by_keyboard_alone(phone_page, live_server, artifacts_dir):
    event = EventFactory(slug="summit", name="OpenInfra Summit Europe")
    TicketTypeFactory(event=event, name="Full access", price=Decimal("749.00"), position=1)
    virtual = TicketTypeFactory(event=event, name="Virtual pass", price=Decimal("0"), capacity=5000, position=2)
    page = phone_page

    page.goto(f"{live_server.url}/events/summit/register/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    full_page_screenshot(page, artifacts_dir / "register-375-step1.png")

    _tab_to(page, f"#id_qty_{virtual.pk}")
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    _tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**step=details**")
    assert page.locator("h1").inner_text() == "Your details"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    _tab_and_type(page, "#id_buyer_name", "Ada Lovelace")
    _tab_and_type(page, "#id_buyer_email", "ada@example.org")
    _tab_and_type(page, "#id_attendee_1_name", "Ada Lovelace")
    _tab_to(page, "#id_accept_code_of_conduct")
    page.keyboard.press("Space")
    full_page_screenshot(page, artifacts_dir / "register-375-details.png")
    _tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/order/**")

    order = Order.objects.get()
    assert order.status == Order.Status.PAID
    assert [t.attendee_name for t in order.tickets.order_by("pk")] == ["Ada Lovelace", ""]
    assert "Order " + order.code in page.locator("h1").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    full_page_screenshot(page, artifacts_dir / "register-375-order.png")
