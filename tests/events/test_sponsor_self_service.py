"""The sponsor's own page: its admins see every sponsorship across events with state, invoice, benefits and
released codes; they send logos and the booth staff list until the package's deadline; others get 403/404."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from wagtail.models import ModelLogEntry

from events import services
from events.models import BoothStaffMember, SponsorBenefit, SponsorLogo, Sponsorship, SponsorshipPackage
from members.models import OrganizationRole
from portal.accounts.groups import EVENTS_STAFF
from portal.payments.selectors import latest_payments_for_owners
from tests.accounts.factories import UserFactory
from tests.events.factories import EventFactory, TicketTypeFactory
from tests.members.factories import OrganizationFactory, role_for

pytestmark = pytest.mark.django_db

SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<rect width="10" height="10" fill="#b3162b"/></svg>'
)


def _png() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (40, 20), (179, 22, 43)).save(buffer, format="PNG")
    return buffer.getvalue()


def _package(event, name="Gold", **fields):
    defaults = {"price": Decimal("20000.00"), "slots": 5, "passes_included": 2, "benefits": "Booth 3x3 m"}
    return SponsorshipPackage.objects.create(event=event, name=name, **{**defaults, **fields})


@pytest.fixture
def staff():
    return UserFactory(groups=[EVENTS_STAFF], email="events-staff@example.org")


@pytest.fixture
def acme():
    return OrganizationFactory(name="Acme Cloud", slug="acme")


@pytest.fixture
def admin(acme):
    return role_for(acme, OrganizationRole.Role.ADMIN)


def _sponsorship(package, organization, staff, *, paid=False, capture=None) -> Sponsorship:
    sponsorship = services.sponsorship_request(
        package=package, organization=organization, contact_email="events@acme.example", actor=staff
    )
    services.sponsorship_approve(sponsorship=sponsorship, actor=staff)
    if paid:
        services.sponsorship_invoice(sponsorship=sponsorship, method="bank_transfer", actor=staff)
        services.sponsorship_mark_paid(sponsorship=sponsorship)
    sponsorship.refresh_from_db()
    return sponsorship


def test_the_admin_sees_each_sponsorship_its_invoice_benefits_and_released_code(client, acme, admin, staff):
    summit = EventFactory(name="Summit 2026", start=timezone.now() + timedelta(days=60))
    forum = EventFactory(name="Forum 2025", start=timezone.now() + timedelta(days=30))
    paid = _sponsorship(_package(summit), acme, staff, paid=True)
    approved = _sponsorship(_package(forum, name="Silver"), acme, staff)
    client.force_login(admin)

    page = client.get("/events/sponsorships/acme/").content.decode()
    assert "Summit 2026: Gold sponsorship" in page and "Forum 2025: Silver sponsorship" in page
    assert page.index("Summit 2026") < page.index("Forum 2025")  # newest event first
    payment = latest_payments_for_owners([paid])[str(paid.pk)]
    number = payment.issued_invoices[0].number
    assert f"Invoice {number}" in page
    assert f"/payments/{payment.public_id}/invoice/?format=pdf" in page
    assert paid.pass_code.code in page
    # The approved one's passes are pending: no code shown, its benefits listed as pending.
    approved_benefits = SponsorBenefit.objects.filter(sponsorship=approved)
    assert set(approved_benefits.values_list("status", flat=True)) == {"pending"}
    assert page.count('<strong class="code">') == 1
    assert "No invoice yet" in page
    assert "{# contracts #}" not in page and "{# bundles #}" not in page


def test_my_account_links_the_sponsor_page_for_admins(client, acme, admin, staff):
    _sponsorship(_package(EventFactory()), acme, staff)
    client.force_login(admin)
    account = client.get("/accounts/").content.decode()
    assert "Acme Cloud: sponsorships, benefits and material" in account and "/events/sponsorships/acme/" in account


@pytest.mark.parametrize("role", [OrganizationRole.Role.BILLING, OrganizationRole.Role.MARKETING])
def test_a_member_who_is_not_an_admin_gets_403_and_a_stranger_404(client, acme, staff, role):
    sponsorship = _sponsorship(_package(EventFactory()), acme, staff)
    client.force_login(role_for(acme, role))
    assert client.get("/events/sponsorships/acme/").status_code == 403
    upload = SimpleUploadedFile("logo.svg", SVG, content_type="image/svg+xml")
    assert client.post(f"/events/sponsorships/acme/{sponsorship.pk}/logo/", {"logo": upload}).status_code == 403
    client.force_login(UserFactory())
    assert client.get("/events/sponsorships/acme/").status_code == 404
    assert (
        client.post(f"/events/sponsorships/acme/{sponsorship.pk}/booth-staff/", {"people": "A, a@x.org"}).status_code
        == 404
    )
    client.logout()
    assert client.get("/events/sponsorships/acme/").status_code == 302
    assert not SponsorLogo.objects.exists() and not BoothStaffMember.objects.exists()


def test_an_admin_cannot_reach_another_organisations_sponsorship(client, acme, admin, staff):
    other = _sponsorship(_package(EventFactory()), OrganizationFactory(name="Globex"), staff)
    client.force_login(admin)
    upload = SimpleUploadedFile("logo.svg", SVG, content_type="image/svg+xml")
    assert client.post(f"/events/sponsorships/acme/{other.pk}/logo/", {"logo": upload}).status_code == 404


def test_logos_in_several_formats_are_received_and_the_sponsor_and_staff_hear(
    client, acme, admin, staff, django_capture_on_commit_callbacks
):
    sponsorship = _sponsorship(_package(EventFactory(name="Summit")), acme, staff)
    client.force_login(admin)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for name, data in (("acme.svg", SVG), ("acme.png", _png())):
            response = client.post(
                f"/events/sponsorships/acme/{sponsorship.pk}/logo/", {"logo": SimpleUploadedFile(name, data)}
            )
            assert response.status_code == 302
    assert sorted(SponsorLogo.objects.filter(sponsorship=sponsorship).values_list("format", flat=True)) == [
        "png",
        "svg",
    ]
    sponsorship.refresh_from_db()
    assert sponsorship.logo.name.endswith(".png")
    page = client.get("/events/sponsorships/acme/").content.decode()
    assert "Logos received: PNG" in page and "SVG <span" in page
    to_sponsor = [m for m in mail.outbox if m.to == ["events@acme.example"]]
    to_staff = [m for m in mail.outbox if "events-staff@example.org" in m.to]
    assert [m.subject for m in to_sponsor] == [
        "Summit: we received your SVG logo",
        "Summit: we received your PNG logo",
    ]
    assert len(to_staff) == 2 and "Acme Cloud sent its SVG logo" in to_staff[0].subject
    assert (
        ModelLogEntry.objects.filter(action="events.sponsor_asset.receive", object_id=str(sponsorship.pk)).count() == 2
    )


def test_a_file_that_is_not_a_logo_or_too_large_is_refused_with_the_reason(client, acme, admin, staff, settings):
    sponsorship = _sponsorship(_package(EventFactory()), acme, staff)
    client.force_login(admin)
    url = f"/events/sponsorships/acme/{sponsorship.pk}/logo/"
    response = client.post(url, {"logo": SimpleUploadedFile("notes.png", b"just some text")})
    assert response.status_code == 400 and "not a PNG, JPEG or SVG image" in response.content.decode()
    settings.MAX_LOGO_BYTES = 50
    response = client.post(url, {"logo": SimpleUploadedFile("acme.png", _png())})
    assert response.status_code == 400 and "larger than 50 bytes" in response.content.decode()
    assert not SponsorLogo.objects.exists()


def test_uploads_after_the_deadline_are_refused_with_a_clear_message(client, acme, admin, staff):
    event = EventFactory(name="Summit", time_zone="Europe/Paris")
    deadline = timezone.now() - timedelta(hours=1)
    sponsorship = _sponsorship(_package(event, asset_deadline=deadline), acme, staff)
    client.force_login(admin)

    page = client.get("/events/sponsorships/acme/").content.decode()
    assert "The deadline was" in page and "Upload logo" not in page and "Save booth staff" not in page
    mail.outbox.clear()
    response = client.post(
        f"/events/sponsorships/acme/{sponsorship.pk}/logo/", {"logo": SimpleUploadedFile("acme.svg", SVG)}
    )
    text = response.content.decode()
    assert response.status_code == 400
    assert "The deadline for Summit sponsor material was" in text and "uploads are closed" in text
    response = client.post(
        f"/events/sponsorships/acme/{sponsorship.pk}/booth-staff/", {"people": "Ada, ada@acme.example"}
    )
    assert response.status_code == 400 and "uploads are closed" in response.content.decode()
    assert not SponsorLogo.objects.exists() and not BoothStaffMember.objects.exists() and mail.outbox == []


def test_the_booth_staff_list_is_saved_replaced_and_checked(
    client, acme, admin, staff, django_capture_on_commit_callbacks
):
    sponsorship = _sponsorship(_package(EventFactory(name="Summit")), acme, staff)
    client.force_login(admin)
    url = f"/events/sponsorships/acme/{sponsorship.pk}/booth-staff/"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"people": "Ada Lovelace, ada@acme.example\nGrace Hopper <grace@acme.example>\n"})
    assert list(BoothStaffMember.objects.values_list("name", "email")) == [
        ("Ada Lovelace", "ada@acme.example"),
        ("Grace Hopper", "grace@acme.example"),
    ]
    assert any(m.subject == "Summit: we received your booth staff list (2)" for m in mail.outbox)

    response = client.post(url, {"people": "Ada Lovelace, ada@acme.example\nno address here"})
    assert response.status_code == 400
    assert "Line 2 should read" in response.content.decode() and "no address here" in response.content.decode()
    assert BoothStaffMember.objects.count() == 2

    client.post(url, {"people": "Linus, linus@acme.example"})
    assert list(BoothStaffMember.objects.values_list("name", flat=True)) == ["Linus"]
    assert "Linus, linus@acme.example" in client.get("/events/sponsorships/acme/").content.decode()


def test_a_package_without_a_booth_takes_no_booth_staff(client, acme, admin, staff):
    sponsorship = _sponsorship(_package(EventFactory(), benefits="Logo on the lanyard"), acme, staff)
    client.force_login(admin)
    assert "Save booth staff" not in client.get("/events/sponsorships/acme/").content.decode()
    response = client.post(f"/events/sponsorships/acme/{sponsorship.pk}/booth-staff/", {"people": "A, a@acme.example"})
    assert response.status_code == 400 and "has no booth" in response.content.decode()


def test_the_page_costs_the_same_queries_for_one_sponsorship_or_many(
    client, acme, admin, staff, django_assert_max_num_queries
):
    first = _sponsorship(_package(EventFactory()), acme, staff, paid=True)
    SponsorLogo.objects.create(sponsorship=first, format="svg", file=SimpleUploadedFile("a.svg", SVG))
    client.force_login(admin)
    client.get("/events/sponsorships/acme/")  # content types and the like cached, as on any warm server
    with django_assert_max_num_queries(12) as one:
        assert client.get("/events/sponsorships/acme/").status_code == 200
    count = len(one.captured_queries)
    for index in range(4):
        event = EventFactory()
        TicketTypeFactory(event=event)
        sponsorship = _sponsorship(_package(event, name=f"P{index}"), acme, staff, paid=index % 2 == 0)
        SponsorLogo.objects.create(sponsorship=sponsorship, format="png", file=SimpleUploadedFile("a.png", _png()))
        BoothStaffMember.objects.create(sponsorship=sponsorship, name="Ada", email=f"ada{index}@acme.example")
    client.get("/events/sponsorships/acme/")  # warm again: new rows reset the site's cached lookup
    with django_assert_max_num_queries(count):
        page = client.get("/events/sponsorships/acme/")
    assert page.content.decode().count("sponsorship</h2>") == 5


def test_the_page_shows_each_contract_to_sign_and_links_the_company_ticket_bundles(client, acme, admin, staff):
    summit = EventFactory(name="Summit 2026", start=timezone.now() + timedelta(days=60))
    terms = "{sponsor_legal_name} sponsors {event} with the {package} package for {price}."
    sponsorship = _sponsorship(_package(summit, contract_terms=terms), acme, staff)
    client.force_login(admin)

    page = client.get("/events/sponsorships/acme/").content.decode()

    assert "Contract:</strong> " in page and "Review and sign" in page
    assert f'href="/events/sponsorships/{sponsorship.pk}/contract/"' in page
    assert 'href="/events/company-bundles/acme/"' in page and "company ticket bundles" in page
