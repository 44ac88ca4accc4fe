"""Any company can sponsor: a signed-in person who administers nothing here names their company and applies."""

from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.core import mail

from events import services
from events.exceptions import SponsorshipInvalid
from events.models import SponsorRepresentationRequest, Sponsorship, SponsorshipPackage, SponsorWaitingListEntry
from members.models import Organization, OrganizationRole
from portal.accounts.groups import EVENTS_STAFF
from tests.accounts.factories import UserFactory
from tests.events.factories import EventFactory, sponsor_application, sponsor_apply_and_submit
from tests.members.factories import OrganizationFactory

pytestmark = pytest.mark.django_db
PAGE = "/events/summit/sponsor/"


@pytest.fixture
def headline():
    event = EventFactory(slug="summit", name="OpenInfra Summit Europe", currency="EUR")
    return SponsorshipPackage.objects.create(event=event, name="Headline", price=Decimal("100000.00"), slots=1)


def _apply(client, package, name, **extra):
    return sponsor_apply_and_submit(
        client, package, organization_name=name, contact_email="events@orbit.example", **extra
    )


def test_a_company_new_to_the_site_applies_and_is_a_sponsor_not_a_member(
    client, headline, django_capture_on_commit_callbacks
):
    UserFactory(groups=[EVENTS_STAFF], email="events-team@openinfra.example")
    person = UserFactory(email="dana@orbit.example")
    client.force_login(person)

    page = BeautifulSoup(client.get(PAGE).content, "html.parser")
    assert page.find("a", string="Apply for Headline")["href"] == f"{PAGE}apply/?package={headline.pk}"
    form = BeautifulSoup(client.get(f"{PAGE}apply/").content, "html.parser")
    assert form.find("label", string="Your company's name")
    with django_capture_on_commit_callbacks(execute=True):
        response = _apply(client, headline, "Orbit Robotics", payment_method="bank_transfer")

    assert response.status_code == 302
    orbit = Organization.objects.get(name="Orbit Robotics")
    assert OrganizationRole.objects.filter(user=person, organization=orbit, role="admin").exists()
    sponsorship = Sponsorship.objects.get(organization=orbit)
    assert (sponsorship.status, sponsorship.payment_method) == ("requested", "bank_transfer")
    assert not orbit.memberships.exists()
    shown = client.get(response["Location"]).content.decode()
    assert "Orbit Robotics&#x27;s application for Headline holds its slot" in shown
    to_applicant = next(m for m in mail.outbox if m.to == ["events@orbit.example"])
    assert "Headline package (100,000.00" in to_applicant.body and "bank transfer" in to_applicant.body
    to_staff = next(m for m in mail.outbox if m.to == ["events-team@openinfra.example"])
    assert to_staff.subject == "Sponsorship to review: Orbit Robotics, Headline"
    assert "/admin/events/sponsorships/?event=summit&status=requested" in to_staff.body
    # A sponsor is never listed as a member.
    assert "Orbit Robotics" not in client.get("/api/v1/members/").content.decode()


def test_a_name_already_on_the_site_is_not_attached_silently_and_nothing_is_created(client, headline):
    acme = OrganizationFactory(name="Acme Cloud", slug="acme-cloud")
    client.force_login(UserFactory())

    response = _apply(client, headline, "  acme cloud ")

    assert response.status_code == 302
    assert Organization.objects.filter(slug__startswith="acme").count() == 1
    assert not Sponsorship.objects.exists()
    assert SponsorRepresentationRequest.objects.get().organization == acme
    with pytest.raises(SponsorshipInvalid, match="Acme Cloud already has an account here"):
        services.sponsor_organization_create(name="ACME-Cloud", actor=UserFactory())


def test_a_full_package_puts_the_new_company_on_its_waiting_list_and_a_refusal_creates_no_company(client, headline):
    first = UserFactory()
    client.force_login(first)
    _apply(client, headline, "First Co")
    client.force_login(UserFactory())

    form = BeautifulSoup(client.get(PAGE, {"package": headline.pk}).content, "html.parser")
    assert form.find("a", string="Join the Headline waiting list")
    client.post(f"{PAGE}apply/", sponsor_application(headline, organization_name="Second Co"))
    review = BeautifulSoup(client.get(f"{PAGE}review/").content, "html.parser")
    assert review.find("input", {"name": "waiting_list"})["value"] == "1"
    assert review.find("button", string="Submit (join the waiting list)")
    refused = client.post(f"{PAGE}review/")
    assert refused.status_code == 409
    assert not Organization.objects.filter(name="Second Co").exists()
    joined = client.post(f"{PAGE}review/", {"waiting_list": "1"})
    assert joined.status_code == 302
    assert SponsorWaitingListEntry.objects.get(package=headline, active=True).organization.name == "Second Co"


def test_signed_out_visitors_are_told_how_to_apply(client, headline):
    page = client.get(PAGE).content.decode()

    assert "a member of the foundation or not" in page
    assert f'href="/accounts/signup/?next={PAGE}"' in page
    assert client.post(f"{PAGE}apply/", {"package": headline.pk})["Location"].startswith("/accounts/login/")


def test_approval_is_e_mailed_to_the_sponsor(headline, django_capture_on_commit_callbacks):
    staff = UserFactory(groups=[EVENTS_STAFF])
    client_user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        sponsorship = services.sponsorship_apply_as_new_organization(
            organization_name="Orbit Robotics", package=headline, contact_email="pay@orbit.example", actor=client_user
        )
        services.sponsorship_approve(sponsorship=sponsorship, actor=staff)

    approved = [m for m in mail.outbox if m.subject.endswith("is approved")]
    assert [m.to for m in approved] == [["pay@orbit.example"]]
    assert "The invoice follows in a separate e-mail" in approved[0].body
