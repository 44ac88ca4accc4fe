"""The one module that talks to Stripe.

Everything else sees plain dataclasses and our own errors. The API version is pinned, every call
that moves money carries an idempotency key, and the base URL comes from settings so development
and tests talk to localstripe through this same code. localstripe ignores idempotency keys and
answers in an older shape: we read only fields both have, and correctness never rests on the keys
(the caller stores the PaymentIntent id under a row lock and reads it back on retry).
"""

import json
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlsplit

import requests
import stripe
from django.conf import settings

from portal.payments.exceptions import (
    PaymentDeclined,
    PaymentError,
    PaymentServiceUnavailable,
    WebhookMalformed,
    WebhookSignatureInvalid,
)

logger = logging.getLogger(__name__)

API_VERSION = "2026-10-28.endive"  # pinned: an upgrade of the library must not change the shapes we read
MAX_NETWORK_RETRIES = 2
WEBHOOK_TOLERANCE_SECONDS = 300
# What a Stripe webhook endpoint for Guildhall subscribes to: the events that can move a payment.
WEBHOOK_EVENTS = (
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.processing",
    "payment_intent.requires_action",
    "payment_intent.canceled",
    "charge.dispute.created",
    "charge.dispute.updated",
    "charge.dispute.closed",
)
EVENT_ID_MAX_LENGTH = 100


@dataclass(frozen=True)
class IntentState:
    """What we need to know about a PaymentIntent."""

    id: str
    status: str
    amount_minor: int
    currency: str
    client_secret: str = ""
    charge_id: str = ""
    customer_id: str = ""
    error_message: str = ""
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DisputeState:
    """What we need to know about a dispute (a chargeback) from a charge.dispute.* event."""

    id: str
    status: str
    amount_minor: int
    currency: str
    reason: str
    charge_id: str
    payment_intent_id: str
    evidence_due_by: int | None


@dataclass(frozen=True)
class CardCustomer:
    customer_id: str
    card_id: str


@dataclass(frozen=True)
class RefundState:
    id: str
    status: str
    amount_minor: int


def _http_client(api_base: str) -> stripe.RequestsClient:
    """One requests session that reads the proxy settings of the environment once, here.

    By default requests reads them (and ~/.netrc) on every call: a scan of os.environ and a file
    lookup per Stripe call, on the card payment's path. NO_PROXY is honoured for Stripe's address.
    """
    session = requests.Session()
    session.trust_env = False
    proxy = requests.utils.get_environ_proxies(api_base).get(urlsplit(api_base).scheme)
    return stripe.RequestsClient(session=session, proxy=proxy or None)


@lru_cache(maxsize=8)
def _client_for(api_key: str, api_base: str) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base},
        stripe_version=API_VERSION,
        max_network_retries=MAX_NETWORK_RETRIES,
        http_client=_http_client(api_base),
    )


def _call(method: str, path: str, **params: Any) -> dict:
    """One Stripe API call, its answer as a plain dict.

    `raw_request` skips building StripeObjects that we would only turn back into dicts (half the
    library's CPU on a card payment); errors are raised as the typed calls raise them.
    """
    response = client().raw_request(method, path, **params)
    return response.data  # type: ignore[return-value]


def client() -> stripe.StripeClient:
    return _client_for(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE)


def _is_localstripe() -> bool:
    """localstripe (on loopback) refuses fields it does not know, such as return_url."""
    host = urlsplit(settings.STRIPE_API_BASE).hostname or ""
    return host in {"127.0.0.1", "localhost", "::1"}


def _translate(error: stripe.StripeError) -> PaymentError:
    """Stripe's errors become ours; the payer sees the bank's message or 'unavailable'."""
    if isinstance(error, stripe.CardError):
        json_body: dict = error.json_body if isinstance(error.json_body, dict) else {}
        body = json_body.get("error") or {}
        intent_id = _id_of(body.get("payment_intent"))
        return PaymentDeclined(error.user_message or "Your card was declined.", extra={"payment_intent": intent_id})
    if isinstance(error, stripe.APIConnectionError | stripe.RateLimitError | stripe.APIError):
        return PaymentServiceUnavailable()
    if isinstance(error, stripe.AuthenticationError | stripe.PermissionError):
        logger.error("Stripe refused our credentials: %s", error)
        return PaymentServiceUnavailable()
    if isinstance(error, stripe.InvalidRequestError):
        logger.warning("Stripe refused a request: %s", error)
        message = error.user_message or "The payment could not be processed."
        if getattr(error, "code", None) in {"card_declined", "expired_card", "incorrect_cvc", "processing_error"}:
            return PaymentDeclined(message)
        return PaymentError(message)
    logger.error("Unexpected Stripe error: %r", error)
    return PaymentServiceUnavailable()


def _id_of(value: Any) -> str:
    """Stripe returns ids or expanded objects depending on the API version; take the id either way."""
    if not value:
        return ""
    if isinstance(value, str):
        return value
    return str(getattr(value, "id", "") or (value.get("id", "") if isinstance(value, dict) else ""))


