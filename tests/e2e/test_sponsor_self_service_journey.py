"""The sponsor's own page in a browser: its admin finds it from My account and uploads a logo; Events staff
release the logo early with a reason; the sponsor sees it released and the public page shows the logo."""

import re

from django.core import mail

from events.models import SponsorBenefit, Sponsorship
from tests.e2e.conftest import DATA_LOADERS
from tests.e2e.pages import MEMBER, STAFF
from tests.e2e.sponsor_steps import upload_the_logo

SVG = (
    '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    '<rect width="10" height="10" fill="#2e7d32"/><title>Orchard Automation</title></svg>'
)


def test_sponsor_uploads_a_logo_and_staff_release_it_early(browser_as, live_server, settings, tmp_path):
    settings.SITE_URL = live_server.url
    DATA_LOADERS["sponsorship-invoiced"]()
    sponsorship = Sponsorship.objects.select_related("package__event").get(
        organization__slug="orchard-automation", package__name="Spotlight"
    )
    event = sponsorship.package.event
    mail.outbox.clear()

    sponsor = browser_as(MEMBER)
    sponsor.goto(live_server.url + "/accounts/")
    sponsor.get_by_role("link", name="Orchard Automation: sponsorships, benefits and material").click()
    sponsor.wait_for_url("**/events/sponsorships/orchard-automation/")
    card = sponsor.get_by_role("region", name=f"{event.name}: Spotlight sponsorship")
    assert "Invoiced" in card.inner_text() and "Pending" in card.inner_text()

    logo = tmp_path / "orchard.svg"
    logo.write_text(SVG)
    upload_the_logo(sponsor, card, logo, event.name)
    card = sponsor.get_by_role("region", name=f"{event.name}: Spotlight sponsorship")
    assert "Logos received: SVG" in card.inner_text()
    assert any(message.subject.endswith("we received your SVG logo") for message in mail.outbox)

    staff = browser_as(STAFF)
    staff.goto(f"{live_server.url}/admin/events/sponsorships/{sponsorship.pk}/benefits/")
    row = staff.locator("tr", has_text="Logo on the event page")
    row.get_by_label(re.compile("Reason for releasing")).fill("Announced in the keynote")
    with staff.expect_navigation():
        row.get_by_role("button", name="Release early").click()
    assert "Released" in staff.locator("tr", has_text="Logo on the event page").inner_text()
    logo_benefit = SponsorBenefit.objects.get(sponsorship=sponsorship, kind=SponsorBenefit.Kind.LOGO)
    assert logo_benefit.released_early and logo_benefit.release_reason == "Announced in the keynote"

    sponsor.reload()
    card = sponsor.get_by_role("region", name=f"{event.name}: Spotlight sponsorship")
    assert re.search(r"Logo on the event page\s*Released", card.inner_text())
    sponsor.goto(f"{live_server.url}/events/{event.slug}/")
    assert sponsor.get_by_role("img", name="Orchard Automation").count() >= 1
