"""A staff member without a second factor sets one up in the browser on the way to the admin."""

import pytest

from portal.accounts.groups import FINANCE
from tests.accounts.factories import PASSWORD, UserFactory
from tests.conftest import totp_code_to_type
from tests.e2e.axe import format_violations, run_axe
from tests.e2e.screenshots import full_page_screenshot
from tests.e2e.test_csp import csp_violations


@pytest.mark.django_db(transaction=True)
def test_staff_set_up_an_authenticator_then_reach_the_admin(browser, live_server, demo_site, artifacts_dir):
    finance = UserFactory(groups=[FINANCE])
    context = browser.new_context(viewport={"width": 375, "height": 812}, bypass_csp=False)
    page = context.new_page()
    violations = csp_violations(page)
    accessibility = []

    def check(step: str) -> None:
        # axe needs the CSP bypassed to inject itself: look at the same URL in a second context.
        other = browser.new_context(viewport={"width": 375, "height": 812}, bypass_csp=True)
        other.add_cookies(context.cookies())
        probe = other.new_page()
        probe.goto(page.url)
        found = run_axe(probe)
        if found:
            accessibility.append(f"{step}:\n{format_violations(found)}")
        other.close()
        full_page_screenshot(page, artifacts_dir / f"two-factor-{step}-375.png")

    page.goto(live_server.url + "/admin/")
    page.get_by_label("Email").fill(finance.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/accounts/reauthenticate/**")
    assert page.get_by_text("The admin and staff pages need two-factor authentication").is_visible()  # says why
    check("confirm-password")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    assert page.get_by_role("img", name="QR code for your authenticator app").is_visible()
    check("set-up")
    page.reload()  # each showing of the set-up page makes a new key, and the probe just showed one
    secret = page.get_by_label("Key, to type in instead of scanning").input_value()
    page.get_by_label("Authenticator code").fill(totp_code_to_type(secret))
    page.get_by_role("button", name="Turn on").click()
    page.wait_for_url("**/accounts/2fa/recovery-codes/")
    assert len(page.get_by_label("Unused codes").input_value().split()) == 10
    check("recovery-codes")
    page.get_by_role("link", name="Continue to the admin").click()
    page.wait_for_url(live_server.url + "/admin/")
    assert "Dashboard" in page.title()
    context.close()
    assert violations == [], "\n".join(violations)
    assert not accessibility, "\n".join(accessibility)
