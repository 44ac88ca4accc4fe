"""Company ticket bundles: an organisation's admins buy many tickets on one order and one invoice, then
assign, reassign and unassign the attendees until the event's cut-off; each holder gets their own ticket."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.core import mail
from django.utils import timezone

from events import services
from events.exceptions import ChangesClosed, NotOrganizationAdmin, SoldOut, TicketNotFound, TicketUnassigned
from events.models import Order, Ticket, TicketBundle
from events.services import bundles
from events.ticket_codes import format_short_code
from portal.accounts.groups import EVENTS_STAFF
from portal.payments import services as payment_services
from portal.payments.models import Invoice, Payment, PaymentStatus
from tests.accounts.factories import UserFactory
from tests.api.factories import bearer, token
from tests.events.factories import EventFactory, TicketTypeFactory, paid_order
from tests.members.factories import OrganizationFactory, role_for
from tests.payments.conftest import GOOD_CARD, card_token

pytestmark = pytest.mark.django_db

BUY = "/events/summit/bundle/"
PAGE = "/events/company-bundles/acme/"


@pytest.fixture
def full():
    event = EventFactory(slug="summit", name="OpenInfra Summit", currency="EUR")
    return TicketTypeFactory(event=event, name="Full access", price=Decimal("500.00"), capacity=100)


@pytest.fixture
def acme():
    return OrganizationFactory(name="Acme Cloud", slug="acme")


@pytest.fixture
def admin(acme):
    return role_for(acme, "admin", user=UserFactory(email="olga@acme.example", first_name="Olga", last_name="Admin"))


def _bundle(ticket_type, organization, actor, quantity=10, **extra) -> TicketBundle:
    return bundles.bundle_create(
        event=ticket_type.event,
        organization=organization,
        ticket_type=ticket_type,
        quantity=quantity,
        actor=actor,
        buyer_name="Olga Admin",
        buyer_email="olga@acme.example",
        **extra,
    )


def _paid_bundle(ticket_type, organization, actor, quantity=10) -> TicketBundle:
    bundle = _bundle(ticket_type, organization, actor, quantity)
    services.order_payment_succeeded(order=bundle.order, amount=bundle.order.total)
    bundle.order.refresh_from_db()
    return bundle


def _assign_data(ticket, name, email):
    return {f"t{ticket.pk}-attendee_name": name, f"t{ticket.pk}-attendee_email": email}


def _assign(client, ticket, name, email):
    return client.post(f"{PAGE}tickets/{ticket.pk}/", _assign_data(ticket, name, email))


def _holder_mail(email):
    return [m for m in mail.outbox if m.to == [email] and m.subject.startswith("Your ticket for")]


@pytest.mark.localstripe
def test_a_company_buys_ten_by_card_assigns_three_and_reassigns_one(
    client, full, acme, admin, localstripe, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    register = BeautifulSoup(client.get("/events/summit/register/").content, "html.parser")
    assert register.find("a", string="Buy a bundle")["href"] == BUY
    response = client.post(
        BUY,
        {
            "organization": acme.pk,
            "ticket_type": full.pk,
            "quantity": "10",
            "buyer_name": "Olga Admin",
            "buyer_email": "olga@acme.example",
            "billing_address": "1 Cloud Street, Berlin",
            "payment_method": "card",
        },
    )
    payment = Payment.objects.get()
    assert response.status_code == 302 and response["Location"] == payment.get_absolute_url()
    order = Order.objects.get()
    assert (order.total, order.tickets.count(), order.bundle.organization) == (Decimal("5000.00"), 10, acme)
    assert payment.return_url.endswith(PAGE)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/payments/{payment.public_id}/card/", {"token": card_token(localstripe, GOOD_CARD)})
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and order.status == Order.Status.PAID
    # One invoice for the whole bundle: one line of ten tickets, to the company.
    invoice = Invoice.objects.get()
    assert payment.invoices.get() == invoice
    assert invoice.total == Decimal("5000.00") and invoice.buyer_name == "Acme Cloud"
    assert [(line.quantity, line.unit_price) for line in invoice.lines.all()] == [(Decimal("10"), Decimal("500.00"))]

    # The buyer's confirmation carries no QR code of an unassigned ticket, and says where to assign them.
    confirmation = next(m for m in mail.outbox if m.subject.startswith("Your tickets"))
    assert not [a for a in confirmation.attachments if a[0].endswith(".png")]
    assert "Acme Cloud's ticket bundle" in confirmation.body and PAGE in confirmation.body
    order_page = BeautifulSoup(client.get(order.get_absolute_url()).content, "html.parser")
    assert order_page.find("a", string="the bundle page")["href"] == PAGE
    assert not order_page.find("summary", string="Name attendee")

    tickets = list(order.tickets.order_by("pk"))
    mail.outbox.clear()
    people = [("Ada Byron", "ada@acme.example"), ("Bob Stone", "bob@acme.example"), ("Cy Young", "cy@acme.example")]
    with django_capture_on_commit_callbacks(execute=True):
        for ticket, (name, email) in zip(tickets, people, strict=False):
            assert _assign(client, ticket, name, email).status_code == 302
    assert len(mail.outbox) == 3
    codes = {}
    for ticket, (name, email) in zip(tickets, people, strict=False):
        ticket.refresh_from_db()
        (message,) = _holder_mail(email)
        assert format_short_code(ticket.short_code) in message.body and f"Hello {name}" in message.body
        assert [a[0] for a in message.attachments if a[0].endswith(".pdf")] == [f"ticket-{ticket.short_code}.pdf"]
        codes[email] = (ticket.code, ticket.short_code)
    assert len({code for code, _ in codes.values()}) == 3

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _assign(client, tickets[1], "Dana Reed", "dana@acme.example")
    shown = client.get(response["Location"]).content.decode()
    assert "Bob Stone&#x27;s ticket now belongs to Dana Reed" in shown
    assert [m.to for m in mail.outbox] == [["dana@acme.example"]]
    tickets[1].refresh_from_db()
    assert format_short_code(tickets[1].short_code) in mail.outbox[0].body
    assert (tickets[1].code, tickets[1].short_code) != codes["bob@acme.example"]

    # At the door: Bob's code admits no one, Dana's does, an unassigned ticket is refused as such.
    door = UserFactory()
    for old in codes["bob@acme.example"]:
        with pytest.raises(TicketNotFound):
            services.ticket_check_in(event=full.event, code=old, actor=door)
    assert services.ticket_check_in(event=full.event, code=tickets[1].short_code, actor=door).attendee_name == (
        "Dana Reed"
    )
    with pytest.raises(TicketUnassigned, match="Unassigned"):
        services.ticket_check_in(event=full.event, code=tickets[5].code, actor=door)

    page = BeautifulSoup(client.get(PAGE).content, "html.parser")
    assert page.find("h2", string=re.compile("OpenInfra Summit: 10 × Full access"))
    assert "3 of 10 assigned" in page.get_text(" ", strip=True)
    assert page.find("h3", string="Ticket 2: Dana Reed")
    assert page.find("h3", string="Ticket 4: unassigned")


def test_capacity_is_taken_when_the_bundle_is_ordered(full, acme, admin):
    full.capacity = 10
    full.save()
    paid_order(full.event, full)
    with pytest.raises(SoldOut, match="Only 9 × Full access left, so a bundle of 10 does not fit."):
        _bundle(full, acme, admin, quantity=10)
    assert not TicketBundle.objects.exists()

    _bundle(full, acme, admin, quantity=9)  # unpaid yet, and already holding the seats
    with pytest.raises(SoldOut):
        services.order_create(
            event=full.event,
            quantities={full.pk: 1},
            buyer_name="Late",
            buyer_email="late@example.org",
            accepted_code_of_conduct=True,
        )


def test_a_bundle_too_big_is_refused_on_the_page_with_the_seats_left(client, full, acme, admin):
    full.capacity = 9
    full.save()
    client.force_login(admin)
    data = {"organization": acme.pk, "ticket_type": full.pk, "quantity": "10", "buyer_name": "Olga"}
    response = client.post(BUY, {**data, "buyer_email": "olga@acme.example", "payment_method": "card"})
    assert response.status_code == 409
    assert "Only 9 × Full access left, so a bundle of 10 does not fit." in response.content.decode()
    assert not Order.objects.exists()


def test_by_bank_transfer_one_invoice_at_once_and_tickets_when_the_money_arrives(
    client, full, acme, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        bundle = _bundle(full, acme, admin, quantity=4, payment_method="bank_transfer")
    order = bundle.order
    assert order.status == Order.Status.PENDING
    assert order.expires_at - timezone.now() > timedelta(days=13)
    invoice = Invoice.objects.get()
    assert invoice.total == Decimal("2000.00") and invoice.status == "issued"
    assert any(m.to == ["olga@acme.example"] and invoice.number in m.subject for m in mail.outbox)

    # Named before the transfer arrives: the ticket goes out with the others once it is paid.
    ticket = order.tickets.first()
    with django_capture_on_commit_callbacks(execute=True):
        bundles.bundle_ticket_assign(ticket=ticket, attendee_name="Ada", attendee_email="ada@acme.example", actor=admin)
    assert not _holder_mail("ada@acme.example")

    payment = Payment.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        payment_services.payment_mark_transfer_received(
            payment=payment, amount=Decimal("2000.00"), received_on=timezone.localdate(), reference="ACME", actor=admin
        )
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert Invoice.objects.count() == 1 and Invoice.objects.get().status == "paid"
    assert len(_holder_mail("ada@acme.example")) == 1


def test_after_the_cut_off_assignments_are_refused(client, full, acme, admin, django_capture_on_commit_callbacks):
    bundle = _paid_bundle(full, acme, admin, quantity=2)
    ticket = bundle.order.tickets.first()
    event = full.event
    event.bundle_assign_until = timezone.now() + timedelta(days=1)
    event.save()
    with time_machine.travel(event.bundle_assign_until + timedelta(minutes=1)):
        with pytest.raises(ChangesClosed, match="could be assigned until"):
            bundles.bundle_ticket_assign(ticket=ticket, attendee_name="Ada", attendee_email="a@x.example", actor=admin)
        client.force_login(admin)
        response = _assign(client, ticket, "Ada", "a@x.example")
        shown = client.get(response["Location"]).content.decode()
    assert "could be assigned until" in shown and "Attendees can no longer be assigned" in shown
    assert "Assign ticket 1" not in shown
    ticket.refresh_from_db()
    assert ticket.attendee_name == ""


def test_without_its_own_cut_off_the_event_start_is_the_cut_off(full, acme, admin):
    bundle = _paid_bundle(full, acme, admin, quantity=1)
    ticket = bundle.order.tickets.get()
    with time_machine.travel(full.event.start + timedelta(seconds=1)), pytest.raises(ChangesClosed):
        bundles.bundle_ticket_assign(ticket=ticket, attendee_name="Ada", attendee_email="a@x.example", actor=admin)


def test_only_the_organisations_admins_buy_see_and_assign(client, full, acme, admin):
    bundle = _paid_bundle(full, acme, admin, quantity=2)
    ticket = bundle.order.tickets.first()
    billing = role_for(acme, "billing")
    admin_elsewhere = role_for(OrganizationFactory(), "admin")
    for person in (billing, admin_elsewhere):
        client.force_login(person)
        assert client.get(PAGE).status_code == 404
        assert _assign(client, ticket, "Mallory", "m@evil.example").status_code == 404
        assert client.post(f"{PAGE}tickets/{ticket.pk}/unassign/").status_code == 404
        with pytest.raises(NotOrganizationAdmin):
            bundles.bundle_ticket_assign(
                ticket=ticket, attendee_name="M", attendee_email="m@evil.example", actor=person
            )
        with pytest.raises(NotOrganizationAdmin):
            _bundle(full, acme, person, quantity=1)
    client.force_login(billing)
    assert client.get(BUY).status_code == 404
    assert "Buy a bundle" not in client.get("/events/summit/register/").content.decode()
    client.logout()
    assert client.get(PAGE).status_code == 302 and client.get(BUY).status_code == 302
    ticket.refresh_from_db()
    assert ticket.attendee_name == ""


def test_a_company_that_only_sponsors_buys_bundles_too(client, full):
    person = UserFactory()
    client.force_login(person)
    sponsor = services.sponsor_organization_create(name="Orbit Robotics", actor=person)
    bundle = _bundle(full, sponsor, person, quantity=3)
    assert bundle.organization == sponsor and not sponsor.memberships.exists()
    assert client.get(f"/events/company-bundles/{sponsor.slug}/").status_code == 200


def test_unassigning_voids_the_holders_code_and_the_order_page_cannot_rename(
    client, full, acme, admin, django_capture_on_commit_callbacks
):
    bundle = _paid_bundle(full, acme, admin, quantity=2)
    ticket = bundle.order.tickets.first()
    ticket = bundles.bundle_ticket_assign(ticket=ticket, attendee_name="Ada", attendee_email="a@x.example", actor=admin)
    old = ticket.code
    client.force_login(admin)
    response = client.post(f"{PAGE}tickets/{ticket.pk}/unassign/")
    assert "Ada&#x27;s ticket is unassigned" in client.get(response["Location"]).content.decode()
    ticket.refresh_from_db()
    assert (ticket.attendee_name, ticket.attendee_email) == ("", "") and ticket.code != old
    with pytest.raises(TicketNotFound):
        services.ticket_check_in(event=full.event, code=old, actor=admin)
    # Neither the order page nor the holder's own page goes around the company's assignment rules; the
    # holder may still correct their badge details.
    with pytest.raises(ChangesClosed, match="company bundle"):
        services.ticket_update(ticket=ticket, attendee_name="Eve", actor=None)
    ticket = bundles.bundle_ticket_assign(ticket=ticket, attendee_name="Bo", attendee_email="bo@x.example", actor=admin)
    with pytest.raises(ChangesClosed, match="company bundle"):
        services.ticket_update(ticket=ticket, attendee_name="Bo", attendee_email="eve@evil.example", actor=None)
    services.ticket_update(ticket=ticket, attendee_name="Bo", attendee_email="bo@x.example", job_title="CTO")
    ticket.refresh_from_db()
    assert (ticket.attendee_email, ticket.job_title, ticket.company) == ("bo@x.example", "CTO", "")


def test_door_staff_see_unassigned(client, full, acme, admin, staff_client_factory):
    bundle = _paid_bundle(full, acme, admin, quantity=1)
    door = staff_client_factory(groups=[EVENTS_STAFF])
    page = door.get(f"/events/summit/checkin/?q={bundle.order.code}").content.decode()
    assert "Unassigned" in page and "Acme Cloud" in page and "Check in" not in page.split("checkin-results")[1]
    response = door.post("/events/summit/checkin/", {"code": Ticket.objects.get().short_code})
    assert response.status_code == 409 and "Unassigned" in response.content.decode()


def test_the_bundle_page_costs_the_same_queries_for_one_or_many(
    client, full, acme, admin, django_assert_max_num_queries
):
    _paid_bundle(full, acme, admin, quantity=3)
    client.force_login(admin)
    with django_assert_max_num_queries(16) as few:
        assert client.get(PAGE).status_code == 200
    _paid_bundle(full, acme, admin, quantity=40)
    _bundle(full, acme, admin, quantity=20, payment_method="bank_transfer")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(PAGE)
    assert page.content.decode().count("Assign ticket") == 63


def test_the_check_in_api_refuses_an_unassigned_ticket_and_admits_an_assigned_one(client, full, acme, admin):
    bundle = _paid_bundle(full, acme, admin, quantity=2)
    unassigned, assigned = bundle.order.tickets.order_by("pk")
    assigned = bundles.bundle_ticket_assign(
        ticket=assigned, attendee_name="Ada", attendee_email="a@x.example", actor=admin
    )
    _, secret = token("checkin")
    url = "/api/v1/events/summit/checkin/"
    refused = client.post(url, {"code": unassigned.short_code}, **bearer(secret))
    assert refused.status_code == 409 and refused.json()["code"] == "ticket_unassigned"
    assert "Unassigned" in refused.json()["message"]
    admitted = client.post(url, {"code": assigned.short_code}, **bearer(secret))
    assert admitted.status_code == 200
    assert Ticket.objects.get(pk=assigned.pk).checked_in_at is not None
    assert Ticket.objects.get(pk=unassigned.pk).checked_in_at is None