def intent_state_from(data: dict) -> IntentState:
    """Build an IntentState from a PaymentIntent as a plain dict (an API answer or an event's object)."""
    charge_id = _id_of(data.get("latest_charge"))
    if not charge_id:
        charges = (data.get("charges") or {}).get("data") or []
        succeeded = [c for c in charges if c.get("status") == "succeeded"]
        charge_id = _id_of((succeeded or charges or [None])[-1])
    error = data.get("last_payment_error") or {}
    return IntentState(
        id=data["id"],
        status=data.get("status") or "",
        amount_minor=int(data.get("amount") or 0),
        currency=(data.get("currency") or "").upper(),
        client_secret=data.get("client_secret") or "",
        charge_id=charge_id,
        customer_id=_id_of(data.get("customer")),
        error_message=(error.get("message") or "") if isinstance(error, dict) else "",
        metadata=dict(data.get("metadata") or {}),
    )


def card_customer_create(*, email: str, token: str, idempotency_key: str) -> CardCustomer:
    """Save the browser's card token on a new Customer; returns the customer and its card's id."""
    try:
        customer = _call("post", "/v1/customers", email=email, source=token, idempotency_key=idempotency_key)
    except stripe.StripeError as error:
        raise _translate(error) from error
    return CardCustomer(customer_id=customer["id"], card_id=_id_of(customer.get("default_source")))


def intent_create_and_confirm(
    *,
    amount_minor: int,
    currency: str,
    customer_id: str,
    payment_method: str,
    metadata: dict[str, str],
    idempotency_key: str,
    return_url: str = "",
) -> IntentState:
    """Create and confirm a PaymentIntent in one call (the card is given at creation: localstripe needs it).

    Stripe (API 2026-09-30 and later: dynamic payment methods, no payment_method_types) wants a
    return_url when confirming at creation; localstripe refuses the field, so it gets none.
    """
    params: dict[str, Any] = {
        "amount": amount_minor,
        "currency": currency.lower(),
        "customer": customer_id,
        "payment_method": payment_method,
        "confirm": True,
        "metadata": metadata,
    }
    if return_url and not _is_localstripe():
        params["return_url"] = return_url
    try:
        intent = _call("post", "/v1/payment_intents", **params, idempotency_key=idempotency_key)
    except stripe.StripeError as error:
        raise _translate(error) from error
    return intent_state_from(intent)


def intent_retrieve(intent_id: str) -> IntentState:
    try:
        intent = _call("get", f"/v1/payment_intents/{quote(intent_id, safe='')}")
    except stripe.StripeError as error:
        raise _translate(error) from error
    return intent_state_from(intent)


def refund_create(*, intent_id: str, amount_minor: int, idempotency_key: str) -> RefundState:
    """Refund part or all of a PaymentIntent's charge; the answer is our record (no charge.refunded event)."""
    try:
        refund = _call(
            "post", "/v1/refunds", payment_intent=intent_id, amount=amount_minor, idempotency_key=idempotency_key
        )
    except stripe.StripeError as error:
        raise _translate(error) from error
    return RefundState(id=refund["id"], status=refund.get("status") or "", amount_minor=int(refund["amount"]))


def dispute_state_from(data: dict) -> DisputeState:
    """Build a DisputeState from a Dispute as a plain dict (an event's object)."""
    due_by = (
        (data.get("evidence_details") or {}).get("due_by") if isinstance(data.get("evidence_details"), dict) else None
    )
    return DisputeState(
        id=str(data["id"]),
        status=str(data.get("status") or ""),
        amount_minor=int(data.get("amount") or 0),
        currency=str(data.get("currency") or "").upper(),
        reason=str(data.get("reason") or ""),
        charge_id=_id_of(data.get("charge")),
        payment_intent_id=_id_of(data.get("payment_intent")),
        evidence_due_by=int(due_by) if isinstance(due_by, int | float) else None,
    )


def event_construct(payload: bytes, signature_header: str | None) -> dict:
    """Verify a webhook's signature and age, then read it: returns the event as a plain dict.

    A bad signature raises WebhookSignatureInvalid; a signed body that is not an event raises
    WebhookMalformed saying what is wrong, so neither is retried by Stripe as a server error.
    """
    if not signature_header:
        raise WebhookSignatureInvalid("Missing Stripe-Signature header.")
    try:
        stripe.WebhookSignature.verify_header(
            payload, signature_header, settings.STRIPE_WEBHOOK_SECRET, tolerance=WEBHOOK_TOLERANCE_SECONDS
        )
    except (stripe.SignatureVerificationError, ValueError) as error:
        raise WebhookSignatureInvalid("Invalid webhook signature.") from error
    try:
        # What construct_event does, without building Stripe objects only to turn them back into a dict.
        event = json.loads(payload)
    except ValueError as error:  # UnicodeDecodeError is a ValueError too
        raise WebhookMalformed("Malformed webhook payload: the body is not valid JSON.") from error
    if not isinstance(event, dict):
        raise WebhookMalformed("Malformed webhook payload: the body is not a JSON object.")
    event_id = event.get("id")
    if not isinstance(event_id, str) or not event_id:
        raise WebhookMalformed("Malformed webhook event: it has no id.")
    if len(event_id) > EVENT_ID_MAX_LENGTH:
        raise WebhookMalformed(f"Malformed webhook event: its id is longer than {EVENT_ID_MAX_LENGTH} characters.")
    if not isinstance(event.get("type"), str) or not event["type"]:
        raise WebhookMalformed("Malformed webhook event: it has no type.")
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise WebhookMalformed("Malformed webhook event: data.object is not an object.")
    return event
