"""A sponsor's administrator signs the contract in Chromium, Events staff countersign it in the admin, and
the sponsor downloads the copy signed by both sides (the page under the site's CSP, no inline script)."""

import hashlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from events import services
from events.models import SponsorshipContract, SponsorshipPackage
from members.models import OrganizationRole
from portal.accounts.groups import EVENTS_STAFF, ensure_staff_groups
from tests import pdf_text
from tests.accounts.factories import UserFactory
from tests.e2e.sponsor_steps import countersign_the_contract, session_cookie, sign_the_contract
from tests.events.factories import EventFactory
from tests.members.factories import OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _as(browser, live_server, session: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    return context.new_page()


def test_the_sponsor_signs_staff_countersign_and_the_sponsor_downloads_both_signatures(
    browser, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    ensure_staff_groups()
    start = timezone.now() + timedelta(days=90)
    event = EventFactory(slug="summit", name="OpenInfra Summit", start=start, end=start + timedelta(days=2))
    package = SponsorshipPackage.objects.create(
        event=event, name="Headline", price=Decimal("5000.00"), slots=1,
        contract_terms="{sponsor_legal_name} sponsors {event} ({package}, {price}).",
    )  # fmt: skip
    acme = OrganizationFactory(name="Acme Cloud", slug="acme", legal_name="Acme Cloud Ltd")
    signer = UserFactory()
    OrganizationRole.objects.create(user=signer, organization=acme, role=OrganizationRole.Role.ADMIN)
    staff = UserFactory(groups=[EVENTS_STAFF], is_staff=True)
    sponsorship = services.sponsorship_request(
        package=package, organization=acme, contact_email="a@acme.example", actor=signer
    )
    services.sponsorship_approve(sponsorship=sponsorship, actor=staff)

    sponsor = _as(browser, live_server, session_cookie(signer))
    sponsor.goto(f"{live_server.url}/events/sponsorships/{sponsorship.pk}/contract/")
    sign_the_contract(sponsor, name="Ada Lovelace", title="Chief Financial Officer")
    assert sponsor.get_by_role("link", name="Signed by the sponsor").is_visible()

    admin = _as(browser, live_server, session_cookie(staff, second_factor=True))
    admin.goto(f"{live_server.url}/admin/events/sponsorships/{sponsorship.pk}/contract/")
    countersign_the_contract(admin, name="Grace Hopper", title="Events Director")

    sponsor.reload()
    with sponsor.expect_download() as download:
        sponsor.get_by_role("link", name="Signed by both sides").click()
    data = download.value.path().read_bytes()
    contract = SponsorshipContract.objects.get(sponsorship=sponsorship)
    assert hashlib.sha256(data).hexdigest() == contract.countersigned_sha256
    signatures = pdf_text.page_texts(data)[-1]
    assert "Ada Lovelace" in signatures and "Grace Hopper" in signatures and contract.unsigned_sha256 in signatures
