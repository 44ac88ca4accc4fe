"""Outbound webhooks: signed, retried with backoff until delivered, every attempt logged, replayable."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from portal.api import services
from portal.api.exceptions import InvalidWebhook
from portal.api.models import DeliveryStatus, WebhookDelivery
from tests.accounts.factories import UserFactory
from tests.http_stubs import Receiver

pytestmark = pytest.mark.django_db(transaction=False)

SECRET = "whsec_test_secret"


def _subscribe(url, events=("project.updated",), **fields):
    return services.webhook_subscription_create(
        name="Landscape", url=url, event_types=list(events), secret=SECRET, actor=None, **fields
    )


def _later(**delta):
    return timezone.now() + timedelta(**delta)


def _retry_due(capture, *, hours=7):
    """What beat does each minute, as if `hours` had passed: every due delivery is sent again."""
    with capture(execute=True):
        return services.webhook_deliveries_retry(now=_later(hours=hours))


def test_a_webhook_that_fails_twice_is_delivered_on_the_third_try_and_its_signature_verifies(
    django_capture_on_commit_callbacks,
):
    with Receiver(failures=2) as receiver:
        subscription = _subscribe(receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            (delivery,) = services.webhook_dispatch(
                event_type="project.updated", payload={"slug": "zuul", "name": "Zuul"}
            )
        assert len(receiver.received) == 1
        assert services.webhook_deliveries_retry() == 0, "the next attempt waits for its time"
        _retry_due(django_capture_on_commit_callbacks)
        _retry_due(django_capture_on_commit_callbacks)
    assert len(receiver.received) == 3
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 3
    attempts = list(delivery.attempt_log.values_list("number", "ok", "response_code"))
    assert attempts == [(1, False, 503), (2, False, 503), (3, True, 200)]
    assert "HTTP 503" in delivery.attempt_log.get(number=1).error

    headers, body = receiver.received[-1]
    assert headers["Content-Type"] == "application/json"
    assert headers["Guildhall-Event"] == "project.updated"
    assert headers["Guildhall-Delivery"] == str(delivery.pk)
    signature = headers["Guildhall-Signature"]
    assert services.webhook_signature_verify(secret=subscription.secret, body=body, header=signature)
    assert not services.webhook_signature_verify(secret="another", body=body, header=signature)
    assert not services.webhook_signature_verify(secret=SECRET, body=body + b" ", header=signature)
    # Verified by hand, as a receiver in another language would.
    import hashlib
    import hmac

    parts = dict(item.split("=", 1) for item in signature.split(","))
    expected = hmac.new(SECRET.encode(), parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    assert parts["v1"] == expected
    assert json.loads(body) == {
        "id": delivery.pk,
        "type": "project.updated",
        "created": int(delivery.created_at.timestamp()),
        "data": {"slug": "zuul", "name": "Zuul"},
    }


def test_retries_back_off_exponentially_and_wait_in_the_database(django_capture_on_commit_callbacks, settings):
    with Receiver(failures=100) as receiver:
        _subscribe(receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            (delivery,) = services.webhook_dispatch(event_type="project.updated", payload={})
        waits = []
        for _ in range(3):
            delivery.refresh_from_db()
            waits.append(delivery.next_attempt_at - delivery.attempt_log.last().attempted_at)
            _retry_due(django_capture_on_commit_callbacks)
    first = timedelta(seconds=settings.WEBHOOK_RETRY_BACKOFF_SECONDS)
    assert waits == [first, 2 * first, 4 * first]
    assert delivery.status == DeliveryStatus.PENDING


def test_a_delivery_that_never_succeeds_is_marked_failed_and_can_be_replayed(
    django_capture_on_commit_callbacks, settings
):
    with Receiver(failures=100) as receiver:
        _subscribe(receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            (delivery,) = services.webhook_dispatch(event_type="project.updated", payload={"slug": "zuul"})
        while _retry_due(django_capture_on_commit_callbacks):
            pass
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.FAILED
        assert delivery.attempts == settings.WEBHOOK_MAX_RETRIES + 1
        receiver.failures = 0
        staff = UserFactory(is_superuser=True)
        with django_capture_on_commit_callbacks(execute=True):
            services.webhook_delivery_replay(delivery=delivery, actor=staff)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempt_log.last().ok


def test_an_unreachable_target_is_logged_as_an_error(django_capture_on_commit_callbacks, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    with Receiver() as receiver:
        url = receiver.url
    _subscribe(url)  # the server is gone: connection refused
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = services.webhook_dispatch(event_type="project.updated", payload={})
    attempt = WebhookDelivery.objects.get(pk=delivery.pk).attempt_log.first()
    assert attempt.response_code is None and "ConnectionError" in attempt.error


def test_only_active_subscriptions_to_the_event_type_get_a_delivery(django_capture_on_commit_callbacks):
    _subscribe("https://a.example/hook", events=("member.joined",))
    _subscribe("https://b.example/hook", events=("member.joined",), is_active=False)
    _subscribe("https://c.example/hook", events=("project.updated",))
    deliveries = services.webhook_dispatch(event_type="member.joined", payload={"slug": "acme"})
    assert [d.subscription.url for d in deliveries] == ["https://a.example/hook"]
    with pytest.raises(InvalidWebhook):
        services.webhook_dispatch(event_type="member.exploded", payload={})


@pytest.mark.parametrize("url", ["ftp://example.org/hook", "file:///etc/passwd", "javascript:alert(1)", "not a url"])
def test_target_urls_must_be_http_or_https(url):
    with pytest.raises(InvalidWebhook, match="http or https"):
        _subscribe(url)


def test_a_rolled_back_change_sends_nothing(django_capture_on_commit_callbacks):
    from django.db import transaction

    _subscribe("https://a.example/hook")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        try:
            with transaction.atomic():
                services.webhook_dispatch(event_type="project.updated", payload={})
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not WebhookDelivery.objects.exists()


def test_a_stale_signature_is_refused():
    body = b"{}"
    header = services.webhook_signature(secret=SECRET, body=body, timestamp=1_000_000)
    assert services.webhook_signature_verify(secret=SECRET, body=body, header=header, now=1_000_100)
    assert not services.webhook_signature_verify(secret=SECRET, body=body, header=header, now=1_000_000 + 3600)
    assert not services.webhook_signature_verify(secret=SECRET, body=body, header="garbage")


def test_publishing_a_project_page_sends_project_updated(site_with_home, django_capture_on_commit_callbacks):
    from tests.portal import factories as pages

    index = pages.project_index(site_with_home)
    zuul = pages.project(index, 1, title="Zuul", slug="zuul")
    _subscribe("https://landscape.example/hook")
    zuul.tagline = "Stop merging broken code"
    with django_capture_on_commit_callbacks(execute=False):
        zuul.save_revision().publish()
    (delivery,) = WebhookDelivery.objects.filter(event_type="project.updated")
    assert delivery.payload["slug"] == "zuul"
    assert delivery.payload["tagline"] == "Stop merging broken code"
    assert delivery.payload["api_url"].endswith("/api/v1/projects/zuul/")


def test_publishing_while_the_receiver_fails_publishes_and_the_worker_delivers_later(
    site_with_home, django_capture_on_commit_callbacks
):
    from tests.portal import factories as pages

    index = pages.project_index(site_with_home)
    zuul = pages.project(index, 1, title="Zuul", slug="zuul")
    with Receiver(failures=1) as receiver:
        _subscribe(receiver.url)
        zuul.tagline = "Stop merging broken code"
        with django_capture_on_commit_callbacks(execute=True):
            zuul.save_revision().publish()  # the receiver answers 503: the publish goes through all the same
        zuul.refresh_from_db()
        assert zuul.live and zuul.tagline == "Stop merging broken code"
        (delivery,) = WebhookDelivery.objects.filter(event_type="project.updated")
        assert delivery.status == DeliveryStatus.PENDING and delivery.next_attempt_at is not None
        _retry_due(django_capture_on_commit_callbacks, hours=1)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert [ok for ok in delivery.attempt_log.values_list("ok", flat=True)] == [False, True]
