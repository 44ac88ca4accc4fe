"""Sponsorship contracts: generated at approval from the package's terms, signed in the browser by the
sponsor's administrator, countersigned by Events staff, each signed file hashed into the audit log."""

import hashlib
import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from wagtail.models import ModelLogEntry

from events import contract_selectors, services
from events.contract_terms import fill_contract_terms
from events.exceptions import ContractInvalid, NotOrganizationAdmin, SponsorshipInvalid
from events.models import Sponsorship, SponsorshipContract, SponsorshipPackage
from members.models import OrganizationRole
from portal.accounts.groups import EVENTS_STAFF
from portal.payments.models import Payment
from tests import pdf_text
from tests.accounts.factories import UserFactory
from tests.events.factories import EventFactory
from tests.members.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

TERMS = (
    "This agreement is made between {sponsor_legal_name} and the organiser.\n"
    "The sponsor takes the {package} package of {event} ({dates}) for {price}.\n"
    "Literal text stays: {{ settings.SECRET_KEY }} {% debug %} {{ request }}."
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def deal(db):
    """An approved-to-be Headline request of Acme, whose admin is `signer`; staff and a bystander."""
    # 05:00 UTC on 12 May is still 11 May in Vancouver: the dates are the event's own.
    start = datetime(2027, 5, 12, 5, 0, tzinfo=UTC)
    event = EventFactory(
        slug="summit", name="OpenInfra Summit", time_zone="America/Vancouver", currency="EUR", start=start,
        end=datetime(2027, 5, 14, 5, 0, tzinfo=UTC), registration_closes=start,
    )  # fmt: skip
    package = SponsorshipPackage.objects.create(
        event=event, name="Headline", price=Decimal("100000.00"), slots=2, contract_terms=TERMS
    )
    acme = OrganizationFactory(name="Acme Cloud", slug="acme", legal_name="Acme Cloud {price} GmbH")
    signer = UserFactory(email="cfo@acme.example")
    OrganizationRole.objects.create(user=signer, organization=acme, role=OrganizationRole.Role.ADMIN)
    staff = UserFactory(groups=[EVENTS_STAFF], is_staff=True)
    sponsorship = services.sponsorship_request(
        package=package, organization=acme, contact_email="events@acme.example", actor=signer
    )
    return sponsorship, signer, staff


def approve(sponsorship, staff, capture):
    with capture(execute=True):
        services.sponsorship_approve(sponsorship=sponsorship, actor=staff)
    return SponsorshipContract.objects.get(sponsorship=sponsorship)


def approved_invoicing_on(settings, deal, invoice_on: str, capture):
    """With SPONSORSHIP_INVOICE_ON = invoice_on, staff approve the deal: (sponsorship, signer, staff)."""
    settings.SPONSORSHIP_INVOICE_ON = invoice_on
    sponsorship, signer, staff = deal
    approve(sponsorship, staff, capture)
    return sponsorship, signer, staff


def stored(field) -> bytes:
    with field.storage.open(field.name, "rb") as handle:
        return handle.read()


def sign_page(client, sponsorship) -> BeautifulSoup:
    return BeautifulSoup(client.get(f"/events/sponsorships/{sponsorship.pk}/contract/").content, "html.parser")


def sign(client, sponsorship, *, name="Ada Lovelace", title="Chief Financial Officer", sha256=None, consent=True):
    page = sign_page(client, sponsorship)
    shown = sha256 or page.find("input", attrs={"name": "sha256"})["value"]
    data = {"full_name": name, "title": title, "sha256": shown}
    if consent:
        data["consent"] = "on"
    return client.post(f"/events/sponsorships/{sponsorship.pk}/contract/", data)


def _signature(service, sponsorship, actor, defaults: dict, overrides: dict):
    return service(**{"sponsorship": sponsorship, "actor": actor, "consent": True, **defaults, **overrides})


def sign_as(sponsorship, signer, **overrides):
    """The sponsor's signature through the service, on the unsigned copy as stored."""
    contract = SponsorshipContract.objects.get(sponsorship=sponsorship)
    defaults = {"name": "Ada", "title": "CFO", "reviewed_sha256": contract.unsigned_sha256, "ip": "198.51.100.1"}
    return _signature(services.sponsorship_contract_sign, sponsorship, signer, defaults, overrides)


def staff_listing_row(admin) -> BeautifulSoup:
    """The first sponsorship on the staff's sponsorship listing."""
    page = BeautifulSoup(admin.get("/admin/events/sponsorships/").content, "html.parser")
    return page.select_one("table.listing tbody tr")


def countersign(sponsorship, staff, **overrides):
    """Staff's countersignature through the service, on the sponsor's signed copy as stored."""
    contract = SponsorshipContract.objects.get(sponsorship=sponsorship)
    defaults = {
        "name": "Grace Hopper",
        "title": "Events Director",
        "reviewed_sha256": contract.sponsor_sha256,
        "ip": "192.0.2.7",
    }
    return _signature(services.sponsorship_contract_countersign, sponsorship, staff, defaults, overrides)


def test_approval_generates_the_contract_with_placeholders_filled_plainly(deal, django_capture_on_commit_callbacks):
    sponsorship, signer, staff = deal
    contract = approve(sponsorship, staff, django_capture_on_commit_callbacks)

    data = stored(contract.unsigned_pdf)
    assert hashlib.sha256(data).hexdigest() == contract.unsigned_sha256
    assert contract.status == SponsorshipContract.Status.AWAITING_SPONSOR
    text = " ".join(" ".join(pdf_text.page_texts(data)).split())  # lines wrapped at the page's edge joined
    # Each placeholder filled once: the legal name's own "{price}" is not filled again.
    assert "This agreement is made between Acme Cloud {price} GmbH and the organiser." in text
    assert "The sponsor takes the Headline package of OpenInfra Summit" in text
    assert "(11 – 13 May 2027 (America/Vancouver)) for 100,000.00 EUR." in text
    # Template syntax is staff text like any other: printed as typed, never rendered.
    assert "Literal text stays: {{ settings.SECRET_KEY }} {% debug %} {{ request }}." in text
    assert contract.terms.endswith("Literal text stays: {{ settings.SECRET_KEY }} {% debug %} {{ request }}.")
    entry = ModelLogEntry.objects.get(action="events.sponsorship.contract_generate")
    assert entry.data["sha256"] == contract.unsigned_sha256

    (ready,) = [m for m in mail.outbox if "ready to sign" in m.subject]
    assert ready.to == ["events@acme.example", "cfo@acme.example"]
    assert f"/events/sponsorships/{sponsorship.pk}/contract/" in ready.body
    assert "&#x27;" not in ready.body and "Acme Cloud's Headline sponsorship" in ready.body


def test_the_contract_names_the_sponsor_by_the_legal_name_given_in_the_application(
    deal, django_capture_on_commit_callbacks
):
    # A company new to the site has no legal name of its own: the one typed for the invoice is the sponsor's.
    sponsorship, signer, staff = deal
    Sponsorship.objects.filter(pk=sponsorship.pk).update(billing_name="Acme Cloud Europe GmbH")
    sponsorship.refresh_from_db()
    contract = approve(sponsorship, staff, django_capture_on_commit_callbacks)

    text = " ".join(" ".join(pdf_text.page_texts(stored(contract.unsigned_pdf))).split())
    assert "Sponsor Acme Cloud Europe GmbH" in text
    assert "This agreement is made between Acme Cloud Europe GmbH and the organiser." in text
    assert "{price} GmbH" not in text


def test_an_unknown_placeholder_is_refused_when_the_terms_are_saved(deal):
    sponsorship, _, _ = deal
    package = sponsorship.package
    package.contract_terms = "Between {sponsor_name} and us, for {price} and {prise}."
    with pytest.raises(ValidationError) as refused:
        package.full_clean()
    assert refused.value.message_dict["contract_terms"] == [
        "Unknown placeholders {sponsor_name}, {prise}. The contract can fill only {sponsor_legal_name}, "
        "{package}, {price}, {event}, {dates}."
    ]
    package.contract_terms = "Template text is not a placeholder: {{ settings }} {% now 'Y' %}."
    package.full_clean()


def test_the_admin_refuses_unknown_placeholders_with_a_clear_message(deal, staff_client_factory):
    sponsorship, _, _ = deal
    package = sponsorship.package
    client = staff_client_factory(groups=[EVENTS_STAFF])
    response = client.post(
        f"/admin/events/sponsorshippackage/edit/{package.pk}/",
        {"event": package.event_id, "name": "Headline", "price": "100000.00", "slots": "2", "benefits": "",
         "passes_included": "0", "position": "0", "contract_terms": "For {sponsor}."},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Unknown placeholder {sponsor}." in response.content.decode()
    package.refresh_from_db()
    assert package.contract_terms == TERMS


def test_sponsor_signs_staff_countersign_and_the_pdf_carries_both_signatures_and_the_hash(
    client, deal, staff_client_factory, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    sponsorship, signer, staff = deal
    contract = approve(sponsorship, staff, django_capture_on_commit_callbacks)
    client.force_login(signer)

    with django_assert_max_num_queries(13):  # with the signer's kind of header, read once (admin access, roles)
        page = sign_page(client, sponsorship)
    assert page.find("code", string=contract.unsigned_sha256)
    link = page.find("a", string="Contract to sign (unsigned)")
    download = client.get(link["href"])
    assert download["Content-Type"] == "application/pdf" and "no-store" in download["Cache-Control"]
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == contract.unsigned_sha256

    with django_capture_on_commit_callbacks(execute=True):
        response = sign(client, sponsorship, name="Ada Lovelace", title="Chief Financial Officer")
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == SponsorshipContract.Status.AWAITING_STAFF
    signed = stored(contract.sponsor_pdf)
    assert hashlib.sha256(signed).hexdigest() == contract.sponsor_sha256
    entry = ModelLogEntry.objects.get(action="events.sponsorship.contract_sign")
    assert entry.data["sha256"] == contract.sponsor_sha256 and entry.data["unsigned_sha256"] == contract.unsigned_sha256
    assert entry.user == signer
    (to_countersign,) = [m for m in mail.outbox if m.subject.startswith("Contract to countersign")]
    assert staff.email in to_countersign.to
    assert "Ada Lovelace (Chief Financial Officer) signed Acme Cloud's contract" in to_countersign.body
    assert f"/admin/events/sponsorships/{sponsorship.pk}/contract/" in to_countersign.body

    # Staff countersign in the admin, reviewing the copy the sponsor signed.
    admin = staff_client_factory(user=staff, client=type(client)())
    admin.get(f"/admin/events/sponsorships/{sponsorship.pk}/contract/")
    with django_assert_max_num_queries(20):
        screen = admin.get(f"/admin/events/sponsorships/{sponsorship.pk}/contract/")
    screen = BeautifulSoup(screen.content, "html.parser")
    shown = screen.find("input", attrs={"name": "sha256"})["value"]
    assert shown == contract.sponsor_sha256
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            f"/admin/events/sponsorships/{sponsorship.pk}/contract/",
            {"action": "countersign", "full_name": "Grace Hopper", "title": "Events Director", "consent": "on",
             "sha256": shown},
        )  # fmt: skip
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == SponsorshipContract.Status.SIGNED and not contract.signed_outside

    final = stored(contract.countersigned_pdf)
    assert hashlib.sha256(final).hexdigest() == contract.countersigned_sha256
    pages = pdf_text.page_texts(final)
    signature_page = pages[-1]
    for expected in ("Ada Lovelace", "Chief Financial Officer", "Grace Hopper", "Events Director"):
        assert expected in signature_page
    assert "Signed for the sponsor, Acme Cloud {price} GmbH" in signature_page
    # The hash printed is the stored unsigned file's, recomputed from its bytes now.
    printed = re.findall(r"\b[0-9a-f]{64}\b", signature_page)
    assert printed == [hashlib.sha256(stored(contract.unsigned_pdf)).hexdigest()]
    assert "America/Vancouver" in signature_page and "UTC" in signature_page and "127.0.0.1" in signature_page
    assert pages[:-1] == pdf_text.page_texts(stored(contract.unsigned_pdf))  # the contract's pages, unchanged

    entry = ModelLogEntry.objects.get(action="events.sponsorship.contract_countersign")
    assert entry.data["sha256"] == contract.countersigned_sha256 and entry.user == staff

    (done,) = [m for m in mail.outbox if m.subject.endswith("contract signed")]
    assert "signed by both sides" in done.body

    # Both sides find all three files.
    page = sign_page(client, sponsorship)
    assert [a.get_text() for a in page.select("table a")] == [
        "Contract to sign (unsigned)", "Signed by the sponsor", "Signed by both sides",
    ]  # fmt: skip
    assert page.find("form", attrs={"aria-labelledby": "sign-heading"}) is None
    final_download = client.get(f"/events/sponsorships/{sponsorship.pk}/contract/countersigned.pdf")
    assert b"".join(final_download.streaming_content) == final
    listing = admin.get(f"/admin/events/sponsorships/?event={sponsorship.package.event.slug}").content.decode()
    assert "Contract: signed by both sides" in listing
    screen = BeautifulSoup(admin.get(f"/admin/events/sponsorships/{sponsorship.pk}/contract/").content, "html.parser")
    assert [a.get_text() for a in screen.select("table a")] == [
        "Contract to sign (unsigned)", "Signed by the sponsor", "Signed by both sides",
    ]  # fmt: skip
    assert admin.get(f"/admin/events/sponsorships/{sponsorship.pk}/contract/countersigned.pdf").status_code == 200

    summary = contract_selectors.sponsorship_contract_summary(Sponsorship.objects.get(pk=sponsorship.pk))
    assert summary.status == "signed" and [f.kind for f in summary.files] == ["unsigned", "signed", "countersigned"]


def test_only_the_organisations_admins_and_staff_see_sign_or_download(client, deal, django_capture_on_commit_callbacks):
    sponsorship, signer, staff = deal
    contract = approve(sponsorship, staff, django_capture_on_commit_callbacks)
    page_url = f"/events/sponsorships/{sponsorship.pk}/contract/"
    file_url = page_url + "unsigned.pdf"

    assert client.get(page_url).status_code == 302  # to the login page
    billing = UserFactory()
    OrganizationRole.objects.create(
        user=billing, organization=sponsorship.organization, role=OrganizationRole.Role.BILLING
    )
    other_admin = UserFactory()
    OrganizationRole.objects.create(
        user=other_admin, organization=OrganizationFactory(name="Globex"), role=OrganizationRole.Role.ADMIN
    )
    for outsider in (billing, other_admin):
        client.force_login(outsider)
        assert client.get(page_url).status_code == 404
        assert client.get(file_url).status_code == 404
        data = {"full_name": "Mallory", "title": "CEO", "consent": "on", "sha256": contract.unsigned_sha256}
        assert client.post(page_url, data).status_code == 404
        with pytest.raises(NotOrganizationAdmin):
            sign_as(sponsorship, outsider, name="Mallory", title="CEO", ip="203.0.113.9")
    # Staff may read the contract but do not sign for the sponsor.
    client.force_login(staff)
    page = sign_page(client, sponsorship)
    assert page.find("form", attrs={"aria-labelledby": "sign-heading"}) is None
    assert client.get(file_url).status_code == 200
    with pytest.raises(NotOrganizationAdmin):
        sign_as(sponsorship, staff, name="Grace", title="Staff", ip="203.0.113.9")
    # Nor may a sponsor countersign.
    with pytest.raises(NotOrganizationAdmin):
        countersign(sponsorship, signer)
    contract.refresh_from_db()
    assert contract.status == SponsorshipContract.Status.AWAITING_SPONSOR and not contract.sponsor_pdf


def test_signing_twice_is_refused(client, deal, django_capture_on_commit_callbacks):
    sponsorship, signer, staff = deal
    contract = approve(sponsorship, staff, django_capture_on_commit_callbacks)
    client.force_login(signer)
    assert sign(client, sponsorship).status_code == 302
    first = SponsorshipContract.objects.get(pk=contract.pk).sponsor_sha256

    response = client.post(
        f"/events/sponsorships/{sponsorship.pk}/contract/",
        {"full_name": "Ada Again", "title": "CFO", "consent": "on", "sha256": contract.unsigned_sha256},
    )
    assert response.status_code == 409 and "This contract is already signed." in response.content.decode()
    with pytest.raises(ContractInvalid, match="already signed"):
        sign_as(sponsorship, signer, name="Ada Again")
    contract.refresh_from_db()
    assert contract.sponsor_sha256 == first and contract.sponsor_signer_name == "Ada Lovelace"
    assert ModelLogEntry.objects.filter(action="events.sponsorship.contract_sign").count() == 1


def test_the_contract_page_keeps_its_long_hashes_inside_a_phone_screen(
    client, deal, django_capture_on_commit_callbacks
):
    # 64 characters without a space: each hash may break anywhere, and the files table scrolls in its own
    # labelled region (tests/e2e/test_sponsor_end_to_end_journey.py checks the page at 375 px).
    sponsorship, signer, staff = deal
    contract = approve(sponsorship, staff, django_capture_on_commit_callbacks)
    client.force_login(signer)
    page = sign_page(client, sponsorship)
    region = page.find("div", attrs={"role": "region", "aria-label": "Contract files"})
    assert region is not None and "table-wrap" in region["class"] and region.find("table") is not None
    hashes = [code.get_text() for code in page.find_all("code", class_="hash")]
    assert hashes == [contract.unsigned_sha256, contract.unsigned_sha256]


def test_a_canceled_sponsorship_cannot_be_signed(client, deal, django_capture_on_commit_callbacks):
    sponsorship, signer, staff = deal
    contract = approve(sponsorship, staff, django_capture_on_commit_callbacks)
    services.sponsorship_cancel(sponsorship=sponsorship, actor=staff, reason="Budget cut")
    client.force_login(signer)
    page = sign_page(client, sponsorship)
    assert "can no longer be signed" in page.get_text()
    assert page.find("form", attrs={"aria-labelledby": "sign-heading"}) is None
    with pytest.raises(ContractInvalid, match="canceled"):
        sign_as(sponsorship, signer)
    contract.refresh_from_db()
    assert contract.status == SponsorshipContract.Status.AWAITING_SPONSOR


def test_signing_is_refused_when_the_stored_contract_is_not_the_one_reviewed(
    client, deal, django_capture_on_commit_callbacks
):
    sponsorship, signer, staff = deal
    contract = approve(sponsorship, staff, django_capture_on_commit_callbacks)
    client.force_login(signer)

    # The page showed another hash (an older contract): refused.
    response = sign(client, sponsorship, sha256="0" * 64)
    assert response.status_code == 409 and "changed since you opened it" in response.content.decode()
    # The stored file was replaced behind the record's back: refused too, though the page shows the recorded hash.
    with contract.unsigned_pdf.storage.open(contract.unsigned_pdf.name, "wb") as handle:
        handle.write(b"%PDF-1.4 something else")
    response = sign(client, sponsorship)
    assert response.status_code == 409
    contract.refresh_from_db()
    assert contract.status == SponsorshipContract.Status.AWAITING_SPONSOR and not contract.sponsor_pdf


def test_without_consent_nothing_is_signed(client, deal, django_capture_on_commit_callbacks):
    sponsorship, signer, staff = deal
    approve(sponsorship, staff, django_capture_on_commit_callbacks)
    client.force_login(signer)
    response = sign(client, sponsorship, consent=False)
    assert response.status_code == 400
    assert "Tick the box to confirm that typing your name is your signature." in response.content.decode()
    assert SponsorshipContract.objects.get(sponsorship=sponsorship).status == "awaiting_sponsor"


def test_invoice_on_approval_staff_invoice_before_the_contract_is_signed(
    settings, deal, staff_client_factory, django_capture_on_commit_callbacks
):
    sponsorship, signer, staff = approved_invoicing_on(settings, deal, "approval", django_capture_on_commit_callbacks)
    admin = staff_client_factory(user=staff)
    row = staff_listing_row(admin)
    assert row.find("button", string="Invoice (card)") is not None
    payment = services.sponsorship_invoice(sponsorship=sponsorship, method="card", actor=staff)
    assert Sponsorship.objects.get(pk=sponsorship.pk).status == Sponsorship.Status.INVOICED
    # Signing later invoices nothing more.
    sign_as(sponsorship, signer)
    countersign(sponsorship, staff)
    assert list(Payment.objects.all()) == [payment]


def test_invoice_on_signature_waits_for_both_signatures(
    settings, deal, staff_client_factory, django_capture_on_commit_callbacks
):
    sponsorship, signer, staff = approved_invoicing_on(settings, deal, "signature", django_capture_on_commit_callbacks)
    (approved,) = [m for m in mail.outbox if m.subject.endswith("is approved")]
    assert "once it is signed by both sides, the invoice is sent to events@acme.example" in approved.body
    with pytest.raises(SponsorshipInvalid, match="signed by the sponsor and countersigned"):
        services.sponsorship_invoice(sponsorship=sponsorship, method="card", actor=staff)
    sign_as(sponsorship, signer)
    with pytest.raises(SponsorshipInvalid):
        services.sponsorship_invoice(sponsorship=sponsorship, method="card", actor=staff)
    assert not Payment.objects.exists()
    admin = staff_client_factory(user=staff)
    row = staff_listing_row(admin)
    assert "Invoiced once the contract is signed by both sides" in row.get_text()
    assert row.find("button", string="Invoice (card)") is None

    with django_capture_on_commit_callbacks(execute=True):
        countersign(sponsorship, staff)
    sponsorship.refresh_from_db()
    assert sponsorship.status == Sponsorship.Status.INVOICED
    payment = Payment.objects.get()
    assert payment.amount == Decimal("100000.00") and payment.method == sponsorship.payment_method
    assert any("invoice" in m.subject for m in mail.outbox)


def test_a_contract_signed_outside_the_portal_is_uploaded_and_counts_as_signed(
    settings, deal, staff_client_factory, django_capture_on_commit_callbacks
):
    sponsorship, signer, staff = approved_invoicing_on(settings, deal, "signature", django_capture_on_commit_callbacks)
    admin = staff_client_factory(user=staff)
    url = f"/admin/events/sponsorships/{sponsorship.pk}/contract/"
    refused = admin.post(url, {"action": "upload", "signed_pdf": SimpleUploadedFile("x.pdf", b"not a pdf")})
    assert refused.status_code == 400 and "as a PDF file" in refused.content.decode()

    scanned = b"%PDF-1.7\n% the paper contract, scanned\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(url, {"action": "upload", "signed_pdf": SimpleUploadedFile("signed.pdf", scanned)})
    assert response.status_code == 302
    contract = SponsorshipContract.objects.get(sponsorship=sponsorship)
    assert contract.status == SponsorshipContract.Status.SIGNED and contract.signed_outside
    assert stored(contract.countersigned_pdf) == scanned
    assert contract.countersigned_sha256 == hashlib.sha256(scanned).hexdigest()
    entry = ModelLogEntry.objects.get(action="events.sponsorship.contract_upload")
    assert entry.data["sha256"] == contract.countersigned_sha256 and entry.user == staff
    assert Sponsorship.objects.get(pk=sponsorship.pk).status == Sponsorship.Status.INVOICED
    # The sponsor's page lists it; signing in the portal is over.
    summary = contract_selectors.sponsorship_contract_summary(Sponsorship.objects.get(pk=sponsorship.pk))
    assert [f.label for f in summary.files] == [
        "Contract to sign (unsigned)", "Signed outside the portal (uploaded by the events team)",
    ]  # fmt: skip
    assert not summary.needs_sponsor_signature


def test_a_package_without_terms_has_no_contract(deal, django_capture_on_commit_callbacks):
    sponsorship, _, staff = deal
    SponsorshipPackage.objects.filter(pk=sponsorship.package_id).update(contract_terms="")
    with django_capture_on_commit_callbacks(execute=True):
        services.sponsorship_approve(sponsorship=sponsorship, actor=staff)
    assert not SponsorshipContract.objects.exists()
    assert contract_selectors.sponsorship_contract_summary(Sponsorship.objects.get(pk=sponsorship.pk)) is None
    assert not [m for m in mail.outbox if "contract" in m.subject]


def test_filling_is_one_plain_pass_and_leaves_anything_else_as_written():
    values = {"sponsor_legal_name": "{event} Corp", "event": "Summit", "package": "Gold", "price": "1.00 EUR",
              "dates": "1 May"}  # fmt: skip
    text = "{sponsor_legal_name} at {event}; {{settings}} {% load x %} {unknown} {{ package }}"
    assert (
        fill_contract_terms(text, values) == "{event} Corp at Summit; {{settings}} {% load x %} {unknown} {{ package }}"
    )


def test_the_summary_partial_shows_the_state_and_the_links(client, deal, django_capture_on_commit_callbacks):
    sponsorship, signer, staff = deal
    contract = approve(sponsorship, staff, django_capture_on_commit_callbacks)
    summary = contract_selectors.sponsorship_contract_summary(
        Sponsorship.objects.select_related("contract").get(pk=sponsorship.pk)
    )
    html = BeautifulSoup(render_to_string("events/contracts/_summary.html", {"summary": summary}), "html.parser")
    assert "Waiting for the sponsor's signature" in html.get_text()
    links = {a.get_text(): a["href"] for a in html.find_all("a")}
    assert links == {
        "Review and sign": f"/events/sponsorships/{sponsorship.pk}/contract/",
        "Contract to sign (unsigned)": f"/events/sponsorships/{sponsorship.pk}/contract/unsigned.pdf",
    }
    assert contract.unsigned_pdf.name.startswith("sponsors/contracts/")
    assert render_to_string("events/contracts/_summary.html", {"summary": None}).strip() == ""
