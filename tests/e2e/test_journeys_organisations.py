"""The journeys of organisations in Chromium. A company applies, Membership staff
approve it in the admin, its admin pays the dues by card; a sponsor applies to pay by bank transfer, Events
staff invoice it, Finance mark the transfer received. Each step's page is shot at 1280 and 375 px (as the
same person) in var/artifacts/ (journey-<name>-<step>-<width>.png), with axe on our own pages. The
keyboard-only variants drive every step with the keyboard, the staff's too: staff log in by keyboard and
open our admin screen by its address (the way there through Wagtail's menu is Wagtail's own)."""

import re

import pytest
from django.core import mail
from django.utils import timezone

from events.models import Sponsorship
from members.demo import DEMO_PASSWORD
from members.models import Membership, MembershipApplication, MembershipTier
from portal.accounts.groups import EVENTS_STAFF, FINANCE, MEMBERSHIP_STAFF
from portal.accounts.mfa import totp_activate
from portal.payments.models import PaymentStatus
from portal.payments.selectors import payments_for_owner
from tests.accounts.factories import PASSWORD, UserFactory
from tests.conftest import totp_code_to_type
from tests.e2e.test_journeys import PHONE, _fill_card, _focused, _open_summit, _shoot, _type_card_by_keyboard
from tests.e2e.test_registration import _tab_to

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
# A demo member company's admin (members/demo.py), who applies to sponsor the summit.
SPONSOR_EMAIL, SPONSOR_ORGANIZATION = "jutta.feldkamp@orchard-automation.example", "Orchard Automation"
INVOICES_TO = "events@orchard-automation.example"


class Journey:
    """One journey's people: a desktop page each (CSP bypassed so that axe can run; test_csp.py checks the
    CSP page by page), and one phone page that looks at each step as the same person."""

    def __init__(self, browser, artifacts_dir, name: str):
        self.browser, self.artifacts_dir, self.name = browser, artifacts_dir, name
        self.contexts = []
        self.axe_failures: list[str] = []
        self.phone = self._context(**PHONE).new_page()

    def _context(self, **options):
        context = self.browser.new_context(bypass_csp=True, **options)
        self.contexts.append(context)
        return context

    def person(self):
        return self._context(**DESKTOP).new_page()

    def shoot(self, page, step: str, *, ours: bool = True) -> None:
        """The step at 1280 px, then the same address at 375 px with the person's cookies. `ours`: our markup
        (axe runs, no sideways scrolling); the Wagtail admin's chrome is Wagtail's."""
        failures = self.axe_failures if ours else None
        _shoot(page, self.artifacts_dir, self.name, step, failures)
        self.phone.context.clear_cookies()
        self.phone.context.add_cookies(page.context.cookies())
        self.phone.goto(page.url)
        self.phone.wait_for_load_state("networkidle")
        if ours:
            assert self.phone.evaluate("document.documentElement.scrollWidth") <= 375, f"{step} scrolls sideways"
        _shoot(self.phone, self.artifacts_dir, self.name, step, failures)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def journey(browser, artifacts_dir):
    made = []

    def make(name: str) -> Journey:
        made.append(Journey(browser, artifacts_dir, name))
        return made[-1]

    yield make
    for one in made:
        one.close()


def _log_in(page, email: str, password: str, totp_secret: str | None = None) -> None:
    """On the log-in page: e-mail, password and, for staff, the authenticator's code."""
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    if totp_secret:
        page.wait_for_url("**/accounts/2fa/authenticate/")
        page.get_by_label("Code").fill(totp_code_to_type(totp_secret))
        page.get_by_role("button", name="Log in").click()


def _staff_in_the_admin(journey: Journey, live_server, group: str, first_name: str):
    """A member of `group` with an authenticator logs in from /admin/ with the second factor."""
    staff = UserFactory(groups=[group], first_name=first_name, last_name="Staff")
    secret = totp_activate(staff)
    page = journey.person()
    page.goto(live_server.url + "/admin/")
    _log_in(page, staff.email, PASSWORD, secret)
    page.wait_for_url(live_server.url + "/admin/")
    return page


def _message(page) -> str:
    """The site's flash messages (templates/base.html)."""
    return page.locator(".messages").inner_text()


# --- Membership ----------------------------------------------------------------------------------------


