"""From "Join us" to a logo in the directory, seats under concurrency, logos, rejections."""

import io
from decimal import Decimal
from html import unescape

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from members import services
from members.exceptions import TierFull
from members.models import Membership, MembershipApplication, Organization
from tests.accounts.factories import UserFactory
from tests.concurrency import run_at_once, widen_the_window
from tests.members.factories import MembershipFactory, MembershipTierFactory, application, application_data
from tests.payments.conftest import GOOD_CARD, card_token
from tests.portal.factories import directory, join_page

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'


def _apply(client, tier, *, logo=None, **overrides):
    form = {**application_data(**overrides), "requested_tier": tier.pk, "agreement": "on"}
    if logo is not None:
        form["logo"] = logo
    return client.post("/join/apply/", form)


@pytest.mark.localstripe
@pytest.mark.django_db
def test_1_apply_approve_pay_by_card_and_appear_in_the_directory_and_api(
    localstripe, site_with_home, membership_staff, django_capture_on_commit_callbacks, staff_client_factory
):
    directory(site_with_home)
    join_page(site_with_home)
    gold = MembershipTierFactory(name="Gold", slug="gold", annual_fee=Decimal("25000.00"), currency="USD")
    anonymous = Client()
    assert '0</span> <span class="stat__label">member organisations' in anonymous.get("/join/").content.decode()

    # Apply: signed in, over HTTP, with a logo.
    applicant = UserFactory(email="ada@acme.example")
    browser = Client()
    browser.force_login(applicant)
    assert browser.get("/join/apply/?tier=gold").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = _apply(browser, gold, logo=SimpleUploadedFile("acme.svg", SVG, content_type="image/svg+xml"))
    assert response.status_code == 302, response.content.decode()[:2000]
    submitted = MembershipApplication.objects.get(applicant=applicant)
    assert submitted.status == MembershipApplication.Status.SUBMITTED
    assert {tuple(m.to) for m in mail.outbox} == {("ada@acme.example",), ("membership@openinfra.example",)}
    assert "Submitted" in browser.get("/accounts/").content.decode()

    # Approve: Membership staff, in the Wagtail admin's queue.
    staff = staff_client_factory(user=membership_staff, client=Client())
    queue = staff.get("/admin/members/applications/")
    assert queue.status_code == 200 and "Acme Cloud" in queue.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(f"/admin/members/applications/{submitted.pk}/approve/")
    membership = Membership.objects.get(organization__slug="acme-cloud")
    assert membership.status == Membership.Status.APPROVED
    dues = membership.dues_periods.get()
    (welcome,) = [m for m in mail.outbox if m.to == ["ada@acme.example"]]
    assert dues.payment.get_absolute_url() in welcome.body
    assert browser.get("/members/acme-cloud/").status_code == 404  # not before the dues are paid

    # Pay: the organisation's admin finds the dues under My account and pays by card through the gateway.
    account = browser.get("/accounts/").content.decode()
    assert dues.payment.get_absolute_url() in account and "Administrator" in account
    assert browser.get(dues.payment.get_absolute_url()).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        paid = browser.post(f"/payments/{dues.payment.public_id}/card/", {"token": card_token(localstripe, GOOD_CARD)})
    assert paid.status_code == 302
    membership.refresh_from_db()
    dues.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    assert dues.paid_at is not None and dues.invoice.status == "paid"

    # Found: in the directory, on its company page with its logo, in the join page's count and in the API.
    listing = anonymous.get("/members/").content.decode()
    assert "Acme Cloud" in listing
    page = anonymous.get("/members/acme-cloud/").content.decode()
    assert "Gold member" in page and "Member since" in page and "acme" in page
    assert '1</span> <span class="stat__label">member organisation ' in anonymous.get("/join/").content.decode()
    api = anonymous.get("/api/v1/members/").json()
    rows = api["results"] if isinstance(api, dict) else api
    (row,) = [r for r in rows if r["slug"] == "acme-cloud"]
    assert row["tier"]["slug"] == "gold" and row["logo"].startswith("http") and row["logo"].endswith(".svg")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_2_two_concurrent_approvals_for_the_last_platinum_seat_exactly_one_succeeds():
    # Widen the window between counting the seats and writing, so without the tier's row lock both
    # approvals would count 7 and both would succeed; with it the second waits, counts 8 and is refused.
    platinum = MembershipTierFactory(name="Platinum", slug="platinum", seat_limit=8, board_seat=True)
    for _ in range(7):
        MembershipFactory(tier=platinum)
    contenders = [application(tier=platinum, name=f"Contender {n}") for n in range(2)]
    staff = [UserFactory(is_staff=True) for _ in contenders]
    with widen_the_window(0.5):
        outcomes = run_at_once(
            lambda candidate, actor: services.application_approve(application=candidate, actor=actor),
            zip(contenders, staff, strict=True),
        )
    memberships = [o for o in outcomes if isinstance(o, Membership)]
    refusals = [o for o in outcomes if isinstance(o, TierFull)]
    assert len(memberships) == 1 and len(refusals) == 1, outcomes
    assert "The Platinum tier is full: all 8 seats are taken" in refusals[0].message
    assert Membership.objects.filter(tier=platinum, status__in=Membership.SEAT_STATUSES).count() == 8
    statuses = sorted(
        MembershipApplication.objects.filter(pk__in=[c.pk for c in contenders]).values_list("status", flat=True)
    )
    assert statuses == ["approved", "submitted"]


