"""Writes of the API's own data: tokens for tools, webhook subscriptions, deliveries and attempts."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from datetime import timedelta
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from portal.api.exceptions import AlreadyRevoked, DeliveryFailed, InvalidWebhook
from portal.api.models import (
    TOKEN_PREFIX_LENGTH,
    ApiToken,
    DeliveryStatus,
    Scope,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
    hash_secret,
)
from portal.api.tasks import deliver_webhook
from portal.core.audit import audit
from portal.core.tasking import enqueue_on_commit

TOKEN_MARK = "gh_"  # noqa: S105 - the visible mark of our tokens, not a secret
# last_used_at is written at most this often per token, so a busy tool costs no extra writes.
LAST_USED_RESOLUTION = timedelta(minutes=1)
SIGNATURE_HEADER = "Guildhall-Signature"


# --- Tokens ---------------------------------------------------------------------------------


def _clean_scopes(scopes) -> list[str]:
    unknown = set(scopes) - set(Scope.values)
    if unknown:
        raise InvalidWebhook(f"Unknown scopes: {', '.join(sorted(unknown))}.", code="invalid_scope")
    return [scope for scope in Scope.values if scope in set(scopes)]


def api_token_create(*, name: str, scopes: list[str], actor) -> tuple[ApiToken, str]:
    """Issue a token; returns it with its secret, which is shown once and never stored."""
    scopes = _clean_scopes(scopes)
    with transaction.atomic():
        while True:
            prefix = secrets.token_hex(TOKEN_PREFIX_LENGTH // 2)
            if not ApiToken.objects.filter(prefix=prefix).exists():
                break
        secret = f"{TOKEN_MARK}{prefix}_{secrets.token_urlsafe(32)}"
        token = ApiToken.objects.create(
            name=name.strip(),
            scopes=scopes,
            prefix=prefix,
            secret_hash=hash_secret(secret),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit("api.token.create", token, actor=actor, data={"name": token.name, "scopes": scopes})
    return token, secret


def api_token_update(*, token: ApiToken, name: str, scopes: list[str], actor) -> ApiToken:
    """Rename a token or change its scopes; the secret stays the same."""
    scopes = _clean_scopes(scopes)
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        before = {"name": token.name, "scopes": token.scopes}
        token.name, token.scopes = name.strip(), scopes
        token.save(update_fields=["name", "scopes"])
        audit(
            "api.token.update", token, actor=actor, data={"before": before, "after": {"name": name, "scopes": scopes}}
        )
    return token


def api_token_revoke(*, token: ApiToken, actor) -> ApiToken:
    """Refuse the token from now on; a revoked token stays listed, for the record."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            raise AlreadyRevoked(f"{token} was already revoked.")
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit("api.token.revoke", token, actor=actor, data={"name": token.name})
    return token


def api_token_authenticate(secret: str) -> ApiToken | None:
    """The live token for this secret, or None (unknown, malformed or revoked)."""
    if not secret.startswith(TOKEN_MARK):
        return None
    prefix = secret[len(TOKEN_MARK) : len(TOKEN_MARK) + TOKEN_PREFIX_LENGTH]
    token = ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True).first()
    if token is None or not hmac.compare_digest(token.secret_hash, hash_secret(secret)):
        return None
    return token


def api_token_touch(*, token: ApiToken, now=None) -> None:
    """Record use, at most once per LAST_USED_RESOLUTION (no audit: this is not a person's change)."""
    now = now or timezone.now()
    cutoff = now - LAST_USED_RESOLUTION
    if token.last_used_at is not None and token.last_used_at > cutoff:
        return
    ApiToken.objects.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=cutoff), pk=token.pk).update(
        last_used_at=now
    )
    token.last_used_at = now


# --- Webhooks -------------------------------------------------------------------------------

_url_validator = URLValidator(schemes=["http", "https"])


def _clean_subscription(*, url: str, event_types: list[str]) -> list[str]:
    try:
        _url_validator(url)
    except ValidationError:
        raise InvalidWebhook("The target must be an http or https URL.", code="invalid_url") from None
    unknown = set(event_types) - set(WebhookEvent.values)
    if unknown or not event_types:
        raise InvalidWebhook("Choose at least one known event type.", code="invalid_event_type")
    return [kind for kind in WebhookEvent.values if kind in set(event_types)]


def webhook_subscription_create(
    *, name: str, url: str, event_types: list[str], actor, secret: str = "", is_active: bool = True
) -> WebhookSubscription:
    """Register a target for some event types; an empty secret gets a random one."""
    event_types = _clean_subscription(url=url, event_types=event_types)
    with transaction.atomic():
        subscription = WebhookSubscription.objects.create(
            name=name.strip(),
            url=url,
            secret=secret or f"whsec_{secrets.token_urlsafe(24)}",
            event_types=event_types,
            is_active=is_active,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit("api.webhook.create", subscription, actor=actor, data={"url": url, "event_types": event_types})
    return subscription


def webhook_subscription_update(
    *,
    subscription: WebhookSubscription,
    name: str,
    url: str,
    event_types: list[str],
    secret: str,
    is_active: bool,
    actor,
) -> WebhookSubscription:
    event_types = _clean_subscription(url=url, event_types=event_types)
    with transaction.atomic():
        subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        subscription.name, subscription.url, subscription.event_types = name.strip(), url, event_types
        subscription.secret = secret or subscription.secret
        subscription.is_active = is_active
        subscription.save()
        audit(
            "api.webhook.update",
            subscription,
            actor=actor,
            data={"url": url, "event_types": event_types, "is_active": is_active},
        )
    return subscription


def webhook_dispatch(*, event_type: str, payload: dict[str, Any]) -> list[WebhookDelivery]:
    """Queue `payload` for every active subscription to `event_type`; each is POSTed after commit.

    Call it from the service that made the change, inside its transaction: a rollback sends nothing.
    """
    if event_type not in WebhookEvent.values:
        raise InvalidWebhook(f"Unknown webhook event type {event_type!r}.", code="invalid_event_type")
    # JSON-safe now (dates, Decimals, UUIDs), so what is stored is exactly what is sent.
    payload = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))

    deliveries = []
    with transaction.atomic():
        for subscription in WebhookSubscription.objects.filter(is_active=True):
            if event_type not in subscription.event_types:
                continue  # JSON containment lookups differ between SQLite and PostgreSQL; the list is short
            delivery = WebhookDelivery.objects.create(subscription=subscription, event_type=event_type, payload=payload)
            # Through the outbox: neither a broker outage nor a failing target breaks the change that
            # triggered the event; a failed attempt is retried by the worker (webhook_deliveries_retry).
            enqueue_on_commit(deliver_webhook, delivery.pk)
            deliveries.append(delivery)
    return deliveries


