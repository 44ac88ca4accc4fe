"""Applying to sponsor: the application and its review page, organisations already on the site (their admins
confirm who represents them), what the applicant sees afterwards, and the e-mails on the way."""

import json
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.urls import reverse

from events import services
from events.models import (
    SponsorRepresentationRequest,
    Sponsorship,
    SponsorshipContact,
    SponsorshipPackage,
    SponsorWaitingListEntry,
)
from members.models import Organization, OrganizationRole
from members.selectors import organization_name_key, organizations_named_like
from portal.accounts.groups import EVENTS_STAFF
from portal.accounts.services import user_anonymise
from portal.payments.models import Invoice
from tests.accounts.factories import UserFactory
from tests.events.factories import EventFactory, sponsor_application, sponsor_apply_and_submit
from tests.members.factories import OrganizationFactory
from tests.portal.factories import directory

pytestmark = pytest.mark.django_db
PAGE, APPLY, REVIEW = "/events/summit/sponsor/", "/events/summit/sponsor/apply/", "/events/summit/sponsor/review/"


@pytest.fixture
def headline():
    event = EventFactory(slug="summit", name="OpenInfra Summit Europe", currency="EUR")
    return SponsorshipPackage.objects.create(event=event, name="Headline", price=Decimal("100000.00"), slots=1)