def _image(kind: str, size=(8, 8)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, kind)
    return out.getvalue()


def _big_png() -> bytes:
    return _image("PNG") + b"\x00" * (1024 * 1024)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("logo.png", "GIF", "This file is a GIF image; only PNG and JPEG are accepted."),
        ("logo.pdf", b"%PDF-1.4\n", "File extension “pdf” is not allowed."),
        ("logo.png", SVG, "The file's content is SVG but its name says otherwise; rename it to .svg."),
        ("logo.png", "BIG", "The file is larger than 1 MB; please upload a smaller one."),
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "The SVG contains a script, which is not allowed in an uploaded image.",
        ),
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><rect onload="alert(1)"/></svg>',
            "The SVG contains an event handler attribute (onload), which is not allowed.",
        ),
    ],
    ids=["gif-named-png", "pdf", "svg-named-png", "too-large", "svg-script", "svg-handler"],
)
def test_3_a_bad_logo_is_refused_with_a_clear_message(client, filename, content, message):
    client.force_login(UserFactory())
    tier = MembershipTierFactory()
    data = {"GIF": lambda: _image("GIF"), "BIG": _big_png}.get(content, lambda: content)()
    response = _apply(client, tier, logo=SimpleUploadedFile(filename, data))
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert message in html, html[html.find("errorlist") - 200 : html.find("errorlist") + 600]
    assert not MembershipApplication.objects.exists()


@pytest.mark.django_db
def test_3_the_admin_refuses_the_same_logos_on_an_organisation():
    from django.core.exceptions import ValidationError

    organization = Organization(name="Acme", slug="acme")
    organization.logo = SimpleUploadedFile("acme.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>')
    with pytest.raises(ValidationError) as caught:
        organization.full_clean()
    assert "The SVG contains a script" in str(caught.value)
    organization.logo = SimpleUploadedFile("acme.jpg", _image("JPEG"))
    organization.full_clean()
    organization.logo = SimpleUploadedFile("acme.png", _image("PNG"))
    organization.full_clean()


@pytest.mark.django_db
def test_4_the_rejected_applicant_receives_the_reason_and_a_second_open_application_is_refused(
    membership_staff, django_capture_on_commit_callbacks, staff_client_factory
):
    tier = MembershipTierFactory(name="Silver")
    applicant, colleague = UserFactory(email="ada@acme.example"), UserFactory(email="bob@acme.example")
    browser, other = Client(), Client()
    browser.force_login(applicant)
    other.force_login(colleague)
    assert _apply(browser, tier).status_code == 302

    # A colleague tries again for the same organisation while the first is open: refused, clearly.
    response = _apply(other, tier, organization_name="ACME Cloud")
    assert response.status_code == 400
    assert "An application for ACME Cloud is already being reviewed" in response.content.decode()
    assert MembershipApplication.objects.count() == 1

    staff = staff_client_factory(user=membership_staff, client=Client())
    submitted = MembershipApplication.objects.get()
    staff.post(f"/admin/members/applications/{submitted.pk}/review/")
    # Without a reason nothing is rejected: staff are asked for one.
    response = staff.post(f"/admin/members/applications/{submitted.pk}/reject/", {"reason": ""}, follow=True)
    assert "Give the applicant a reason for the rejection." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == MembershipApplication.Status.UNDER_REVIEW
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(
            f"/admin/members/applications/{submitted.pk}/reject/",
            {"reason": "Silver membership needs a contribution to one of the projects first."},
        )
    submitted.refresh_from_db()
    assert submitted.status == MembershipApplication.Status.REJECTED
    (message,) = mail.outbox
    assert message.to == ["ada@acme.example"]
    assert "Silver membership needs a contribution to one of the projects first." in message.body
    assert "Rejected" in browser.get("/accounts/").content.decode()
    # Once decided, the organisation may apply again.
    assert _apply(other, tier, organization_name="ACME Cloud").status_code == 302