@pytest.mark.localstripe
def test_company_applies_staff_approve_and_its_admin_pays_the_dues_by_card(
    live_server, demo_site, localstripe, settings, journey
):
    settings.SITE_URL = live_server.url  # the links in e-mails point at this server
    mail.outbox.clear()
    ada = UserFactory(email="ada@quillfeather.example", first_name="Ada", last_name="Quill")
    trip = journey("membership")

    # The company's future admin reads the tiers and applies for Silver, paying by card.
    applicant = trip.person()
    applicant.goto(live_server.url + "/join/")
    trip.shoot(applicant, "join")
    applicant.get_by_role("link", name="Apply for Silver membership").click()
    applicant.wait_for_url("**/accounts/login/**")
    _log_in(applicant, ada.email, PASSWORD)
    applicant.wait_for_url(f"{live_server.url}/join/apply/?tier=silver")
    assert applicant.get_by_label("Tier").input_value() == str(MembershipTier.objects.get(slug="silver").pk)
    assert applicant.get_by_label("Contact email").input_value() == ada.email  # filled in from the account
    applicant.get_by_label("Organisation name").fill("Quillfeather Cloud")
    applicant.get_by_label("Legal name").fill("Quillfeather Cloud GmbH")
    applicant.get_by_label("Website").fill("https://quillfeather.example/")
    applicant.get_by_label("Description").fill("A public OpenStack cloud in Leipzig.")
    applicant.get_by_label("Country").fill("Germany")
    applicant.get_by_label("Industry").select_option(label="Public cloud")
    applicant.get_by_label("Size").select_option(label="50–249 employees")
    applicant.get_by_label("Billing address").fill("Karl-Liebknecht-Straße 1\n04107 Leipzig")
    applicant.get_by_label("VAT ID").fill("DE987654321")
    applicant.get_by_label("Billing email").fill("billing@quillfeather.example")
    applicant.get_by_label("Card, online").check()
    applicant.get_by_label(re.compile("I accept the membership agreement")).check()
    trip.shoot(applicant, "apply")
    applicant.get_by_role("button", name="Send the application").click()
    applicant.wait_for_url("**/accounts/")
    assert "Thank you: your application is in" in _message(applicant)
    applications = applicant.get_by_role("region", name="Membership applications")
    assert "Quillfeather Cloud · Silver" in applications.inner_text() and "Submitted" in applications.inner_text()
    trip.shoot(applicant, "applied")
    assert any(m.to == [ada.email] and "Quillfeather Cloud" in m.subject for m in mail.outbox)

    # Membership staff approve it in the admin's applications queue.
    staff = _staff_in_the_admin(trip, live_server, MEMBERSHIP_STAFF, "Maya")
    staff.get_by_role("link", name="Applications queue").click()
    staff.wait_for_url("**/admin/members/applications/")
    application = staff.get_by_role("region", name=re.compile("^Quillfeather Cloud"))
    assert "Card, online" in application.inner_text()
    trip.shoot(staff, "queue", ours=False)
    with staff.expect_navigation():
        application.get_by_role("button", name="Approve").click()
    assert "Quillfeather Cloud is approved" in staff.get_by_text("Quillfeather Cloud is approved").inner_text()
    membership = Membership.objects.get(organization__slug="quillfeather-cloud")
    assert membership.status == Membership.Status.APPROVED
    dues = membership.dues_periods.get()
    (welcome,) = [m for m in mail.outbox if m.to == [ada.email] and "approved" in m.subject]
    assert live_server.url + dues.payment.get_absolute_url() in welcome.body

    # The company's admin finds the dues under My account and pays them by card.
    applicant.goto(live_server.url + "/accounts/")
    organisations = applicant.get_by_role("region", name="Your organisations")
    assert "Administrator" in organisations.inner_text()
    organisations.get_by_role("link", name=re.compile(r"^Pay 25,000\.00 USD: Quillfeather Cloud dues")).click()
    applicant.wait_for_url(f"**{dues.payment.get_absolute_url()}")
    applicant.get_by_placeholder("number").wait_for()
    trip.shoot(applicant, "dues")
    _fill_card(applicant, "4242424242424242")
    applicant.get_by_role("button", name=re.compile(r"^Pay 25,000\.00 USD")).click()
    applicant.wait_for_url("**/return/**", timeout=20_000)
    assert applicant.locator("h1").inner_text() == "Thank you: payment received"
    trip.shoot(applicant, "paid")
    membership.refresh_from_db()
    dues.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    assert dues.payment.status == PaymentStatus.SUCCEEDED and dues.invoice.status == "paid"

    # Anyone now finds the company in the member directory.
    visitor = trip.person()
    visitor.goto(live_server.url + "/")
    visitor.get_by_role("navigation", name="Main").get_by_role("link", name="Members").click()
    visitor.wait_for_url("**/members/")
    visitor.get_by_role("main").get_by_role("link", name="Quillfeather Cloud", exact=True).first.click()
    visitor.wait_for_url("**/members/quillfeather-cloud/")
    assert visitor.locator("h1").inner_text() == "Quillfeather Cloud"
    assert "Silver member" in visitor.get_by_role("main").inner_text()
    trip.shoot(visitor, "member")
    assert not trip.axe_failures, "\n".join(trip.axe_failures)


