"""Applying to sponsor in a browser, at 1280 and 375 px, by visible labels: the application, its review,
Submit, and the pending application on the sponsor page; and a package that fills before Submit, whose
refusal is in view on a phone, with JavaScript and without."""

from decimal import Decimal

import pytest
from django.test import Client
from playwright.sync_api import expect

from events import services
from events.models import Sponsorship, SponsorshipPackage, SponsorWaitingListEntry
from tests.accounts.factories import UserFactory
from tests.e2e.axe import format_violations, run_axe
from tests.e2e.screenshots import full_page_screenshot
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def packages():
    event = EventFactory(slug="summit", name="OpenInfra Summit Europe", currency="EUR")
    headline = SponsorshipPackage.objects.create(
        event=event, name="Headline", price=Decimal("100000.00"), slots=3, position=0,
        benefits="Keynote slot\nLargest booth\nLogo on the stage\nTen passes",
    )  # fmt: skip
    spotlight = SponsorshipPackage.objects.create(
        event=event, name="Spotlight", price=Decimal("20000.00"), slots=1, position=1, benefits="A booth"
    )
    return headline, spotlight


def _signed_in(browser, live_server, width: int, *, javascript: bool = True, axe: bool = False):
    """A page signed in as a new person; with `axe`, the page lets axe-core's script in (bypass_csp)."""
    person = UserFactory(first_name="Dana", last_name="Ng")
    client = Client()
    client.force_login(person)
    height = 812 if width < 600 else 900
    context = browser.new_context(
        viewport={"width": width, "height": height}, java_script_enabled=javascript, bypass_csp=axe
    )
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context, context.new_page()


def _fill_application(page, company: str) -> None:
    page.get_by_label("Your company's name").fill(company)
    page.get_by_label("Marketing contact: name").fill("Mo Marketing")
    page.get_by_label("Marketing contact: e-mail").fill("mo@orbit.example")
    page.get_by_label("Legal name (on the invoice)").fill(f"{company} GmbH")
    page.get_by_label("Billing address").fill("Hauptstraße 1\n10115 Berlin")
    page.get_by_label("Country").select_option(label="Germany")
    page.get_by_label("VAT number").fill("DE123456789")
    page.get_by_label("Bank transfer, against an invoice").check()


def _axe(page, step: str) -> None:
    violations = run_axe(page)
    assert not violations, f"{step}:\n{format_violations(violations)}"


@pytest.mark.parametrize("width", [1280, 375])
def test_apply_review_submit_and_see_the_pending_application(browser, live_server, packages, artifacts_dir, width):
    headline, _ = packages
    context, page = _signed_in(browser, live_server, width, axe=True)
    page.goto(f"{live_server.url}/events/summit/sponsor/")
    page.get_by_role("link", name="Apply for Headline").click()

    expect(page.get_by_role("heading", name="Apply to sponsor OpenInfra Summit Europe")).to_be_visible()
    expect(page.get_by_label("Headline")).to_be_checked()
    _fill_application(page, "Orbit Robotics")
    full_page_screenshot(page, artifacts_dir / f"sponsor-apply-{width}.png")
    _axe(page, "application form")
    page.get_by_role("button", name="Review your application").click()

    expect(page.get_by_role("heading", name="Review your application")).to_be_visible()
    expect(page.get_by_text("Mo Marketing <mo@orbit.example>")).to_be_visible()
    expect(page.get_by_text("Orbit Robotics GmbH")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    full_page_screenshot(page, artifacts_dir / f"sponsor-review-{width}.png")
    _axe(page, "review")
    # Edit keeps what was typed; back to the review, then Submit.
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_label("Your company's name")).to_have_value("Orbit Robotics")
    page.get_by_role("button", name="Review your application").click()
    page.get_by_role("button", name="Submit").click()

    expect(page.get_by_role("heading", name="Your applications")).to_be_visible()
    card = page.get_by_role("region", name="Headline")
    expect(card.get_by_text("Your application: Requested")).to_be_visible()
    expect(card.get_by_text("Sold out")).to_have_count(0)
    full_page_screenshot(page, artifacts_dir / f"sponsor-applied-{width}.png")
    _axe(page, "sponsor page with the application")
    sponsorship = Sponsorship.objects.get(organization__name="Orbit Robotics")
    assert (sponsorship.package, sponsorship.status, sponsorship.payment_method) == (
        headline, "requested", "bank_transfer"
    )  # fmt: skip
    assert sponsorship.role_contacts.get(role="marketing").email == "mo@orbit.example"
    context.close()


@pytest.mark.parametrize(("width", "javascript"), [(1280, True), (375, True), (375, False)])
def test_a_package_that_fills_before_submit_is_refused_in_view(
    browser, live_server, packages, artifacts_dir, width, javascript
):
    _, spotlight = packages
    context, page = _signed_in(browser, live_server, width, javascript=javascript)
    page.goto(f"{live_server.url}/events/summit/sponsor/")
    page.get_by_role("link", name="Apply for Spotlight").click()
    _fill_application(page, "Second Co")
    page.get_by_role("button", name="Review your application").click()
    expect(page.get_by_role("heading", name="Review your application")).to_be_visible()
    # Someone else takes the last slot meanwhile.
    services.sponsorship_apply_as_new_organization(
        organization_name="First Co", package=spotlight, contact_email="a@first.example", actor=UserFactory()
    )
    page.get_by_role("button", name="Submit").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The Spotlight package is sold out")
    expect(alert).to_be_in_viewport()
    page.screenshot(path=str(artifacts_dir / f"sponsor-refused-{width}{'' if javascript else '-nojs'}.png"))
    assert not Sponsorship.objects.filter(organization__name="Second Co").exists()

    alert.get_by_role("button", name="Join the Spotlight waiting list").click()
    expect(page.get_by_role("heading", name="Your applications")).to_be_visible()
    expect(
        page.get_by_role("region", name="Spotlight").get_by_text("Your application: On the waiting list")
    ).to_be_visible()
    assert SponsorWaitingListEntry.objects.get(package=spotlight, active=True).organization.name == "Second Co"
    context.close()
