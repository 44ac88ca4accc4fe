"""A company that is not a member sponsors the demo summit, end to end in Chromium at 1280 and 375 px, by
visible labels: a new person applies for Spotlight (a package with contract terms and passes) and reviews
the application; Events staff approve it in the admin; the sponsor's administrator signs the contract on
the sponsor page; staff countersign; the invoice (issued on signature, SPONSORSHIP_INVOICE_ON = "signature")
is paid by card on localstripe; the sponsor page then shows the logo benefit released and the passes code,
the event page shows the uploaded logo, and the member directory still does not list the company.
Screenshots in var/artifacts/ (journey-sponsor-end-to-end-…)."""

import re

import pytest

from events.models import Event, SponsorBenefit, Sponsorship, SponsorshipContract
from members.models import Organization
from portal.accounts.groups import EVENTS_STAFF
from portal.payments.models import PaymentStatus
from portal.payments.selectors import latest_payments_for_owners
from tests import pdf_text
from tests.accounts.factories import UserFactory
from tests.e2e.sponsor_steps import countersign_the_contract, session_cookie, sign_the_contract, upload_the_logo
from tests.e2e.test_journeys import _fill_card, _shoot

pytestmark = [pytest.mark.localstripe, pytest.mark.django_db(transaction=True)]

COMPANY = "Orbit Robotics"
SVG = (
    '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    '<rect width="10" height="10" fill="#1565c0"/><title>Orbit Robotics</title></svg>'
)
TERMS = (
    "{sponsor_legal_name} sponsors {event} ({dates}) with the {package} package for {price}, "
    "payable within 30 days of the invoice."
)


def _open(browser, live_server, session: str, width: int):
    """A page signed in with `session`; axe-core's script is let in (bypass_csp; test_csp.py checks the CSP)."""
    context = browser.new_context(
        viewport={"width": width, "height": 812 if width < 600 else 900}, bypass_csp=True, accept_downloads=True
    )
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    return context, context.new_page()


