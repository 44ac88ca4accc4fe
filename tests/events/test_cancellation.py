"""Cancellation people expect: a confirmation that states the refund, one ticket at a time, the event's policy."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from events import payments, selectors, services
from events.exceptions import NotRefundable, TicketNotValid
from events.models import Order
from portal.payments import services as payment_services
from portal.payments.models import Invoice, Payment
from portal.payments.pdf import invoice_pdf
from tests.events.factories import EventFactory, PromoCodeFactory, TicketTypeFactory
from tests.payments.conftest import GOOD_CARD, card_token
from tests.pdf_text import texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def summit():
    event = EventFactory(slug="summit", currency="EUR", refund_fee=Decimal("25.00"))
    full = TicketTypeFactory(event=event, name="Full access", price=Decimal("400.00"), capacity=2)
    return event, full


def _two_tickets(summit, promo: str = "") -> Order:
    event, full = summit
    return services.order_create(
        event=event,
        buyer_name="Ada Lovelace",
        buyer_email="ada@example.org",
        quantities={full.pk: 2},
        attendees=[{"name": "Ada Lovelace"}, {"name": "Charles Babbage"}],
        promo_code=promo,
        accepted_code_of_conduct=True,
    )


def _pay(order, localstripe, capture) -> Payment:
    payments.order_request_payment(order=order)
    payment = Payment.objects.get()
    with capture(execute=True):
        payment_services.payment_pay_with_card(payment=payment, token=card_token(localstripe, GOOD_CARD))
    return payment


def test_the_policy_with_its_deadline_and_fee_is_shown_before_paying(client, summit):
    event, full = summit
    body = client.get(f"/events/summit/register/?step=details&qty_{full.pk}=1").content.decode()
    assert "Refund policy:" in body and "less a fee of 25.00\u00a0EUR per ticket" in body
    assert f"{event.local(event.refund_cutoff):%Y}" in body


@pytest.mark.localstripe
def test_one_ticket_of_two_is_canceled_with_a_partial_refund_and_a_credit_note(
    client, summit, localstripe, django_capture_on_commit_callbacks
):
    event, full = summit
    PromoCodeFactory(event=event, code="TEN", value=Decimal("10"), ticket_types=[full])
    order = _two_tickets(summit, promo="TEN")  # 2 × 400 − 10 % = 720.00
    payment = _pay(order, localstripe, django_capture_on_commit_callbacks)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and order.total == Decimal("720.00")
    charles = order.tickets.get(attendee_name="Charles Babbage")
    url = f"{order.get_absolute_url()}tickets/{charles.code}/cancel/"

    # The order page links to a confirmation; the confirmation states the refund and changes nothing.
    assert url in client.get(order.get_absolute_url()).content.decode()
    confirm = client.get(url).content.decode()
    assert "You get <strong>335.00\u00a0EUR</strong> back" in confirm
    assert "360.00\u00a0EUR paid, less the 25.00\u00a0EUR cancellation fee" in confirm
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and order.tickets.filter(canceled_at__isnull=True).count() == 2

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == Order.Status.PARTIALLY_REFUNDED and order.refunded_amount == Decimal("335.00")
    assert payment.amount_refunded == Decimal("335.00")
    note = Invoice.objects.get(kind="credit_note")
    assert note.total == Decimal("335.00") and note.credited_invoice.payment_id == payment.pk
    assert any("is canceled" in m.subject and "335.00" in m.body for m in mail.outbox)
    # The seat is free again, the canceled ticket admits no one, the other still does.
    assert {tt.name: tt.available for tt in selectors.ticket_types_with_availability(event=event)} == {"Full access": 1}
    with pytest.raises(TicketNotValid):
        services.ticket_check_in(event=event, code=charles.code, actor=None)
    ada = order.tickets.get(attendee_name="Ada Lovelace")
    assert services.ticket_check_in(event=event, code=ada.code, actor=None).pk == ada.pk
    body = client.get(order.get_absolute_url()).content.decode()
    assert "Canceled" in body and "Cancel this ticket" not in body  # the last ticket: cancel the order


def test_the_last_ticket_cancels_the_order_and_nothing_after_the_deadline(summit, django_capture_on_commit_callbacks):
    event, full = summit
    full.price = Decimal("0")
    full.save()
    order = _two_tickets(summit)
    first, second = order.tickets.order_by("pk")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.ticket_cancel(ticket=first).refund == Decimal("0")
        services.ticket_cancel(ticket=second)
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELED
    assert order.lines.get().canceled_quantity == 1  # the second went with the order

    late = _two_tickets(summit)
    with time_machine.travel(event.start + timedelta(minutes=1)), pytest.raises(NotRefundable):
        services.ticket_cancel(ticket=late.tickets.first())


def test_a_whole_order_cancel_asks_first_and_keeps_the_fee_per_ticket(client, summit):
    order = _two_tickets(summit)
    Order.objects.filter(pk=order.pk).update(status=Order.Status.PAID, paid_at=timezone.now(), expires_at=None)
    order.refresh_from_db()
    quote = services.cancellation_quote(order=order)
    assert (quote.paid, quote.fee, quote.refund) == (Decimal("800.00"), Decimal("50.00"), Decimal("750.00"))
    page = client.get(f"{order.get_absolute_url()}cancel/").content.decode()
    assert "You get <strong>750.00\u00a0EUR</strong> back" in page and "Cancel the order" in page
    assert services.cancellation_quote(order=order, by_staff=True).refund == Decimal("800.00")


@pytest.mark.localstripe
def test_the_invoice_shows_quantity_price_and_the_discount_line(
    summit, localstripe, django_capture_on_commit_callbacks
):
    event, full = summit
    PromoCodeFactory(event=event, code="TEN", value=Decimal("10"), ticket_types=[full])
    payment = _pay(_two_tickets(summit, promo="TEN"), localstripe, django_capture_on_commit_callbacks)
    invoice = payment.invoices.get()
    lines = [(line.description, line.quantity, line.unit_price) for line in invoice.lines.order_by("position")]
    assert lines == [
        (f"Full access, {event.name}", Decimal("2.00"), Decimal("400.00")),
        ("Discount (promo code TEN) on Full access", Decimal("1.00"), Decimal("-80.00")),
    ]
    assert invoice.total == Decimal("720.00")
    printed = " ".join(texts(invoice_pdf(invoice)))
    assert "Discount (promo code TEN) on Full access" in printed and "-80.00" in printed
