"""Paying, end to end: browser-equivalent calls, localstripe, its webhook to the live server, tasks."""

import threading
import time
import urllib.error
import urllib.request
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from portal.payments import services, tasks
from portal.payments.models import Payment, PaymentStatus, StripeEvent
from tests.concurrency import run_at_once
from tests.payments.conftest import (
    GOOD_CARD,
    THREE_D_SECURE_CARD,
    authenticate_3ds,
    card_token,
    intent_event,
    intents_for,
    ls_request,
    sign,
    wait_for,
)
from tests.payments.factories import OwnerFactory

pytestmark = [pytest.mark.localstripe]
S = PaymentStatus


def _payment(amount: str = "180.00") -> Payment:
    owner = OwnerFactory()
    return services.payment_create(
        owner=owner, amount=Decimal(amount), currency="EUR", payer_email=owner.email, description="Summit pass"
    )


def _status(payment: Payment) -> str:
    payment.refresh_from_db()
    return payment.status


@pytest.mark.django_db(transaction=True)
def test_1_card_payment_succeeds_through_the_webhook_and_fulfils_once(localstripe, stripe_webhook, fulfilments):
    payment = _payment()
    browser = Client()
    # Stripe.js: the card becomes a token at Stripe; our page posts the token to our server.
    response = browser.post(
        f"/payments/{payment.public_id}/card/", {"token": card_token(localstripe, THREE_D_SECURE_CARD)}
    )
    assert response["Location"] == payment.get_absolute_url()
    assert _status(payment) == S.REQUIRES_ACTION
    # confirmCardPayment: the payer completes 3-D Secure at Stripe. Our server is not asked;
    # localstripe's payment_intent.succeeded webhook (to the live server, then the task) must record it.
    authenticate_3ds(localstripe, payment.stripe_payment_intent_id)
    assert wait_for(lambda: _status(payment) == S.SUCCEEDED), "the webhook did not settle the payment"
    event = StripeEvent.objects.get(type="payment_intent.succeeded", payment=payment)
    assert event.processed_at is not None
    assert fulfilments.succeeded == [payment.pk]
    # The return page shows the ledger's truth.
    assert "Thank you: payment received" in browser.get(payment.get_return_url()).content.decode()


@pytest.mark.django_db(transaction=True)
def test_1_immediate_success_and_its_late_webhook_fulfil_once(localstripe, stripe_webhook, fulfilments):
    payment = _payment()
    Client().post(f"/payments/{payment.public_id}/card/", {"token": card_token(localstripe, GOOD_CARD)})
    assert _status(payment) == S.SUCCEEDED
    assert wait_for(lambda: StripeEvent.objects.filter(payment=payment, processed_at__isnull=False).exists())
    assert fulfilments.succeeded == [payment.pk]


