"""How a sponsor pays: they choose card or bank transfer when applying, staff see
that choice when invoicing, and the sponsor finds the invoice, with the reference to quote, under My account."""

from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from events import services
from events.exceptions import SponsorshipInvalid
from events.models import Sponsorship, SponsorshipPackage
from members.models import OrganizationRole
from portal.accounts.groups import EVENTS_STAFF
from portal.payments import services as payment_services
from tests.accounts.factories import UserFactory
from tests.events.factories import sponsor_application, sponsor_apply_and_submit
from tests.events.test_sponsorships import summit  # noqa: F401 - the fixture
from tests.members.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sponsor(client):
    """An organisation's admin, logged in."""
    acme = OrganizationFactory(name="Acme Cloud")
    admin = UserFactory()
    OrganizationRole.objects.create(user=admin, organization=acme, role=OrganizationRole.Role.ADMIN)
    client.force_login(admin)
    return admin, acme


def test_the_sponsor_chooses_bank_transfer_on_the_form(client, summit, sponsor):  # noqa: F811
    _, _, headline = summit
    _, acme = sponsor
    SponsorshipPackage.objects.create(event=headline.event, name="Exhibitor", price=Decimal("8000.00"), slots=40)
    page = BeautifulSoup(client.get("/events/summit/sponsor/apply/").content, "html.parser")
    groups = {group.legend.get_text(" ", strip=True): group for group in page.find_all("fieldset")}
    group = groups["We will pay the invoice by"]
    assert [label.get_text(strip=True) for label in group.find_all("label")] == [
        "Card, online",
        "Bank transfer, against an invoice",
    ]
    assert group.find("input", checked=True)["value"] == "card"
    # The packages are this event's: their names alone, in the order of the page.
    assert [label.get_text(strip=True) for label in groups["Package"].find_all("label")] == ["Headline", "Exhibitor"]

    sponsor_apply_and_submit(
        client, headline, organization=acme.pk, contact_email="events@acme.example", payment_method="bank_transfer"
    )
    response = client.get("/events/summit/sponsor/")
    assert "goes to events@acme.example, to pay by bank transfer" in response.content.decode()
    assert Sponsorship.objects.get(organization=acme).payment_method == "bank_transfer"


def test_an_unknown_payment_method_is_refused(client, summit, sponsor):  # noqa: F811
    _, _, headline = summit
    admin, acme = sponsor
    response = client.post(
        "/events/summit/sponsor/apply/", sponsor_application(headline, organization=acme.pk, payment_method="cash")
    )
    assert response.status_code == 400 and not Sponsorship.objects.exists()
    with pytest.raises(SponsorshipInvalid, match="card or bank transfer"):
        services.sponsorship_request(
            package=headline, organization=acme, contact_email="a@x", actor=admin, payment_method="cash"
        )


def test_staff_see_the_sponsors_choice_when_invoicing(summit, staff_client_factory):  # noqa: F811
    _, _, headline = summit
    staff = staff_client_factory(groups=[EVENTS_STAFF])
    transfer, card = OrganizationFactory(name="Transfer Co"), OrganizationFactory(name="Card Co")
    for organization, method in ((transfer, "bank_transfer"), (card, "card")):
        sponsorship = services.sponsorship_request(
            package=headline, organization=organization, contact_email="a@x", actor=staff.user, payment_method=method
        )
        services.sponsorship_approve(sponsorship=sponsorship, actor=staff.user)
    page = BeautifulSoup(staff.get("/admin/events/sponsorships/").content, "html.parser")
    rows = {row.td.get_text(): row for row in page.select("tbody tr")}
    assert "pays by bank transfer" in rows["Transfer Co"].get_text()
    assert "pays by card" in rows["Card Co"].get_text()
    # The sponsor's choice is the first, primary button; the other stays at hand.
    first = [button for button in rows["Transfer Co"].find_all("button") if button["value"].startswith("invoice")]
    assert [(b["value"], "button-secondary" in b["class"]) for b in first] == [
        ("invoice_transfer", False),
        ("invoice_card", True),
    ]
    first = [button for button in rows["Card Co"].find_all("button") if button["value"].startswith("invoice")]
    assert [b["value"] for b in first] == ["invoice_card", "invoice_transfer"]


def test_my_account_links_the_sponsor_to_the_invoice_and_its_transfer_reference(client, summit, sponsor):  # noqa: F811
    _, _, headline = summit
    admin, acme = sponsor
    sponsorship = services.sponsorship_request(
        package=headline, organization=acme, contact_email="events@acme.example", actor=admin
    )
    item = BeautifulSoup(client.get("/accounts/").content, "html.parser").find(
        "a", string="OpenInfra Summit Europe: Headline sponsorship"
    )
    assert item["href"] == headline.event.get_absolute_url()  # nothing to pay yet

    services.sponsorship_approve(sponsorship=sponsorship, actor=admin)
    payment = services.sponsorship_invoice(sponsorship=sponsorship, method="bank_transfer", actor=admin)
    invoice = payment.invoices.get()
    account = BeautifulSoup(client.get("/accounts/").content, "html.parser")
    item = account.find("a", string="OpenInfra Summit Europe: Headline sponsorship")
    assert item["href"] == payment.get_absolute_url()
    assert f"invoice {invoice.number}, 100,000.00 {headline.event.currency}" in item.parent.get_text()
    pay_page = client.get(payment.get_absolute_url()).content.decode()
    assert f"quoting {invoice.number}" in pay_page

    payment_services.payment_mark_transfer_received(
        payment=payment, amount=payment.amount, received_on=timezone.localdate(), reference="SEPA 1", actor=admin
    )
    item = BeautifulSoup(client.get("/accounts/").content, "html.parser").find(
        "a", string="OpenInfra Summit Europe: Headline sponsorship"
    )
    assert item.find_parent("li").find(class_="badge").get_text() == "Paid"


def test_my_account_shows_many_sponsorships_in_few_queries(
    client,
    summit,  # noqa: F811
    sponsor,
    django_assert_max_num_queries,
):
    _, _, headline = summit
    admin, acme = sponsor
    for n in range(4):
        package = SponsorshipPackage.objects.create(event=headline.event, name=f"P{n}", price=Decimal("10"), slots=5)
        sponsorship = services.sponsorship_request(package=package, organization=acme, contact_email="a@x", actor=admin)
        services.sponsorship_approve(sponsorship=sponsorship, actor=admin)
        services.sponsorship_invoice(sponsorship=sponsorship, method="bank_transfer", actor=admin)
    client.get("/accounts/")
    with django_assert_max_num_queries(30) as captured:
        client.get("/accounts/")
    payments = [q for q in captured.captured_queries if 'FROM "payments_payment"' in q["sql"]]
    assert len(payments) == 1