# --- Sponsorship ---------------------------------------------------------------------------------------


def _invoice_mail(number: str):
    (invoice,) = [m for m in mail.outbox if m.to == [INVOICES_TO] and number in m.subject]
    return invoice


def test_sponsor_applies_to_pay_by_bank_transfer_and_finance_mark_the_transfer_received(
    live_server, demo_site, settings, journey
):
    settings.SITE_URL = live_server.url
    mail.outbox.clear()
    event = _open_summit()
    trip = journey("sponsorship")

    # A member company's admin finds the sponsorship packages from the summit's page and logs in to apply.
    sponsor = trip.person()
    sponsor.goto(f"{live_server.url}/events/{event.slug}/")
    sponsor.get_by_role("link", name=f"Sponsor {event.name}").click()
    sponsor.wait_for_url(f"**/events/{event.slug}/sponsor/")
    trip.shoot(sponsor, "packages")
    sponsor.get_by_role("main").get_by_role("link", name="Log in").click()
    _log_in(sponsor, SPONSOR_EMAIL, DEMO_PASSWORD)
    sponsor.wait_for_url(f"{live_server.url}/events/{event.slug}/sponsor/")

    # Spotlight, with the invoice to the events team, paid by bank transfer: the form, then its review.
    sponsor.get_by_role("link", name="Apply for Spotlight").click()
    sponsor.wait_for_url(f"**/events/{event.slug}/sponsor/apply/**")
    assert sponsor.get_by_label("Organisation").input_value()  # the one they administer
    sponsor.get_by_label("Billing contact: e-mail (the invoice goes here)").fill(INVOICES_TO)
    sponsor.get_by_label("Legal name (on the invoice)").fill("Orchard Automation GmbH")
    sponsor.get_by_label("Billing address").fill("Obstgartenweg 4\n70173 Stuttgart")
    sponsor.get_by_label("Country").select_option(label="Germany")
    sponsor.get_by_label("Bank transfer, against an invoice").check()
    trip.shoot(sponsor, "apply")
    sponsor.get_by_role("button", name="Review your application").click()
    sponsor.wait_for_url(f"**/events/{event.slug}/sponsor/review/**")
    trip.shoot(sponsor, "review")
    with sponsor.expect_navigation():
        sponsor.get_by_role("button", name="Submit").click()
    assert "application for Spotlight holds its slot" in _message(sponsor)
    assert "to pay by bank transfer" in _message(sponsor)
    trip.shoot(sponsor, "applied")
    sponsorship = Sponsorship.objects.get(organization__name=SPONSOR_ORGANIZATION, package__name="Spotlight")
    assert (sponsorship.status, sponsorship.payment_method) == (Sponsorship.Status.REQUESTED, "bank_transfer")

    # Events staff approve it, and invoice it by bank transfer as the sponsor asked.
    events_staff = _staff_in_the_admin(trip, live_server, EVENTS_STAFF, "Eve")
    events_staff.get_by_role("link", name="Sponsorships").click()
    events_staff.wait_for_url("**/admin/events/sponsorships/")
    row = events_staff.locator("tr", has_text=SPONSOR_ORGANIZATION).filter(has_text="Spotlight")
    assert "pays by bank transfer" in row.inner_text()
    with events_staff.expect_navigation():
        row.get_by_role("button", name="Approve").click()
    trip.shoot(events_staff, "pipeline", ours=False)
    with events_staff.expect_navigation():
        row.get_by_role("button", name="Invoice (bank transfer)").click()
    assert "Invoiced" in row.inner_text()
    sponsorship.refresh_from_db()
    payment = payments_for_owner(sponsorship).get()
    invoice = payment.invoices.get()
    assert (payment.method, payment.status) == ("bank_transfer", PaymentStatus.CREATED)

    # The invoice reaches the events team by e-mail, with the reference to quote on the transfer; the
    # sponsor also finds it under My account.
    message = _invoice_mail(invoice.number)
    assert f"quoting {invoice.number}" in message.body and message.attachments[0][0] == f"{invoice.number}.pdf"
    sponsor.goto(live_server.url + "/accounts/")
    sponsorships = sponsor.get_by_role("region", name="Your sponsorships")
    assert f"invoice {invoice.number}" in sponsorships.inner_text()
    sponsorships.get_by_role("link", name=f"{event.name}: Spotlight sponsorship").click()
    sponsor.wait_for_url(f"**{payment.get_absolute_url()}")
    instructions = sponsor.get_by_role("main").inner_text()
    assert "Pay by bank transfer" in instructions and f"quoting {invoice.number}" in instructions
    trip.shoot(sponsor, "transfer")
    sponsor.get_by_role("link", name=f"Invoice {invoice.number}").click()
    sponsor.wait_for_url("**/invoice/")
    assert f"quoting {invoice.number}" in sponsor.get_by_role("main").inner_text()
    trip.shoot(sponsor, "invoice")

    # Finance find the invoice by the reference the bank statement quotes and mark the transfer received.
    finance = _staff_in_the_admin(trip, live_server, FINANCE, "Fin")
    finance.get_by_role("link", name="Finance").click()
    finance.wait_for_url("**/admin/finance/payments/")
    finance.get_by_role("link", name="Invoices", exact=True).click()
    finance.wait_for_url("**/admin/finance/invoices/")
    finance.get_by_label("Number, buyer or PO").fill(invoice.number)
    with finance.expect_navigation():
        finance.get_by_role("button", name="Filter").click()
    finance.get_by_role("link", name=invoice.number).click()
    finance.get_by_role("link", name="Payment", exact=True).click()
    finance.wait_for_url(f"**/admin/finance/payments/{payment.pk}/")
    # As prefilled: what the bank statement says.
    finance.get_by_role("spinbutton", name="Amount").fill(str(payment.amount))
    finance.get_by_label("Received on").fill(timezone.localdate().isoformat())
    finance.get_by_label("Reference").fill(f"SEPA {invoice.number} ORCHARD")
    trip.shoot(finance, "mark-received", ours=False)
    with finance.expect_navigation():
        finance.get_by_role("button", name="Mark received").click()
    assert finance.get_by_text("Transfer recorded; the payment has succeeded.").is_visible()
    payment.refresh_from_db()
    sponsorship.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert sponsorship.status == Sponsorship.Status.PAID

    # The sponsor sees it paid.
    sponsor.goto(live_server.url + "/accounts/")
    item = sponsor.get_by_role("region", name="Your sponsorships").locator("li", has_text="Spotlight sponsorship")
    assert item.locator(".badge").inner_text() == "Paid"
    assert "passes: code" in item.inner_text()  # Spotlight includes five passes
    trip.shoot(sponsor, "paid")
    assert not trip.axe_failures, "\n".join(trip.axe_failures)


