"""The summit as attendees live it, in a browser: their own tickets, one ticket canceled, a fair waiting list,
and the details step at 375 px."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client

from events import payments, services
from events.models import Order, WaitingListEntry
from portal.accounts.mfa import totp_activate
from portal.payments import services as payment_services
from portal.payments.models import Invoice, Payment
from tests.accounts.factories import UserFactory
from tests.conftest import log_in_with_second_factor
from tests.events.factories import EventFactory, PromoCodeFactory, TicketTypeFactory, buyer
from tests.payments.conftest import GOOD_CARD, card_token

pytestmark = pytest.mark.django_db(transaction=True)

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def _summit(**options):
    event = EventFactory(slug="summit", name="OpenInfra Summit Europe", currency="EUR", **options)
    return event


def _community_passes_for_grace(page, live_server, quantity: int) -> None:
    """Choose `quantity` Community passes on the summit's registration page; Grace types her name and e-mail."""
    page.goto(f"{live_server.url}/events/summit/register/")
    page.get_by_label("Community pass").fill(str(quantity))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**step=details**")
    page.get_by_label("Your name").fill("Grace Hopper")
    page.get_by_label("Your e-mail").fill("grace@example.org")


def _link(message, pattern: str) -> str:
    return re.search(rf"https?://[^/\s]+({pattern})", message.body).group(1)