def _no_sideways_scroll(page, width: int, step: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{step} scrolls sideways"


@pytest.mark.parametrize("width", [1280, 375])
def test_a_company_that_is_not_a_member_sponsors_the_summit_end_to_end(
    browser, live_server, demo_site, localstripe, settings, artifacts_dir, tmp_path, width
):
    settings.SITE_URL = live_server.url  # the payment's return address is on this server
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SPONSORSHIP_INVOICE_ON = "signature"  # the invoice follows the signatures, issued by nobody
    event = Event.objects.get(slug__startswith="openinfra-summit-europe-")
    spotlight = event.sponsorship_packages.get(name="Spotlight")
    spotlight.contract_terms = TERMS  # terms this test reads back from the PDF, whatever the demo's say
    spotlight.save(update_fields=["contract_terms"])
    assert spotlight.passes_included > 0
    assert not Organization.objects.filter(name=COMPANY).exists()
    dana = UserFactory(first_name="Dana", last_name="Ng", email="dana@orbit.example")
    staff = UserFactory(first_name="Grace", last_name="Hopper", groups=[EVENTS_STAFF], is_staff=True)
    axe_failures: list[str] = []
    errors: list[str] = []
    contexts = []

    def shoot(page, step: str) -> None:
        page.wait_for_load_state()
        _no_sideways_scroll(page, width, step)
        _shoot(page, artifacts_dir, "sponsor-end-to-end", step, axe_failures)

    try:
        # 1. A person whose company is not on the site applies for Spotlight and reviews the application.
        context, sponsor = _open(browser, live_server, session_cookie(dana), width)
        contexts.append(context)
        sponsor.on("pageerror", lambda error: errors.append(str(error)))
        sponsor.goto(f"{live_server.url}/events/{event.slug}/sponsor/")
        sponsor.get_by_role("link", name="Apply for Spotlight").click()
        sponsor.get_by_role("heading", name=f"Apply to sponsor {event.name}").wait_for()
        assert sponsor.get_by_label("Spotlight").is_checked()
        sponsor.get_by_label("Your company's name").fill(COMPANY)
        sponsor.get_by_label("Marketing contact: name").fill("Mo Marketing")
        sponsor.get_by_label("Marketing contact: e-mail").fill("mo@orbit.example")
        sponsor.get_by_label("Legal name (on the invoice)").fill("Orbit Robotics GmbH")
        sponsor.get_by_label("Billing address").fill("Hauptstraße 1\n10115 Berlin")
        sponsor.get_by_label("Country").select_option(label="Germany")
        sponsor.get_by_label("VAT number").fill("DE123456789")
        sponsor.get_by_label("Card, online").check()
        shoot(sponsor, "apply")
        sponsor.get_by_role("button", name="Review your application").click()
        sponsor.get_by_role("heading", name="Review your application").wait_for()
        assert sponsor.get_by_text("Orbit Robotics GmbH").is_visible()
        shoot(sponsor, "review")
        sponsor.get_by_role("button", name="Submit").click()
        sponsor.get_by_role("heading", name="Your applications").wait_for()
        assert sponsor.get_by_role("region", name="Spotlight").get_by_text("Your application: Requested").is_visible()
        sponsorship = Sponsorship.objects.get(organization__name=COMPANY)
        organization = sponsorship.organization
        assert not organization.memberships.exists()  # a sponsor, not a member
        assert (sponsorship.package, sponsorship.status, sponsorship.payment_method) == (
            spotlight, Sponsorship.Status.REQUESTED, "card"
        )  # fmt: skip

        # 2. Events staff approve it in the admin: the contract is generated for the sponsor to sign.
        context, admin = _open(browser, live_server, session_cookie(staff, second_factor=True), 1280)
        contexts.append(context)
        admin.goto(f"{live_server.url}/admin/")
        admin.get_by_role("link", name="Sponsorships", exact=True).click()
        admin.wait_for_url("**/admin/events/sponsorships/")
        row = admin.locator("tr", has_text=COMPANY)
        with admin.expect_navigation():
            row.get_by_role("button", name="Approve").click()
        row = admin.locator("tr", has_text=COMPANY)
        assert "Approved" in row.inner_text()
        assert "Invoiced once the contract is signed by both sides" in row.inner_text()
        sponsorship.refresh_from_db()
        assert sponsorship.status == Sponsorship.Status.APPROVED

        # 3. The sponsor's administrator (the applicant) finds the sponsor page and signs the contract.
        sponsor.goto(f"{live_server.url}/accounts/")
        sponsor.get_by_role("link", name=f"{COMPANY}: sponsorships, benefits and material").click()
        sponsor.wait_for_url(f"**/events/sponsorships/{organization.slug}/")
        card = sponsor.get_by_role("region", name=f"{event.name}: Spotlight sponsorship")
        assert "Approved" in card.inner_text()
        shoot(sponsor, "sponsor-page-approved")
        card.get_by_role("link", name="Review and sign").click()
        sponsor.wait_for_url("**/contract/")
        with sponsor.expect_download() as download:
            sponsor.get_by_role("link", name="Contract to sign (unsigned)").click()
        terms = " ".join(pdf_text.page_texts(download.value.path().read_bytes()))
        assert "Orbit Robotics GmbH sponsors" in terms and "Spotlight" in terms, terms
        shoot(sponsor, "contract")
        sign_the_contract(sponsor, name="Dana Ng", title="Head of Partnerships")
        shoot(sponsor, "contract-signed")

        # 4. Staff countersign from the sponsorships list; the invoice is issued by card as the sponsor asked.
        admin.goto(f"{live_server.url}/admin/events/sponsorships/")
        admin.locator("tr", has_text=COMPANY).get_by_role("link", name=re.compile("^Contract")).click()
        countersign_the_contract(admin, name="Grace Hopper", title="Events Director")
        sponsorship.refresh_from_db()
        assert sponsorship.contract.status == SponsorshipContract.Status.SIGNED
        assert sponsorship.status == Sponsorship.Status.INVOICED

        # 5. The sponsor pays the invoice by card from their page.
        sponsor.goto(f"{live_server.url}/events/sponsorships/{organization.slug}/")
        card = sponsor.get_by_role("region", name=f"{event.name}: Spotlight sponsorship")
        assert "Invoiced" in card.inner_text()
        card.get_by_role("link", name="pay", exact=True).click()
        sponsor.wait_for_url("**/payments/**")
        sponsor.get_by_placeholder("number").wait_for()
        shoot(sponsor, "pay")
        # The package's price and any tax the event's rules add (tested with the tax rules, not here).
        payment = latest_payments_for_owners([sponsorship])[str(sponsorship.pk)]
        assert payment.amount >= spotlight.price and payment.currency == "EUR"
        _fill_card(sponsor, "4242424242424242")
        sponsor.get_by_role("button", name=f"Pay {payment.amount_display}").click()
        sponsor.wait_for_url("**/return/**", timeout=20_000)
        assert sponsor.locator("h1").inner_text() == "Thank you: payment received"
        sponsorship.refresh_from_db()
        assert sponsorship.status == Sponsorship.Status.PAID
        assert latest_payments_for_owners([sponsorship])[str(sponsorship.pk)].status == PaymentStatus.SUCCEEDED

        # 6. The sponsor page: the logo benefit released, the passes code; a logo uploaded there.
        sponsor.goto(f"{live_server.url}/events/sponsorships/{organization.slug}/")
        card = sponsor.get_by_role("region", name=f"{event.name}: Spotlight sponsorship")
        text = card.inner_text()
        assert "Paid" in text
        assert re.search(r"Logo on the event page\s*Released", text), text
        assert sponsorship.pass_code is not None
        assert f"code {sponsorship.pass_code.code} for {spotlight.passes_included} tickets" in text
        logo_benefit = sponsorship.benefit_rows.get(kind=SponsorBenefit.Kind.LOGO)
        assert logo_benefit.status == SponsorBenefit.Status.RELEASED
        logo = tmp_path / "orbit.svg"
        logo.write_text(SVG)
        upload_the_logo(sponsor, card, logo, event.name)
        shoot(sponsor, "sponsor-page-paid")

        # 7. The event page shows the logo; the member directory does not list the company.
        sponsor.goto(f"{live_server.url}/events/{event.slug}/")
        assert sponsor.get_by_role("img", name=COMPANY).count() >= 1
        shoot(sponsor, "event-page")
        sponsor.goto(f"{live_server.url}/members/")
        main = sponsor.get_by_role("main")
        assert main.get_by_role("link", name="Northwind Cloud").count() >= 1  # the directory lists members
        assert COMPANY not in main.inner_text()
    finally:
        for context in contexts:
            context.close()
    assert errors == []
    assert not axe_failures, "\n".join(axe_failures)