# --- By keyboard alone ---------------------------------------------------------------------------------


def _press_enter_on(page, selector: str, limit: int = 120) -> None:
    """Tab to a link or a submit button and press Enter: a new page loads (maybe at the same address)."""
    _tab_to(page, selector, limit)
    with page.expect_navigation(timeout=20_000):
        page.keyboard.press("Enter")


def _type_into(page, selector: str, text: str) -> None:
    _tab_to(page, selector)
    page.keyboard.press("Control+A")  # replaces what the form filled in
    page.keyboard.type(text)


def _log_in_by_keyboard(page, email: str, password: str) -> None:
    page.wait_for_url("**/accounts/login/**")
    _type_into(page, "#id_login", email)
    _type_into(page, "#id_password", password)
    page.keyboard.press("Enter")


def _choose_in_select(page, selector: str, typed: str, label: str) -> None:
    """A closed <select> with the focus picks the option whose label starts with what is typed."""
    _tab_to(page, selector)
    page.keyboard.type(typed)
    chosen = page.evaluate(
        "(s) => { const el = document.querySelector(s); return el.options[el.selectedIndex].text }", selector
    )
    assert chosen == label, chosen


@pytest.fixture
def staff_by_keyboard(browser, live_server):
    """staff_by_keyboard(groups, address) -> a page of a staff member who logged in by keyboard (password, then
    the authenticator's code) on the way to an admin screen they opened by its address."""
    contexts = []

    def make(groups, address: str):
        staff = UserFactory(groups=list(groups), first_name="Kim", last_name="Keys")
        secret = totp_activate(staff)
        contexts.append(browser.new_context(**DESKTOP))
        page = contexts[-1].new_page()
        page.goto(live_server.url + address)
        _log_in_by_keyboard(page, staff.email, PASSWORD)
        page.wait_for_url("**/accounts/2fa/authenticate/")
        _type_into(page, "#id_code", totp_code_to_type(secret))
        page.keyboard.press("Enter")
        page.wait_for_url(live_server.url + address)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.mark.localstripe