def test_two_attendees_each_receive_their_own_ticket(page, live_server):
    event = _summit()
    full = TicketTypeFactory(event=event, name="Community pass", price=Decimal("0"))
    _community_passes_for_grace(page, live_server, 2)
    attendees = page.locator("fieldset.attendee")
    for index, (name, email) in enumerate([("Ada Lovelace", "ada@example.org"), ("Alan Turing", "alan@example.org")]):
        attendees.nth(index).get_by_label("Name").fill(name)
        attendees.nth(index).get_by_label("E-mail").fill(email)
    page.get_by_label("I have read and accept the code of conduct").check()
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/order/**")

    confirmation = page.locator("[data-order-confirmation]").inner_text()
    assert "You are registered" in confirmation and "grace@example.org" in confirmation
    assert "Ada Lovelace: ada@example.org" in confirmation and "Alan Turing: alan@example.org" in confirmation
    order = Order.objects.get()
    assert order.lines.get().ticket_type == full
    by_to = {message.to[0]: message for message in mail.outbox}
    assert {"ada@example.org", "alan@example.org", "grace@example.org"} <= set(by_to)
    for name, email, other in [("Ada Lovelace", "ada@example.org", "Alan"), ("Alan Turing", "alan@example.org", "Ada")]:
        message = by_to[email]
        assert any(attachment[0].endswith(".pdf") for attachment in message.attachments)
        page.goto(live_server.url + _link(message, r"/events/summit/ticket/[^\s]+/"))
        assert page.get_by_role("heading", level=1).inner_text() == f"Your ticket: {name}"
        ticket = order.tickets.get(attendee_email=email)
        assert ticket.short_code[:4] in page.locator(".ticket-code").inner_text()
        assert other not in page.locator("main").inner_text()


@pytest.mark.localstripe
def test_cancel_one_ticket_of_two_with_a_partial_refund(page, live_server, localstripe):
    event = _summit(refund_fee=Decimal("20.00"))
    full = TicketTypeFactory(event=event, name="Full access", price=Decimal("300.00"))
    PromoCodeFactory(event=event, code="TEN", value=Decimal("10"), ticket_types=[full])
    order = services.order_create(
        event=event,
        quantities={full.pk: 2},
        attendees=[{"name": "Ada Lovelace"}, {"name": "Charles Babbage"}],
        promo_code="TEN",
        accepted_code_of_conduct=True,
        **buyer(1),
    )
    payments.order_request_payment(order=order)
    payment_services.payment_pay_with_card(payment=Payment.objects.get(), token=card_token(localstripe, GOOD_CARD))

    page.goto(live_server.url + order.get_absolute_url())
    charles = page.get_by_role("article").filter(has_text="Charles Babbage")
    charles.get_by_role("link", name="Cancel this ticket…").click()
    statement = page.locator("[data-refund-statement]").inner_text()
    assert "You get 250.00\u00a0EUR back" in statement  # 270.00 paid (300 − 10 %), less the 20.00 fee
    assert "Refund policy:" in page.locator("[data-refund-policy]").inner_text()
    page.get_by_role("button", name="Cancel this ticket and get 250.00\u00a0EUR back").click()
    page.wait_for_url("**/order/**")
    assert "250.00 EUR is on its way back to you" in page.locator(".messages").inner_text()
    assert "Canceled" in page.get_by_role("article").filter(has_text="Charles Babbage").inner_text()

    order.refresh_from_db()
    assert order.status == Order.Status.PARTIALLY_REFUNDED and order.refunded_amount == Decimal("250.00")
    assert order.tickets.filter(canceled_at__isnull=True).get().attendee_name == "Ada Lovelace"
    assert Invoice.objects.get(kind="credit_note").total == Decimal("250.00")


def test_a_capacity_raise_offers_the_seat_to_the_waiting_list_before_the_public(browser, live_server):
    event = _summit()
    early = TicketTypeFactory(event=event, name="Early bird", capacity=2, price=Decimal("299.00"))
    for n in (1, 2):
        services.order_create(event=event, quantities={early.pk: 1}, accepted_code_of_conduct=True, **buyer(n))
    services.waiting_list_join(ticket_type=early, email="waiting@example.org", quantity=1)
    mail.outbox.clear()

    staff = UserFactory(is_staff=True, is_superuser=True)
    totp_activate(staff)
    client = Client()
    log_in_with_second_factor(client, staff)
    admin = browser.new_context(viewport={"width": 1280, "height": 900})
    admin.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    try:
        staff_page = admin.new_page()
        staff_page.goto(f"{live_server.url}/admin/events/tickettype/edit/{early.pk}/")
        staff_page.get_by_label("Capacity").fill("3")
        staff_page.get_by_role("button", name="Save").first.click()
        staff_page.wait_for_url("**/admin/events/tickettype/")
    finally:
        admin.close()

    assert WaitingListEntry.objects.get().status == WaitingListEntry.Status.OFFERED
    offer = next(m for m in mail.outbox if m.to == ["waiting@example.org"])
    assert "299.00" in offer.body

    public = browser.new_context(viewport={"width": 375, "height": 812})
    try:
        page = public.new_page()
        page.goto(f"{live_server.url}/events/summit/register/")
        assert "1 left" not in page.locator("main").inner_text()
        page.goto(live_server.url + _link(offer, r"/events/summit/waiting-list/offer/[^\s]+/"))
        assert "299.00\u00a0EUR" in page.locator("[data-offer-price]").inner_text()
        assert page.get_by_role("link", name="Leave the waiting list").is_visible()
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
    finally:
        public.close()


def test_on_a_phone_the_details_errors_come_into_view_and_the_order_page_stays_short(phone_page, live_server):
    event = _summit()
    TicketTypeFactory(event=event, name="Community pass", price=Decimal("0"))
    page = phone_page
    _community_passes_for_grace(page, live_server, 3)
    page.get_by_role("button", name="Register").click()  # the code of conduct is not accepted
    page.wait_for_load_state()
    errors = page.locator("[data-form-errors]")
    errors.wait_for()
    assert "code of conduct" in errors.inner_text()
    page.wait_for_function("document.activeElement && document.activeElement.matches('[data-form-errors]')")
    box = errors.bounding_box()
    assert box is not None and 0 <= box["y"] and box["y"] + 20 <= 812, box
    assert page.evaluate(NO_SIDEWAYS_SCROLL)

    errors.get_by_role("link", name="I have read and accept the code of conduct").click()
    page.get_by_label("I have read and accept the code of conduct").check()
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/order/**")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    # Each attendee's form stays closed until asked for.
    assert page.get_by_label("Job title (badge)").first.is_hidden()
    page.get_by_text("Name attendee").first.click()
    assert page.get_by_label("Job title (badge)").first.is_visible()