def _post_webhook(url: str, body: bytes, header: str) -> int:
    request = urllib.request.Request(  # noqa: S310 - the live test server
        url, data=body, method="POST", headers={"Content-Type": "application/json", "Stripe-Signature": header}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_2_same_event_from_concurrent_threads_applies_once(localstripe, live_server, fulfilments):
    payment = services.payment_pay_with_card(payment=_payment(), token=card_token(localstripe, THREE_D_SECURE_CARD))
    authenticate_3ds(localstripe, payment.stripe_payment_intent_id)
    intent = ls_request(localstripe["url"], "GET", f"/v1/payment_intents/{payment.stripe_payment_intent_id}")
    body = intent_event(intent, event_type="payment_intent.succeeded", event_id="evt_concurrent")
    url = f"{live_server.url}/payments/stripe/webhook/"
    threads_count = 12
    barrier = threading.Barrier(threads_count)
    statuses: list[int] = []

    def deliver():
        barrier.wait()
        statuses.append(_post_webhook(url, body, sign(body)))

    threads = [threading.Thread(target=deliver) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert statuses == [200] * threads_count
    assert StripeEvent.objects.filter(event_id="evt_concurrent").count() == 1
    assert _status(payment) == S.SUCCEEDED
    assert fulfilments.succeeded == [payment.pk]
    assert StripeEvent.objects.get(event_id="evt_concurrent").processed_at is not None


@pytest.mark.django_db(transaction=True)
def test_2_same_event_three_times_over_http_applies_once_and_bad_signatures_store_nothing(
    localstripe, live_server, fulfilments
):
    payment = services.payment_pay_with_card(payment=_payment(), token=card_token(localstripe, THREE_D_SECURE_CARD))
    authenticate_3ds(localstripe, payment.stripe_payment_intent_id)
    intent = ls_request(localstripe["url"], "GET", f"/v1/payment_intents/{payment.stripe_payment_intent_id}")
    body = intent_event(intent, event_type="payment_intent.succeeded", event_id="evt_sequence")
    url = f"{live_server.url}/payments/stripe/webhook/"
    assert _post_webhook(url, body, "t=1,v1=00") == 400
    assert _post_webhook(url, body, sign(body, secret="whsec_forged")) == 400
    assert _post_webhook(url, body, sign(body, timestamp=1_600_000_000)) == 400
    assert not StripeEvent.objects.filter(event_id="evt_sequence").exists()
    assert _status(payment) == S.REQUIRES_ACTION
    assert [_post_webhook(url, body, sign(body)) for _ in range(3)] == [200, 200, 200]
    assert StripeEvent.objects.filter(event_id="evt_sequence").count() == 1
    assert _status(payment) == S.SUCCEEDED
    assert fulfilments.succeeded == [payment.pk]


@pytest.mark.django_db(transaction=True)
def test_3_declined_then_retry_succeeds_and_nothing_is_fulfilled_twice(localstripe, stripe_webhook, fulfilments):
    from tests.payments.conftest import DECLINED_CARD

    payment = _payment()
    browser = Client()
    page = browser.post(
        f"/payments/{payment.public_id}/card/", {"token": card_token(localstripe, DECLINED_CARD)}, follow=True
    )
    assert "Your card was declined." in page.content.decode()
    assert _status(payment) == S.FAILED
    retry = browser.post(f"/payments/{payment.public_id}/retry/")
    new_payment = Payment.objects.get(public_id=retry["Location"].strip("/").split("/")[-1])
    browser.post(f"/payments/{new_payment.public_id}/card/", {"token": card_token(localstripe, GOOD_CARD)})
    assert _status(new_payment) == S.SUCCEEDED
    # Let localstripe's webhooks for both attempts arrive and be applied.
    assert wait_for(lambda: StripeEvent.objects.filter(payment=new_payment, processed_at__isnull=False).exists())
    wait_for(lambda: StripeEvent.objects.filter(type="payment_intent.payment_failed").exists(), timeout=3)
    assert _status(payment) == S.FAILED
    assert fulfilments.succeeded == [new_payment.pk]


@pytest.mark.django_db(transaction=True)
def test_4_two_concurrent_pay_submissions_create_one_payment_intent(localstripe, fulfilments):
    payment = _payment()
    tokens = [card_token(localstripe, GOOD_CARD) for _ in range(2)]

    def submit(token: str) -> str:
        return Client().post(f"/payments/{payment.public_id}/card/", {"token": token})["Location"]

    locations = run_at_once(submit, [(token,) for token in tokens])
    assert locations == [payment.get_return_url()] * 2
    assert len(intents_for(localstripe, payment)) == 1  # counted on localstripe itself
    assert _status(payment) == S.SUCCEEDED
    assert fulfilments.succeeded == [payment.pk]


@pytest.mark.django_db(transaction=True)
def test_5_a_payment_whose_webhook_never_arrives_is_settled_by_reconciliation(localstripe, fulfilments):
    # No webhook is registered: localstripe's events go nowhere, as when a delivery is lost.
    payment = services.payment_pay_with_card(payment=_payment(), token=card_token(localstripe, THREE_D_SECURE_CARD))
    authenticate_3ds(localstripe, payment.stripe_payment_intent_id)
    time.sleep(2)  # longer than localstripe's delivery delay: had a webhook been sent, it would be here
    assert tasks.reconcile_payments.apply().result == 0, "too recent to reconcile yet"
    assert _status(payment) == S.REQUIRES_ACTION
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert tasks.reconcile_payments.apply().result == 1
    assert _status(payment) == S.SUCCEEDED
    assert fulfilments.succeeded == [payment.pk]
    with time_machine.travel(timezone.now() + timedelta(minutes=30)):
        assert tasks.reconcile_payments.apply().result == 0
    assert fulfilments.succeeded == [payment.pk]


def test_5_reconciliation_runs_every_fifteen_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["payments-reconcile"]
    assert entry["task"] == tasks.reconcile_payments.name
    assert entry["schedule"] == 15 * 60