def test_company_applies_and_its_admin_pays_the_dues_by_keyboard_alone(
    page, live_server, demo_site, localstripe, settings, artifacts_dir, staff_by_keyboard
):
    """Every step with Tab, typing, arrows, Space and Enter, the staff's approval in the admin included."""
    settings.SITE_URL = live_server.url
    ada = UserFactory(email="ada@quillfeather.example", first_name="Ada", last_name="Quill")
    page.goto(live_server.url + "/join/")

    _press_enter_on(page, "main a[href='/join/apply/?tier=silver']")
    _log_in_by_keyboard(page, ada.email, PASSWORD)
    page.wait_for_url(f"{live_server.url}/join/apply/?tier=silver")
    for selector, text in (
        ("#id_organization_name", "Quillfeather Cloud"),
        ("#id_legal_name", "Quillfeather Cloud GmbH"),
        ("#id_website", "https://quillfeather.example/"),
        ("#id_country", "Germany"),
    ):
        _type_into(page, selector, text)
    _choose_in_select(page, "#id_industry", "Public", "Public cloud")
    _choose_in_select(page, "#id_size", "5", "50–249 employees")
    _type_into(page, "#id_billing_address", "Karl-Liebknecht-Straße 1")
    page.keyboard.press("Enter")  # a new line in the textarea, not a submission
    page.keyboard.type("04107 Leipzig")
    _type_into(page, "#id_billing_email", "billing@quillfeather.example")
    _tab_to(page, "input[name=payment_method]:checked")  # Tab enters a radio group at its checked radio
    assert _focused(page, "#id_payment_method_0")  # Card, online
    _tab_to(page, "#id_agreement")
    page.keyboard.press("Space")
    _shoot(page, artifacts_dir, "keyboard-membership", "apply")
    _press_enter_on(page, "main form button[type=submit]")
    page.wait_for_url("**/accounts/")
    application = MembershipApplication.objects.get(applicant=ada)
    assert application.billing_address.splitlines() == ["Karl-Liebknecht-Straße 1", "04107 Leipzig"]
    assert (application.industry, application.size, application.payment_method) == ("cloud", "50-249", "card")

    staff = staff_by_keyboard([MEMBERSHIP_STAFF], "/admin/members/applications/")
    _press_enter_on(staff, f"form[action='/admin/members/applications/{application.pk}/approve/'] button", 200)
    assert "Quillfeather Cloud is approved" in staff.locator(".messages").inner_text()
    membership = Membership.objects.get(application=application)
    dues = membership.dues_periods.get()

    _press_enter_on(page, "header a[href='/accounts/']")
    page.wait_for_url("**/accounts/")
    _press_enter_on(page, f"main a[href='{dues.payment.get_absolute_url()}']")
    page.wait_for_url(f"**{dues.payment.get_absolute_url()}")
    _type_card_by_keyboard(page, postal_code="04107")
    _press_enter_on(page, "#card-form button[type=submit]")
    page.wait_for_url("**/return/**", timeout=20_000)
    assert page.locator("h1").inner_text() == "Thank you: payment received"
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE

    _press_enter_on(page, "header a[href='/members/']")
    page.wait_for_url("**/members/")
    _press_enter_on(page, "main a[href='/members/quillfeather-cloud/']", limit=300)
    page.wait_for_url("**/members/quillfeather-cloud/")
    assert page.locator("h1").inner_text() == "Quillfeather Cloud"
    _shoot(page, artifacts_dir, "keyboard-membership", "member")