def _page(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def _apply_for_acme(package, actor, *, contact_name: str, contact_email: str):
    """Apply through the service for "Acme Cloud", an organisation already here: a representation request."""
    return services.sponsorship_apply(
        package=package,
        actor=actor,
        organization_name="Acme Cloud",
        contacts={
            role: {"name": contact_name, "email": contact_email} for role in ("billing", "marketing", "logistics")
        },
        billing={"billing_name": "Acme", "billing_address": "x", "billing_country": "FR"},
    )


def test_the_application_is_reviewed_then_submitted_with_its_contacts_and_billing_details(
    client, headline, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    person = UserFactory(email="dana@orbit.example", first_name="Dana", last_name="Ng")
    client.force_login(person)

    form = _page(client.get(APPLY, {"package": headline.pk}))
    # The contacts start as the applicant: the same person may hold every role.
    assert form.find("input", {"name": "marketing_contact_email"})["value"] == "dana@orbit.example"
    assert form.find("input", {"name": "package", "value": str(headline.pk)}).has_attr("checked")
    data = sponsor_application(
        headline, organization_name="Orbit Robotics", payment_method="bank_transfer", billing_po_number="PO-77"
    )
    data["marketing_contact_name"], data["marketing_contact_email"] = "Mo Marketing", "mo@orbit.example"
    response = client.post(APPLY, data)
    assert response.status_code == 302 and response["Location"] == REVIEW
    assert not Organization.objects.filter(name="Orbit Robotics").exists()  # nothing written before Submit

    with django_assert_max_num_queries(12):
        review = client.get(REVIEW)
    text = _page(review).get_text(" ", strip=True)
    assert "Review your application" in text
    for shown in ("Headline, 100,000.00", "Orbit Robotics", "Mo Marketing <mo@orbit.example>", "Orbit Robotics GmbH",
                  "Germany", "DE123456789", "PO-77", "Bank transfer"):  # fmt: skip
        assert shown in text, shown
    # Edit goes back to the form with every value kept.
    edit = _page(client.get(APPLY))
    assert edit.find("input", {"name": "organization_name"})["value"] == "Orbit Robotics"
    assert edit.find("input", {"name": "billing_po_number"})["value"] == "PO-77"

    with django_capture_on_commit_callbacks(execute=True):
        submitted = client.post(REVIEW)
    assert submitted.status_code == 302 and submitted["Location"] == PAGE + "#your-applications"
    sponsorship = Sponsorship.objects.get(organization__name="Orbit Robotics")
    assert (sponsorship.status, sponsorship.payment_method, sponsorship.contact_email) == (
        "requested", "bank_transfer", "billing@orbit.example"
    )  # fmt: skip
    assert (sponsorship.billing_name, sponsorship.billing_country, sponsorship.billing_po_number) == (
        "Orbit Robotics GmbH", "DE", "PO-77"
    )  # fmt: skip
    assert {(c.role, c.email) for c in sponsorship.role_contacts.all()} == {
        ("billing", "billing@orbit.example"), ("marketing", "mo@orbit.example"), ("logistics", "logistics@orbit.example")
    }  # fmt: skip
    assert any(m.to == ["billing@orbit.example"] and "application" in m.subject for m in mail.outbox)

    # The invoice is made out to the billing details.
    staff = UserFactory(groups=[EVENTS_STAFF])
    services.sponsorship_approve(sponsorship=sponsorship, actor=staff)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.sponsorship_invoice(sponsorship=sponsorship, method="bank_transfer", actor=staff)
    invoice = Invoice.objects.get()
    assert (invoice.buyer_name, invoice.buyer_country, invoice.buyer_vat_id, invoice.buyer_po_number) == (
        "Orbit Robotics GmbH", "DE", "DE123456789", "PO-77"
    )  # fmt: skip
    assert [m.to for m in mail.outbox if m.subject.startswith("Invoice ")] == [["billing@orbit.example"]]


def test_a_wrong_field_comes_back_at_the_top_with_the_values_kept(client, headline):
    client.force_login(UserFactory())
    data = sponsor_application(headline, organization_name="Orbit Robotics", billing_country="")
    data["logistics_contact_email"] = "not an address"

    response = client.post(APPLY, data)

    assert response.status_code == 400
    page = _page(response)
    assert page.find("form")["action"].endswith("#form-errors")
    summary = page.find(id="form-errors").find(attrs={"role": "alert"})
    assert "Logistics contact: e-mail" in summary.get_text() and "Country" in summary.get_text()
    assert page.find("input", {"name": "organization_name"})["value"] == "Orbit Robotics"
    assert page.find("input", {"name": "logistics_contact_email"})["value"] == "not an address"
    assert not Organization.objects.filter(name="Orbit Robotics").exists()


def test_a_package_that_filled_meanwhile_is_refused_at_the_top_with_the_waiting_list_to_join(
    client, headline, django_capture_on_commit_callbacks
):
    client.force_login(UserFactory())
    client.post(APPLY, sponsor_application(headline, organization_name="Second Co"))
    services.sponsorship_apply_as_new_organization(
        organization_name="First Co", package=headline, contact_email="a@first.example", actor=UserFactory()
    )

    refused = client.post(REVIEW)

    assert refused.status_code == 409
    page = _page(refused)
    summary = page.find(id="form-errors")
    assert summary["role"] == "alert" and summary.has_attr("data-form-errors")
    assert "The Headline package is sold out" in summary.get_text()
    # The error is the first thing in the page's content, above the summary.
    assert page.find("h1").find_next("div") is summary
    assert not Organization.objects.filter(name="Second Co").exists()

    with django_capture_on_commit_callbacks(execute=True):
        joined = client.post(REVIEW, {"waiting_list": "1"})
    assert joined.status_code == 302
    entry = SponsorWaitingListEntry.objects.get(package=headline, active=True)
    assert (entry.organization.name, entry.email) == ("Second Co", "billing@orbit.example")
    message = next(m for m in mail.outbox if m.to == ["billing@orbit.example"])
    assert message.subject == "Second Co is on the Headline waiting list for OpenInfra Summit Europe"
    assert "When a slot comes free" in message.body
    shown = _page(client.get(PAGE)).get_text(" ", strip=True)
    assert "Your application: On the waiting list" in shown


def test_the_applicant_sees_their_pending_application_not_sold_out(client, headline, django_assert_max_num_queries):
    client.force_login(UserFactory())
    assert client.get(REVIEW)["Location"] == APPLY  # nothing to review yet
    with django_assert_max_num_queries(13):
        client.get(APPLY)
    sponsor_apply_and_submit(client, headline, organization_name="Orbit Robotics")
    sponsor_apply_and_submit(
        client,
        SponsorshipPackage.objects.create(event=headline.event, name="Booth", price=Decimal("5000.00"), slots=9),
        organization_name="Orbit Robotics",
    )
    client.get(PAGE)  # the "Thank you" message, shown once

    # The same for one application or many: no query per row.
    with django_assert_max_num_queries(9):
        page = _page(client.get(PAGE))

    mine = page.find(id="your-applications").find_parent("section").get_text(" ", strip=True)
    assert "Orbit Robotics : Headline · Requested" in mine and "holds its slot until" in mine
    assert "Orbit Robotics : Booth · Requested" in mine
    card = page.find(id=f"package-{headline.pk}").find_parent("section").get_text(" ", strip=True)
    assert "Your application: Requested" in card
    assert "Sold out" not in card and "waiting list" not in card
    # Someone else sees the package full.
    client.force_login(UserFactory())
    other = _page(client.get(PAGE)).get_text(" ", strip=True)
    assert "Sold out" in other and "Join the Headline waiting list" in other and "Your applications" not in other


def test_names_are_compared_without_case_spaces_or_punctuation_and_close_ones_are_warned(client, headline):
    acme = OrganizationFactory(name="Acme Cloud, Inc.")
    assert organization_name_key("  ACME cloud inc ") == organization_name_key("Acme Cloud, Inc.")
    assert organizations_named_like("acme-cloud inc").same == acme
    assert organizations_named_like("Acme Clouds Inc").close == [acme]

    client.force_login(UserFactory())
    client.post(APPLY, sponsor_application(headline, organization_name="Acme Clouds Inc"))
    text = _page(client.get(REVIEW)).get_text(" ", strip=True)
    assert "Did you mean Acme Cloud, Inc.?" in text


def test_an_admin_naming_their_own_organisation_applies_for_it(client, headline):
    acme = OrganizationFactory(name="Acme Cloud")
    admin = UserFactory()
    OrganizationRole.objects.create(user=admin, organization=acme, role=OrganizationRole.Role.ADMIN)
    client.force_login(admin)
    form = _page(client.get(APPLY))
    assert form.find("select", {"name": "organization"}).find("option", selected=True).get_text() == "Acme Cloud"

    sponsor_apply_and_submit(client, headline, organization="", organization_name="ACME cloud")

    assert Sponsorship.objects.get().organization == acme
    assert Organization.objects.count() == 1


def test_someone_else_naming_an_organisation_waits_for_its_admins_who_confirm_by_e_mail(
    client, headline, django_capture_on_commit_callbacks
):
    acme = OrganizationFactory(name="Acme Cloud")
    admin = UserFactory(email="boss@acme.example")
    OrganizationRole.objects.create(user=admin, organization=acme, role=OrganizationRole.Role.ADMIN)
    applicant = UserFactory(email="sam@acme.example")
    client.force_login(applicant)

    client.post(APPLY, sponsor_application(headline, organization_name="acme  cloud."))
    review = _page(client.get(REVIEW)).get_text(" ", strip=True)
    assert "Acme Cloud is already on the site." in review
    with django_capture_on_commit_callbacks(execute=True):
        submitted = client.post(REVIEW)

    assert submitted.status_code == 302
    assert not Sponsorship.objects.exists() and Organization.objects.count() == 1
    request = SponsorRepresentationRequest.objects.get()
    assert (request.organization, request.applicant, request.status) == (acme, applicant, "pending")
    assert not OrganizationRole.objects.filter(user=applicant).exists()
    shown = _page(client.get(PAGE)).get_text(" ", strip=True)
    assert "Awaiting confirmation that you represent Acme Cloud" in shown
    asked = next(m for m in mail.outbox if m.to == ["boss@acme.example"])
    link = f"/events/summit/sponsor/representation/{request.token}/"
    assert link in asked.body and "sam@acme.example" in asked.body

    # Only the organisation's admins open the link.
    assert client.get(link).status_code == 404
    client.force_login(admin)
    assert "Does sam@acme.example represent Acme Cloud?" in _page(client.get(link)).get_text(" ", strip=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link, {"action": "confirm"})

    request.refresh_from_db()
    sponsorship = Sponsorship.objects.get()
    assert (request.status, request.sponsorship, request.decided_by) == ("confirmed", sponsorship, admin)
    assert (sponsorship.organization, sponsorship.requested_by, sponsorship.status) == (acme, applicant, "requested")
    assert list(sponsorship.contacts.all()) == [applicant]
    assert not OrganizationRole.objects.filter(user=applicant).exists()  # a contact, not an admin
    told = next(m for m in mail.outbox if m.to == ["sam@acme.example"])
    assert "Acme Cloud confirmed that you represent it" in told.body
    client.force_login(applicant)
    assert "Your application: Requested" in _page(client.get(PAGE)).get_text(" ", strip=True)


def test_a_refused_representative_is_told_and_nothing_is_applied_for(
    client, headline, django_capture_on_commit_callbacks
):
    acme = OrganizationFactory(name="Acme Cloud")
    admin = UserFactory()
    OrganizationRole.objects.create(user=admin, organization=acme, role=OrganizationRole.Role.ADMIN)
    applicant = UserFactory(email="mallory@example.org")
    request = _apply_for_acme(headline, applicant, contact_name="M", contact_email="m@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.sponsor_representation_refuse(request=request, actor=admin)

    assert not Sponsorship.objects.exists()
    told = next(m for m in mail.outbox if m.to == ["mallory@example.org"])
    assert "was refused" in told.subject and "did not confirm that you represent it" in told.body
    client.force_login(applicant)
    assert "Refused" in _page(client.get(PAGE)).get_text(" ", strip=True)
    with pytest.raises(Exception, match="already refused"):
        services.sponsor_representation_confirm(request=request, actor=admin)


def test_an_organisation_without_admins_is_confirmed_by_events_staff_in_the_admin(
    client, headline, staff_client_factory, django_capture_on_commit_callbacks
):
    OrganizationFactory(name="Acme Cloud")
    UserFactory(groups=[EVENTS_STAFF], email="events-team@openinfra.example")
    applicant = UserFactory(email="sam@acme.example")
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        sponsor_apply_and_submit(client, headline, organization_name="Acme Cloud", contact_email="pay@acme.example")
    request = SponsorRepresentationRequest.objects.get()
    assert request.asked_staff
    asked = next(m for m in mail.outbox if m.to == ["events-team@openinfra.example"])
    assert "/admin/events/sponsor-representatives/" in asked.body

    admin = staff_client_factory(groups=[EVENTS_STAFF])
    screen = admin.get("/admin/events/sponsor-representatives/").content.decode()
    assert "sam@acme.example" in screen and "Acme Cloud" in screen
    with django_capture_on_commit_callbacks(execute=True):
        admin.post("/admin/events/sponsor-representatives/", {"request": request.pk, "action": "confirm"})

    sponsorship = Sponsorship.objects.get()
    assert sponsorship.contact_email == "pay@acme.example"
    assert sponsorship.role_contacts.get(role=SponsorshipContact.Role.BILLING).email == "pay@acme.example"
    assert "No request waits" in admin.get("/admin/events/sponsor-representatives/").content.decode()


def test_a_sponsor_without_membership_is_in_neither_the_member_directory_nor_the_member_api(
    client, headline, site_with_home
):
    directory(site_with_home)
    client.force_login(UserFactory())
    sponsor_apply_and_submit(client, headline, organization_name="Orbit Robotics")
    orbit = Organization.objects.get(name="Orbit Robotics")
    assert orbit.sponsorships.exists() and not orbit.memberships.exists()
    client.get(PAGE)  # the "Thank you" message, shown once

    listing = client.get("/members/")
    assert listing.status_code == 200
    assert "Orbit Robotics" not in listing.content.decode()
    assert "Orbit Robotics" not in client.get("/api/v1/members/").content.decode()
    assert client.get(f"/api/v1/members/{orbit.slug}/").status_code == 404


def test_a_sponsorship_contacts_data_is_exported_and_erased_with_their_account(client, headline):
    ada = UserFactory(email="ada@orbit.example")
    client.force_login(UserFactory())  # a colleague applies, with Ada as the billing contact
    sponsor_apply_and_submit(client, headline, organization_name="Orbit Robotics", contact_email="ADA@orbit.example")
    client.force_login(ada)
    OrganizationFactory(name="Acme Cloud")
    _apply_for_acme(headline, ada, contact_name="Ada", contact_email="ada@orbit.example")  # a representation request

    exported = json.loads(client.get(reverse("accounts:export")).content)["sponsorship_contacts"]
    assert [(row["role"], row["organization"]) for row in exported] == [("billing", "Orbit Robotics")]
    user_anonymise(user=ada, actor=ada)

    contact = SponsorshipContact.objects.get(role="billing")
    assert contact.name == "Anonymised" and "ada" not in contact.email
    assert SponsorshipContact.objects.get(role="marketing").email == "marketing@orbit.example"  # someone else's
    assert Sponsorship.objects.get().status == "requested"  # the sponsorship stays
    assert not SponsorRepresentationRequest.objects.exists()


def test_a_representative_confirmed_after_the_package_filled_waits_on_its_list(
    headline, django_capture_on_commit_callbacks
):
    acme = OrganizationFactory(name="Acme Cloud")
    admin, applicant = UserFactory(), UserFactory(email="sam@acme.example")
    OrganizationRole.objects.create(user=admin, organization=acme, role=OrganizationRole.Role.ADMIN)
    request = _apply_for_acme(headline, applicant, contact_name="Sam", contact_email="sam@acme.example")
    services.sponsorship_apply_as_new_organization(
        organization_name="First Co", package=headline, contact_email="a@first.example", actor=UserFactory()
    )

    with django_capture_on_commit_callbacks(execute=True):
        request = services.sponsor_representation_confirm(request=request, actor=admin)

    assert request.status == "confirmed" and request.sponsorship is None
    assert not Sponsorship.objects.filter(organization=acme).exists()
    assert SponsorWaitingListEntry.objects.get(package=headline, active=True).organization == acme
    told = next(m for m in mail.outbox if m.to == ["sam@acme.example"] and "confirmed" in m.subject)
    assert "is full, so Acme Cloud is on its waiting list" in told.body