def webhook_body(delivery: WebhookDelivery) -> bytes:
    """The exact bytes POSTed: the event, its id and the payload."""
    envelope = {
        "id": delivery.pk,
        "type": delivery.event_type,
        "created": int(delivery.created_at.timestamp()),
        "data": delivery.payload,
    }
    return json.dumps(envelope, separators=(",", ":"), sort_keys=True).encode()


def webhook_signature(*, secret: str, body: bytes, timestamp: int) -> str:
    """`t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`, as in Guildhall-Signature."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def webhook_signature_verify(*, secret: str, body: bytes, header: str, tolerance: int = 300, now=None) -> bool:
    """What a receiver does: recompute the HMAC and refuse stale timestamps (replays)."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    now = int(now if now is not None else time.time())
    if abs(now - timestamp) > tolerance:
        return False
    expected = webhook_signature(secret=secret, body=body, timestamp=timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def webhook_retry_delay(attempts: int) -> timedelta:
    """The wait after a delivery's `attempts`-th failure: doubling from WEBHOOK_RETRY_BACKOFF_SECONDS, at most 6 hours."""
    first = settings.WEBHOOK_RETRY_BACKOFF_SECONDS
    return timedelta(seconds=min(6 * 60 * 60, first * 2 ** max(0, attempts - 1)))


def webhook_delivery_attempt(*, delivery: WebhookDelivery) -> WebhookAttempt | None:
    """POST one delivery once and log the attempt; raises DeliveryFailed unless the target said 2xx.

    A failure schedules the next attempt in the row (`next_attempt_at`, picked up by
    webhook_deliveries_retry), not in the broker; after WEBHOOK_MAX_RETRIES retries the delivery is failed.
    """
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().select_related("subscription").get(pk=delivery.pk)
        if delivery.status == DeliveryStatus.DELIVERED:
            return delivery.attempt_log.order_by("-number").first()  # a duplicate task run: nothing to do
        WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=F("attempts") + 1)
        delivery.refresh_from_db(fields=["attempts"])
    subscription = delivery.subscription
    body = webhook_body(delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Guildhall-Webhooks/1",
        "Guildhall-Event": delivery.event_type,
        "Guildhall-Delivery": str(delivery.pk),
        SIGNATURE_HEADER: webhook_signature(secret=subscription.secret, body=body, timestamp=int(time.time())),
    }
    started = time.monotonic()
    code, error = None, ""
    try:
        response = requests.post(
            subscription.url,
            data=body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
        code = response.status_code
        if not 200 <= code < 300:
            error = f"HTTP {code}: {response.text[:500]}"
    except requests.RequestException as exc:
        error = f"{type(exc).__name__}: {exc}"[:1000]
    ok = not error
    with transaction.atomic():
        attempt = WebhookAttempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            ok=ok,
            response_code=code,
            error=error,
            duration_ms=int((time.monotonic() - started) * 1000),
        )
        if ok:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                status=DeliveryStatus.DELIVERED, delivered_at=attempt.attempted_at, next_attempt_at=None
            )
        elif delivery.attempts > settings.WEBHOOK_MAX_RETRIES:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, next_attempt_at=None)
        else:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                next_attempt_at=attempt.attempted_at + webhook_retry_delay(delivery.attempts)
            )
    if not ok:
        raise DeliveryFailed(error)
    return attempt


def webhook_delivery_replay(*, delivery: WebhookDelivery, actor) -> WebhookDelivery:
    """Send a delivery again (failed, or delivered and wanted again); attempts continue their count."""

    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        delivery.status = DeliveryStatus.PENDING
        delivery.delivered_at = None
        delivery.next_attempt_at = None
        delivery.save(update_fields=["status", "delivered_at", "next_attempt_at"])
        audit("api.webhook.replay", delivery, actor=actor, data={"event_type": delivery.event_type})
        enqueue_on_commit(deliver_webhook, delivery.pk)
    return delivery


def webhook_deliveries_retry(*, now=None) -> int:
    """Beat, every minute: queue again each pending delivery whose next attempt is due. Returns how many."""
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
    count = 0
    for delivery_id in due.values_list("pk", flat=True)[:500]:
        with transaction.atomic():
            # Claimed by clearing the time: a second beat (or a slow one) does not queue it twice.
            if WebhookDelivery.objects.filter(pk=delivery_id, next_attempt_at__lte=now).update(next_attempt_at=None):
                enqueue_on_commit(deliver_webhook, delivery_id)
                count += 1
    return count
