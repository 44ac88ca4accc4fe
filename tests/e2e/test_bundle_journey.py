"""A company's ticket bundle in Chromium, at 1280 and 375 px, by visible labels: an organisation's admin
buys ten tickets from the register page, pays by card (localstripe), assigns three attendees and
reassigns one; each holder gets their own ticket. Screenshots in var/artifacts/ (journey-bundle-…)."""

import re

import pytest
from django.core import mail

from events.models import Event, Order, Ticket
from members.models import Organization, OrganizationRole
from tests.e2e.conftest import _member
from tests.e2e.pages import MEMBER
from tests.e2e.test_journeys import _fill_card, _shoot

pytestmark = [pytest.mark.localstripe, pytest.mark.django_db(transaction=True)]

PEOPLE = [
    ("Ada Byron", "ada@orchard.example"),
    ("Bob Stone", "bob@orchard.example"),
    ("Cy Young", "cy@orchard.example"),
]


@pytest.mark.parametrize("width", [1280, 375])
def test_an_admin_buys_a_bundle_of_ten_assigns_three_and_reassigns_one(
    browser_as, live_server, localstripe, settings, artifacts_dir, width
):
    settings.SITE_URL = live_server.url  # the payment's return address is the bundle page on this server
    orchard = Organization.objects.get(slug="orchard-automation")
    OrganizationRole.objects.create(user=_member(), organization=orchard, role=OrganizationRole.Role.ADMIN)
    event = Event.objects.get(slug__startswith="openinfra-summit-europe-")
    mail.outbox.clear()
    page = browser_as(MEMBER, width=width, bypass_csp=True)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    axe_failures: list[str] = []

    page.goto(f"{live_server.url}{event.get_register_url()}")
    page.get_by_role("link", name="Buy a bundle").click()
    page.wait_for_url("**/bundle/")
    ticket = page.get_by_label("Ticket", exact=True)
    ticket.select_option(label=ticket.locator("option", has_text="Full access").inner_text())
    page.get_by_label("Number of tickets").fill("10")
    page.get_by_label("Card, online").check()
    _shoot(page, artifacts_dir, "bundle", "buy", axe_failures)
    page.get_by_role("button", name="Buy the bundle").click()

    page.wait_for_url("**/payments/**")
    page.get_by_placeholder("number").wait_for()
    _fill_card(page, "4242424242424242")
    page.get_by_role("button", name=re.compile(r"^Pay 7,490\.00")).click()
    page.wait_for_url("**/return/**", timeout=20_000)
    assert page.locator("h1").inner_text() == "Thank you: payment received"
    page.get_by_role("link", name="Continue").click()
    page.wait_for_url("**/company-bundles/orchard-automation/")
    order = Order.objects.get(bundle__organization=orchard)
    assert order.status == Order.Status.PAID and order.tickets.count() == 10
    assert page.get_by_text("0 of 10 assigned").is_visible()
    _shoot(page, artifacts_dir, "bundle", "paid", axe_failures)

    for number, (name, email) in enumerate(PEOPLE, start=1):
        card = page.get_by_role("region", name=f"Ticket {number}: unassigned")
        card.get_by_text("Assign an attendee").click()
        card.get_by_label("Attendee's name").fill(name)
        card.get_by_label("Attendee's e-mail").fill(email)
        card.get_by_role("button", name=f"Assign ticket {number}").click()
        page.wait_for_load_state()
        assert page.get_by_text(f"Assigned to {name}. Their ticket is on its way to {email}.").is_visible()
    assert page.get_by_text("3 of 10 assigned").is_visible()
    _shoot(page, artifacts_dir, "bundle", "assigned", axe_failures)

    bob = Ticket.objects.get(attendee_email="bob@orchard.example")
    card = page.get_by_role("region", name="Ticket 2: Bob Stone")
    card.get_by_text("Reassign to someone else").click()
    card.get_by_label("Attendee's name").fill("Dana Reed")
    card.get_by_label("Attendee's e-mail").fill("dana@orchard.example")
    card.get_by_role("button", name="Reassign ticket 2").click()
    page.wait_for_load_state()
    assert page.get_by_text("Bob Stone's ticket now belongs to Dana Reed").is_visible()
    assert page.get_by_role("region", name="Ticket 2: Dana Reed").is_visible()
    _shoot(page, artifacts_dir, "bundle", "reassigned", axe_failures)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"

    # The live server runs in this process: each holder's own e-mail, with their own code.
    holders = {m.to[0]: m for m in mail.outbox if m.subject.startswith("Your ticket for")}
    assert sorted(holders) == sorted(
        ["ada@orchard.example", "bob@orchard.example", "cy@orchard.example", "dana@orchard.example"]
    )
    dana = Ticket.objects.get(attendee_email="dana@orchard.example")
    assert dana.pk == bob.pk and dana.short_code != bob.short_code
    assert f"ticket-{dana.short_code}.pdf" in [a[0] for a in holders["dana@orchard.example"].attachments]
    assert errors == []
    assert not axe_failures, "\n".join(axe_failures)
