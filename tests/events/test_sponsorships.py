"""Sponsorships: the last Headline slot, the waiting list, the pipeline,
the logo on the event page and in the API, and the sponsor's passes."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from events import selectors, services
from events.exceptions import NotOrganizationAdmin, PromoCodeUsedUp, SoldOut
from events.models import Order, Sponsorship, SponsorshipPackage, SponsorWaitingListEntry
from portal.accounts.groups import EVENTS_STAFF
from portal.payments import services as payment_services
from portal.payments.models import Payment, PaymentStatus
from tests.accounts.factories import UserFactory
from tests.events.factories import (
    buyer,
    sponsor_application,
    sponsor_apply_and_submit,
    summit_on_the_site,
)
from tests.members.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def summit(site_with_home):
    event, full = summit_on_the_site(site_with_home)
    headline = SponsorshipPackage.objects.create(
        event=event, name="Headline", price=Decimal("100000.00"), slots=2, passes_included=3, position=0,
        benefits="Keynote slot\nLargest booth",
    )  # fmt: skip
    headline.pass_ticket_types.set([full])
    return event, full, headline


def test_acceptance_1_last_headline_slot_pipeline_logo_and_passes(
    client, summit, staff_client_factory, django_capture_on_commit_callbacks
):
    event, full, headline = summit
    staff = UserFactory(groups=[EVENTS_STAFF])
    first, acme, globex = (
        OrganizationFactory(name="First Cloud"),
        OrganizationFactory(name="Acme Cloud"),
        (OrganizationFactory(name="Globex Compute")),
    )
    services.sponsorship_request(package=headline, organization=first, contact_email="a@first.example", actor=staff)

    staff_client_factory(user=staff)  # logged in with the second factor, as the admin requires
    other = Client()
    other.force_login(UserFactory())
    assert "1 of 2 slots left" in other.get("/events/summit/sponsor/").content.decode()
    # Staff applied for First Cloud: they see their application on the package.
    assert "Your application: Requested" in client.get("/events/summit/sponsor/").content.decode()

    # Acme applies for the last Headline slot; the request holds it.
    response = sponsor_apply_and_submit(
        client, headline, organization=acme.pk, contact_email="events@acme.example", billing_name="Acme Cloud"
    )
    assert response.status_code == 302
    sponsorship = Sponsorship.objects.get(organization=acme)
    assert sponsorship.status == Sponsorship.Status.REQUESTED

    # Someone else sees it sold out and can join the waiting list; an application is refused.
    page = other.get("/events/summit/sponsor/").content.decode()
    assert "Sold out" in page and "Join the Headline waiting list" in page
    response = sponsor_apply_and_submit(client, headline, organization=globex.pk, contact_email="x@globex.example")
    assert response.status_code == 409 and "sold out" in response.content.decode()
    client.post("/events/summit/sponsor/review/", {"waiting_list": "1"})
    assert SponsorWaitingListEntry.objects.filter(organization=globex, package=headline, active=True).exists()

    # Staff approve and invoice by bank transfer; Finance marks the transfer received.
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            client.post("/admin/events/sponsorships/", {"sponsorship": sponsorship.pk, "action": "approve"}).status_code
            == 302
        )
        client.post("/admin/events/sponsorships/", {"sponsorship": sponsorship.pk, "action": "invoice_transfer"})
    sponsorship.refresh_from_db()
    assert sponsorship.status == Sponsorship.Status.INVOICED
    payment = Payment.objects.get()
    assert payment.amount == Decimal("100000.00") and payment.invoices.get().buyer_name == "Acme Cloud"
    assert client.get("/api/v1/events/summit/sponsors/").json() == []

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        payment_services.payment_mark_transfer_received(
            payment=payment, amount=payment.amount, received_on=timezone.localdate(), reference="ACME-1", actor=staff
        )
    payment.refresh_from_db()
    sponsorship.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert sponsorship.status == Sponsorship.Status.PAID

    # The logo appears on the event page and in the API.
    client.logout()
    page = client.get("/events/summit/").content.decode()
    assert 'alt="Acme Cloud"' in page and "Headline" in page
    sponsors = client.get("/api/v1/events/summit/sponsors/").json()
    assert [(s["organization"], s["package"]) for s in sponsors] == [("Acme Cloud", "Headline")]
    assert sponsors[0]["logo"].startswith("http://testserver/")

    # The pass code reached the contact and works for three tickets and no more.
    code = sponsorship.pass_code
    assert any(code.code in m.body for m in mail.outbox if m.to == ["events@acme.example"])
    two = services.order_create(
        event=event, quantities={full.pk: 2}, promo_code=code.code, accepted_code_of_conduct=True, **buyer(1)
    )
    assert two.status == Order.Status.PAID and two.total == 0
    with pytest.raises(PromoCodeUsedUp, match="1 more ticket"):
        services.order_create(
            event=event, quantities={full.pk: 2}, promo_code=code.code, accepted_code_of_conduct=True, **buyer(2)
        )
    services.order_create(
        event=event, quantities={full.pk: 1}, promo_code=code.code, accepted_code_of_conduct=True, **buyer(3)
    )
    with pytest.raises(PromoCodeUsedUp):
        services.order_create(
            event=event, quantities={full.pk: 1}, promo_code=code.code, accepted_code_of_conduct=True, **buyer(4)
        )


def test_a_request_holds_its_slot_for_14_days_then_gives_way(summit):
    _, _, headline = summit
    headline.slots = 1
    headline.save()
    staff = UserFactory(groups=[EVENTS_STAFF])
    services.sponsorship_request(package=headline, organization=OrganizationFactory(), contact_email="a@x", actor=staff)
    with pytest.raises(SoldOut):
        services.sponsorship_request(
            package=headline, organization=OrganizationFactory(), contact_email="b@x", actor=staff
        )
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        assert selectors.sponsorship_packages_with_slots(event=headline.event).get().slots_left == 1
        services.sponsorship_request(
            package=headline, organization=OrganizationFactory(), contact_email="c@x", actor=staff
        )


def test_a_rejected_request_frees_its_slot(summit):
    _, _, headline = summit
    staff = UserFactory(groups=[EVENTS_STAFF])
    org = OrganizationFactory()
    sponsorship = services.sponsorship_request(package=headline, organization=org, contact_email="a@x", actor=staff)
    assert selectors.sponsorship_packages_with_slots(event=headline.event).get().slots_left == 1
    services.sponsorship_cancel(sponsorship=sponsorship, actor=staff, reason="Not a fit")
    assert selectors.sponsorship_packages_with_slots(event=headline.event).get().slots_left == 2


def test_only_an_organisations_admin_may_apply(client, summit):
    _, _, headline = summit
    person = UserFactory()
    with pytest.raises(NotOrganizationAdmin):
        services.sponsorship_request(
            package=headline, organization=OrganizationFactory(), contact_email="a@x", actor=person
        )
    other = OrganizationFactory(name="Somebody Else")
    client.force_login(person)
    # Someone who administers no organisation names their company; they cannot pick another's.
    response = client.post("/events/summit/sponsor/apply/", sponsor_application(headline, organization=other.pk))
    assert response.status_code == 400
    assert "Your company&#x27;s name" in response.content.decode()
    assert not Sponsorship.objects.filter(organization=other).exists()


def test_company_page_and_contacts_my_account_show_the_sponsorship(client, summit):
    _, _, headline = summit
    staff = UserFactory(groups=[EVENTS_STAFF])
    org = OrganizationFactory(name="Acme Cloud", slug="acme")
    sponsorship = services.sponsorship_request(package=headline, organization=org, contact_email="a@x", actor=staff)
    services.sponsorship_approve(sponsorship=sponsorship, actor=staff)
    Sponsorship.objects.filter(pk=sponsorship.pk).update(status=Sponsorship.Status.INVOICED)
    services.sponsorship_mark_paid(sponsorship=sponsorship)
    client.force_login(staff)
    account = client.get("/accounts/").content.decode()
    assert "Headline sponsorship" in account and "0 of 3 used" in account


def test_invoice_by_card_sends_the_pay_link_and_paying_marks_it_paid(summit, django_capture_on_commit_callbacks):
    _, _, headline = summit
    staff = UserFactory(groups=[EVENTS_STAFF])
    org = OrganizationFactory(name="Acme Cloud")
    sponsorship = services.sponsorship_request(
        package=headline, organization=org, contact_email="billing@acme.example", actor=staff
    )
    with pytest.raises(Exception, match="cannot become invoiced"):
        services.sponsorship_invoice(sponsorship=sponsorship, method="card", actor=staff)
    services.sponsorship_approve(sponsorship=sponsorship, actor=staff)
    with django_capture_on_commit_callbacks(execute=True):
        payment = services.sponsorship_invoice(sponsorship=sponsorship, method="card", actor=staff)
    assert payment.method == "card" and payment.owner == sponsorship
    assert payment.invoices.get().status == "issued"
    message = next(m for m in mail.outbox if m.to == ["billing@acme.example"])
    assert payment.get_absolute_url() in message.body


def test_an_organisations_admin_applies_and_its_billing_contact_cannot(client, summit):
    from members.models import OrganizationRole

    _, _, headline = summit
    acme = OrganizationFactory(name="Acme Cloud")
    admin, billing = UserFactory(), UserFactory()
    OrganizationRole.objects.create(user=admin, organization=acme, role=OrganizationRole.Role.ADMIN)
    OrganizationRole.objects.create(user=billing, organization=acme, role=OrganizationRole.Role.BILLING)

    assert list(selectors.organizations_administered_by(admin)) == [acme]
    with pytest.raises(NotOrganizationAdmin):
        services.sponsorship_request(package=headline, organization=acme, contact_email="b@acme.example", actor=billing)

    client.force_login(admin)
    response = sponsor_apply_and_submit(client, headline, organization=acme.pk, contact_email="events@acme.example")
    assert response.status_code == 302
    assert Sponsorship.objects.get(organization=acme).status == Sponsorship.Status.REQUESTED
