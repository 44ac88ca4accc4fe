"""Payment test harness: a registered owner type, Stripe.js-equivalent calls and signed events."""

import hashlib
import hmac
import json
import threading
import time
import urllib.parse
import urllib.request

import pytest
from django.conf import settings

from portal.payments import registry

OWNER_LABEL = "portal.User"
GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000341"
THREE_D_SECURE_CARD = "4000002500003155"


class Fulfilments:
    """Records the registry's calls, as a domain app's handlers would act on them."""

    def __init__(self):
        self.succeeded: list[int] = []
        self.refunded: list[tuple[int, str]] = []
        self._lock = threading.Lock()

    def on_succeeded(self, payment):
        with self._lock:
            self.succeeded.append(payment.pk)

    def on_refunded(self, payment, amount):
        with self._lock:
            self.refunded.append((payment.pk, str(amount)))


@pytest.fixture
def fulfilments():
    recorder = Fulfilments()
    registry.register(OWNER_LABEL, on_succeeded=recorder.on_succeeded, on_refunded=recorder.on_refunded)
    yield recorder
    registry.unregister(OWNER_LABEL)


def ls_request(base: str, method: str, path: str, data: dict | None = None, key: str | None = None) -> dict:
    body = urllib.parse.urlencode(data or {}, doseq=True).encode() if data is not None else None
    request = urllib.request.Request(f"{base}{path}", data=body, method=method)  # noqa: S310
    request.add_header("Authorization", f"Bearer {key or settings.STRIPE_SECRET_KEY}")
    if body is not None:
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
    with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310 - loopback localstripe
        raw = response.read()
    return json.loads(raw) if raw else {}


def card_token(localstripe: dict, number: str = GOOD_CARD) -> str:
    """What Stripe.js's createToken does in the browser: the card goes to Stripe, never to us."""
    token = ls_request(
        localstripe["url"],
        "POST",
        "/v1/tokens",
        {
            "card[number]": number,
            "card[exp_month]": "12",
            "card[exp_year]": "2034",
            "card[cvc]": "123",
            "key": settings.STRIPE_PUBLISHABLE_KEY,
            "payment_user_agent": "localstripe",
        },
        key=settings.STRIPE_PUBLISHABLE_KEY,
    )
    return token["id"]


def authenticate_3ds(localstripe: dict, intent_id: str, *, success: bool = True) -> dict:
    """What confirmCardPayment does when the payer completes (or fails) 3-D Secure."""
    intent = ls_request(localstripe["url"], "GET", f"/v1/payment_intents/{intent_id}")
    path = f"/v1/payment_intents/{intent_id}/_authenticate?success={'true' if success else 'false'}"
    return ls_request(
        localstripe["url"],
        "POST",
        path,
        {"key": settings.STRIPE_PUBLISHABLE_KEY, "client_secret": intent["client_secret"]},
    )


def intents_for(localstripe: dict, payment) -> list[dict]:
    """The PaymentIntents localstripe holds for one of our payments (by our metadata)."""
    listing = ls_request(localstripe["url"], "GET", "/v1/payment_intents?limit=100")
    return [i for i in listing["data"] if (i.get("metadata") or {}).get("guildhall_payment") == payment.public_id]


def sign(payload: bytes, *, secret: str | None = None, timestamp: int | None = None) -> str:
    """A Stripe-Signature header as Stripe computes it."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    secret = secret or settings.STRIPE_WEBHOOK_SECRET
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def intent_event(intent: dict, *, event_type: str, event_id: str = "evt_test_1") -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": event_type,
            "created": int(time.time()),
            "livemode": False,
            "data": {"object": intent},
        }
    ).encode()


@pytest.fixture
def stripe_webhook(localstripe, live_server, settings):
    """localstripe delivers its events to the live test server; switched off again afterwards."""
    base = localstripe["url"]
    secret = settings.STRIPE_WEBHOOK_SECRET
    ls_request(
        base,
        "POST",
        "/_config/webhooks/guildhall-tests",
        {"url": f"{live_server.url}/payments/stripe/webhook/", "secret": secret},
    )
    yield live_server
    # localstripe cannot forget a webhook: narrow it to an event type that never happens.
    ls_request(
        base,
        "POST",
        "/_config/webhooks/guildhall-tests",
        {"url": f"{live_server.url}/payments/stripe/webhook/", "secret": secret, "events[]": ["guildhall.never"]},
    )


def wait_for(predicate, timeout: float = 15.0, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()