def test_sponsor_applies_to_pay_by_bank_transfer_by_keyboard_alone(
    page, live_server, demo_site, settings, artifacts_dir, staff_by_keyboard
):
    """Every step by keyboard: the sponsor's, Events staff's approval and invoice, Finance's transfer received."""
    settings.SITE_URL = live_server.url
    event = _open_summit()
    page.goto(f"{live_server.url}/events/{event.slug}/")

    _press_enter_on(page, f"main a[href='/events/{event.slug}/sponsor/']")
    page.wait_for_url(f"**/events/{event.slug}/sponsor/")
    _press_enter_on(page, "main a[href^='/accounts/login/']")
    _log_in_by_keyboard(page, SPONSOR_EMAIL, DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/events/{event.slug}/sponsor/")
    spotlight = event.sponsorship_packages.get(name="Spotlight")
    _press_enter_on(page, f"main a[href$='/sponsor/apply/?package={spotlight.pk}']")
    page.wait_for_url(f"**/events/{event.slug}/sponsor/apply/**")
    _type_into(page, "#id_billing_contact_email", INVOICES_TO)
    _type_into(page, "#id_billing_name", "Orchard Automation GmbH")
    _type_into(page, "#id_billing_address", "Obstgartenweg 4, 70173 Stuttgart")
    _choose_in_select(page, "#id_billing_country", "Germ", "Germany")
    _tab_to(page, "input[name=payment_method]:checked")
    assert _focused(page, "#id_payment_method_0")  # Card, online, until the sponsor chooses
    page.keyboard.press("ArrowDown")  # moves to, and checks, the next radio: bank transfer
    assert page.locator("#id_payment_method_1").is_checked()
    _shoot(page, artifacts_dir, "keyboard-sponsorship", "apply")
    _press_enter_on(page, "main form button[type=submit]")  # Review your application
    page.wait_for_url(f"**/events/{event.slug}/sponsor/review/**")
    _shoot(page, artifacts_dir, "keyboard-sponsorship", "review")
    _press_enter_on(page, "main form[action$='#form-errors'] button[type=submit]")  # Submit
    sponsorship = Sponsorship.objects.get(organization__name=SPONSOR_ORGANIZATION, package__name="Spotlight")
    assert (sponsorship.contact_email, sponsorship.payment_method) == (INVOICES_TO, "bank_transfer")

    events_staff = staff_by_keyboard([EVENTS_STAFF], "/admin/events/sponsorships/")
    row = f"form:has(input[name=sponsorship][value='{sponsorship.pk}'])"
    _press_enter_on(events_staff, f"{row} button[value=approve]", 200)
    _press_enter_on(events_staff, f"{row} button[value=invoice_transfer]", 200)  # the sponsor's choice, first
    payment = payments_for_owner(sponsorship).get()
    invoice = payment.invoices.get()
    assert payment.method == "bank_transfer"

    _press_enter_on(page, "header a[href='/accounts/']")
    page.wait_for_url("**/accounts/")
    _press_enter_on(page, f"main a[href='{payment.get_absolute_url()}']")
    page.wait_for_url(f"**{payment.get_absolute_url()}")
    _press_enter_on(page, f"main a[href='{payment.get_absolute_url()}invoice/']")
    page.wait_for_url("**/invoice/")
    assert f"quoting {invoice.number}" in page.get_by_role("main").inner_text()
    _shoot(page, artifacts_dir, "keyboard-sponsorship", "invoice")

    finance = staff_by_keyboard([FINANCE], f"/admin/finance/payments/{payment.pk}/")
    _tab_to(finance, "#id_amount", 200)
    assert finance.locator("#id_amount").input_value() == str(payment.amount)  # what the invoice asks
    _tab_to(finance, "#id_received_on")
    finance.keyboard.type(timezone.localdate().strftime("%m%d%Y"))  # Chromium's date field, month first
    assert finance.locator("#id_received_on").input_value() == timezone.localdate().isoformat()
    _type_into(finance, "#id_reference", f"SEPA {invoice.number}")
    with finance.expect_navigation():
        finance.keyboard.press("Enter")
    assert "Transfer recorded" in finance.locator(".messages").inner_text()
    _press_enter_on(page, "header a[href='/accounts/']")
    page.wait_for_url("**/accounts/")
    item = page.locator("main li", has_text="Spotlight sponsorship")
    assert item.locator(".badge").inner_text() == "Paid"
    _shoot(page, artifacts_dir, "keyboard-sponsorship", "paid")
