"""Registration paid through the real payments core and localstripe (acceptance 1 and 3)."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from events import services
from events.models import Order
from portal.payments import services as payment_services
from portal.payments.models import Payment, PaymentStatus
from tests.events.factories import EventFactory, PromoCodeFactory, TicketTypeFactory, payable_order, place_order
from tests.payments.conftest import GOOD_CARD, THREE_D_SECURE_CARD, authenticate_3ds, card_token, intents_for

pytestmark = [pytest.mark.localstripe, pytest.mark.django_db]


def _attachments(message, suffix):
    return [a for a in message.attachments if a[0].endswith(suffix)]


def test_acceptance_1_two_full_access_with_20_percent_paid_by_card(
    client, localstripe, django_capture_on_commit_callbacks
):
    event = EventFactory(slug="summit", currency="USD")
    full = TicketTypeFactory(event=event, name="Full access", price=Decimal("749.99"))
    PromoCodeFactory(event=event, code="COMMUNITY20", value=Decimal("20"), ticket_types=[full])

    response = client.post(
        "/events/summit/register/",
        {
            "step": "place",
            f"qty_{full.pk}": "2",
            "promo_code": "COMMUNITY20",
            "buyer_name": "Ada Lovelace",
            "buyer_email": "ada@example.org",
            "attendee_1_name": "Ada Lovelace",
            "attendee_2_name": "Charles Babbage",
            "billing_company": "Analytical Engines Ltd",
            "accept_code_of_conduct": "on",
        },
    )
    order = Order.objects.get()
    payment = Payment.objects.get()
    assert response.status_code == 302 and response["Location"] == payment.get_absolute_url()
    # 2 × 749.99 = 1,499.98; 20 % off = 300.00 (299.996 rounded half up); 1,199.98 to pay.
    assert (order.subtotal, order.discount, order.total) == (Decimal("1499.98"), Decimal("300.00"), Decimal("1199.98"))
    assert (payment.amount, payment.currency, payment.payer_email) == (Decimal("1199.98"), "USD", "ada@example.org")
    # The pay page resumes the same payment rather than making a second one.
    assert client.post(f"{order.get_absolute_url()}pay/")["Location"] == payment.get_absolute_url()
    assert Payment.objects.count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/payments/{payment.public_id}/card/", {"token": card_token(localstripe, GOOD_CARD)})
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert order.status == Order.Status.PAID and order.paid_at is not None

    tickets_mail = next(m for m in mail.outbox if "Your tickets" in m.subject)
    assert tickets_mail.to == ["ada@example.org"]
    assert len(_attachments(tickets_mail, ".png")) == 2
    assert all(png.startswith(b"\x89PNG") for _, png, _ in _attachments(tickets_mail, ".png"))
    assert len(_attachments(tickets_mail, ".ics")) == 1
    assert "1,199.98\u00a0USD" in tickets_mail.body and "300.00\u00a0USD" in tickets_mail.body
    receipt = next(m for m in mail.outbox if "Payment received" in m.subject)
    assert _attachments(receipt, ".pdf"), "the paid invoice comes with the receipt"
    invoice = payment.invoices.get()
    assert invoice.total == Decimal("1199.98") and invoice.buyer_name == "Analytical Engines Ltd"
    page = client.get(order.get_absolute_url()).content.decode()
    assert f"/payments/{payment.public_id}/invoice/" in page and "Download all tickets" in page


def test_acceptance_3_late_payment_after_the_seats_are_gone_is_refunded(
    client, localstripe, django_capture_on_commit_callbacks
):
    """3-D Secure finished after the hold ran out and the seats were sold: the money goes back, the page
    and one e-mail say why, and nothing says "payment received"."""
    ticket_type = TicketTypeFactory(capacity=2, price=Decimal("100.00"))
    late, payment = payable_order(ticket_type, name="Late", email="late@example.org", quantity=2)
    payment_services.payment_pay_with_card(payment=payment, token=card_token(localstripe, THREE_D_SECURE_CARD))
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REQUIRES_ACTION  # the bank asks; the buyer takes their time
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert services.orders_expire() == 1  # the hold ran out: the seats return
        place_order(ticket_type, name="Quick", email="quick@example.org", quantity=2)
        authenticate_3ds(localstripe, payment.stripe_payment_intent_id)  # the money moves now
        with django_capture_on_commit_callbacks(execute=True):
            page = client.get(payment.get_return_url()).content.decode()
    payment.refresh_from_db()
    late.refresh_from_db()
    assert "Your payment is refunded" in page and "Thank you" not in page and "payment received" not in page
    assert f"Your order {late.code} for {late.event.name} had expired before your payment arrived" in page
    assert "refunded to your card" in page
    assert payment.status == PaymentStatus.REFUNDED and payment.amount_refunded == Decimal("200.00")
    assert payment.refused_reason.startswith(f"Your order {late.code}") and not payment.invoices.exists()
    [refund] = payment.refunds.all()
    assert refund.status == "succeeded" and refund.stripe_refund_id.startswith("re_")
    assert late.status == Order.Status.EXPIRED and late.refunded_amount == 0 and late.paid_at is None
    [told] = [m for m in mail.outbox if m.to == ["late@example.org"]]
    assert told.subject == f"Your payment of {payment.amount_display} is refunded"
    assert "had expired before your payment arrived" in told.body and "refunded to your card" in told.body
    assert not [m for m in mail.outbox if "Your tickets" in m.subject or "Payment received" in m.subject]
    # Coming back to the return page later tells the same story.
    again = client.get(payment.get_return_url()).content.decode()
    assert "Your payment is refunded" in again and "Refunded" in again


def test_the_pay_page_and_the_card_form_refuse_an_expired_order(client, localstripe):
    ticket_type = TicketTypeFactory(capacity=2, price=Decimal("100.00"))
    order, payment = payable_order(ticket_type, name="Slow", email="slow@example.org")
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        page = client.get(payment.get_absolute_url()).content.decode()
        assert f"Order {order.code} expired at" in page and "nothing was charged" in page
        assert 'id="card-form"' not in page and "Start a new order" in page
        assert f'href="{ticket_type.event.get_register_url()}"' in page
        # A card posted from a page left open is refused before Stripe is asked.
        response = client.post(
            f"/payments/{payment.public_id}/card/", {"token": card_token(localstripe, GOOD_CARD)}, follow=True
        )
    assert f"Order {order.code} expired at" in response.content.decode()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CREATED and payment.stripe_payment_intent_id == ""
    assert intents_for(localstripe, payment) == []
    assert not mail.outbox


def test_a_canceled_order_cannot_be_paid(client):
    ticket_type = TicketTypeFactory(capacity=2, price=Decimal("100.00"))
    order, payment = payable_order(ticket_type, name="Gone", email="gone@example.org")
    Order.objects.filter(pk=order.pk).update(status=Order.Status.CANCELED)
    page = client.get(payment.get_absolute_url()).content.decode()
    assert f"Order {order.code} was canceled, so it can no longer be paid." in page and 'id="card-form"' not in page


def test_cancel_within_the_refund_policy_refunds_through_the_gateway(
    client, localstripe, django_capture_on_commit_callbacks
):
    ticket_type = TicketTypeFactory(capacity=1, price=Decimal("250.00"))
    order, payment = payable_order(ticket_type, name="Lin", email="lin@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        payment_services.payment_pay_with_card(payment=payment, token=card_token(localstripe, GOOD_CARD))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{order.get_absolute_url()}cancel/")
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == Order.Status.REFUNDED and order.refunded_amount == Decimal("250.00")
    assert payment.status == PaymentStatus.REFUNDED
    assert any("canceled" in m.subject for m in mail.outbox)


def test_a_payment_that_arrives_late_with_seats_still_free_is_kept(
    client, localstripe, django_capture_on_commit_callbacks
):
    ticket_type = TicketTypeFactory(capacity=5, price=Decimal("100.00"))
    order, payment = payable_order(ticket_type, name="Slow", email="slow@example.org")
    payment_services.payment_pay_with_card(payment=payment, token=card_token(localstripe, THREE_D_SECURE_CARD))
    with time_machine.travel(timezone.now() + timedelta(minutes=30)):
        services.orders_expire()
        authenticate_3ds(localstripe, Payment.objects.get().stripe_payment_intent_id)
        with django_capture_on_commit_callbacks(execute=True):
            page = client.get(payment.get_return_url()).content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert "Thank you: payment received" in page
    assert f"You are registered for {order.event.name}. Your tickets were sent to slow@example.org." in page
    assert any("Your tickets" in m.subject for m in mail.outbox)
    assert any(m.subject.startswith("Payment received") for m in mail.outbox)


def test_event_currency_free_event_never_reaches_the_gateway():
    virtual = TicketTypeFactory(event=EventFactory(currency="EUR"), price=Decimal("0"))
    order = place_order(virtual, name="Free", email="free@example.org", quantity=3)
    assert order.status == Order.Status.PAID and not Payment.objects.exists()
