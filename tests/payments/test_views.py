"""The pay page, its return page and the webhook endpoint, through the Django test client."""

import json
import time
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup

from portal.payments import services
from portal.payments.models import Payment, PaymentStatus, StripeEvent
from tests.conftest import free_port
from tests.payments.conftest import (
    DECLINED_CARD,
    GOOD_CARD,
    THREE_D_SECURE_CARD,
    authenticate_3ds,
    card_token,
    intent_event,
    ls_request,
    sign,
)
from tests.payments.factories import OwnerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.localstripe]
S = PaymentStatus
WEBHOOK = "/payments/stripe/webhook/"


@pytest.fixture
def payment(fulfilments):
    owner = OwnerFactory()
    return services.payment_create(
        owner=owner, amount=Decimal("250.00"), currency="EUR", payer_email=owner.email, description="Summit ticket"
    )


def _messages(response) -> list[str]:
    soup = BeautifulSoup(response.content, "html.parser")
    return [p.get_text(strip=True) for p in soup.select(".message")]


def test_pay_page_loads_stripe_js_by_url_with_config_in_data_attributes(client, localstripe, payment, settings):
    response = client.get(payment.get_absolute_url())
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.h1.get_text(strip=True) == "Payment"
    assert "250.00 EUR" in soup.get_text()
    scripts = soup.find_all("script")
    assert [s.get("src") for s in scripts] == [settings.STRIPE_JS_URL, "/static/js/payments.js"]
    assert all(not s.string for s in scripts), "no inline script"
    form = soup.find("form", id="card-form")
    assert form["data-stripe-key"] == settings.STRIPE_PUBLISHABLE_KEY
    assert form["action"] == f"/payments/{payment.public_id}/card/"
    assert not soup.select("[style]")


def test_unknown_payment_is_404(client):
    assert client.get("/payments/not-a-real-id/").status_code == 404


def test_paying_with_a_token_ends_on_a_paid_return_page(client, localstripe, payment, fulfilments):
    response = client.post(f"/payments/{payment.public_id}/card/", {"token": card_token(localstripe, GOOD_CARD)})
    assert response.status_code == 302 and response["Location"] == payment.get_return_url()
    page = client.get(response["Location"])
    assert "Thank you: payment received" in page.content.decode()
    payment.refresh_from_db()
    assert payment.status == S.SUCCEEDED
    assert fulfilments.succeeded == [payment.pk]


def test_declined_card_shows_the_banks_message_and_a_retry_succeeds(client, localstripe, payment, fulfilments):
    response = client.post(
        f"/payments/{payment.public_id}/card/", {"token": card_token(localstripe, DECLINED_CARD)}, follow=True
    )
    assert "Your card was declined." in _messages(response)
    assert b"Try again" in response.content
    payment.refresh_from_db()
    assert payment.status == S.FAILED
    retried = client.post(f"/payments/{payment.public_id}/retry/")
    new_payment = Payment.objects.exclude(pk=payment.pk).get()
    assert retried["Location"] == new_payment.get_absolute_url()
    client.post(f"/payments/{new_payment.public_id}/card/", {"token": card_token(localstripe, GOOD_CARD)})
    new_payment.refresh_from_db()
    assert new_payment.status == S.SUCCEEDED
    assert fulfilments.succeeded == [new_payment.pk]


def test_three_d_secure_hands_the_client_secret_to_the_browser(client, localstripe, payment, fulfilments):
    response = client.post(
        f"/payments/{payment.public_id}/card/", {"token": card_token(localstripe, THREE_D_SECURE_CARD)}
    )
    assert response["Location"] == payment.get_absolute_url()
    page = BeautifulSoup(client.get(payment.get_absolute_url()).content, "html.parser")
    auth = page.find(id="card-authentication")
    payment.refresh_from_db()
    assert auth["data-client-secret"].startswith(f"{payment.stripe_payment_intent_id}_secret_")
    assert auth["data-return-url"] == payment.get_return_url()
    # The browser's word is not taken: the return page asks Stripe.
    authenticate_3ds(localstripe, payment.stripe_payment_intent_id)
    page = client.get(payment.get_return_url())
    assert "Thank you: payment received" in page.content.decode()
    assert fulfilments.succeeded == [payment.pk]


def test_return_page_shows_the_ledger_not_the_browser(client, payment):
    response = client.get(payment.get_return_url() + "?redirect_status=succeeded")
    assert "Not paid yet" in response.content.decode()


def test_stripe_unreachable_shows_a_clear_message(client, settings, payment, fulfilments):
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{free_port()}"
    response = client.post(f"/payments/{payment.public_id}/card/", {"token": "tok_whatever"}, follow=True)
    assert "The payment service is unavailable, please try again in a few minutes." in _messages(response)
    payment.refresh_from_db()
    assert payment.status == S.CREATED
    assert fulfilments.succeeded == []


def test_pay_page_query_budget(client, payment, django_assert_max_num_queries):
    client.get(payment.get_absolute_url())  # warm the site chrome's caches (settings, footer links)
    with django_assert_max_num_queries(6):
        client.get(payment.get_absolute_url())


# --- webhook ---------------------------------------------------------------------------------


def _event_body(payment_intent: str = "pi_unknown") -> bytes:
    return intent_event(
        {"id": payment_intent, "status": "succeeded", "amount": 100}, event_type="payment_intent.succeeded"
    )


@pytest.mark.parametrize(
    "header",
    [
        None,
        "t=1,v1=deadbeef",
        "forged",
        pytest.param("wrong-secret", id="signed-with-another-secret"),
        pytest.param("stale", id="older-than-five-minutes"),
    ],
)
def test_webhook_without_a_valid_signature_is_400_and_stores_nothing(client, header):
    body = _event_body()
    if header == "wrong-secret":
        header = sign(body, secret="whsec_someone_else")
    elif header == "stale":
        header = sign(body, timestamp=int(time.time()) - 3600)
    elif header == "forged":
        header = sign(body.replace(b"pi_unknown", b"pi_forged"))  # a signature for another body
    extra = {"HTTP_STRIPE_SIGNATURE": header} if header else {}
    response = client.post(WEBHOOK, body, content_type="application/json", **extra)
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_same_event_three_times_in_sequence_applies_once(
    client, localstripe, payment, fulfilments, django_capture_on_commit_callbacks
):
    payment = services.payment_pay_with_card(payment=payment, token=card_token(localstripe, THREE_D_SECURE_CARD))
    authenticate_3ds(localstripe, payment.stripe_payment_intent_id)
    intent = ls_request(localstripe["url"], "GET", f"/v1/payment_intents/{payment.stripe_payment_intent_id}")
    body = intent_event(intent, event_type="payment_intent.succeeded", event_id="evt_three_times")
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client.post(WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(body))
        assert response.status_code == 200
    assert len(callbacks) == 0, "a repeat enqueues nothing"
    assert StripeEvent.objects.filter(event_id="evt_three_times").count() == 1
    payment.refresh_from_db()
    assert payment.status == S.SUCCEEDED
    assert fulfilments.succeeded == [payment.pk]
    event = StripeEvent.objects.get()
    assert event.processed_at is not None and event.payment == payment
    assert json.loads(body)["id"] == event.payload["id"]
