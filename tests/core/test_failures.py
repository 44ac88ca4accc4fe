"""Failures operators can see: one admin screen with unsent e-mails, failing webhooks and unfinished tasks,
each retryable; ADMINS mailed once about a row stuck too long."""

import logging
from datetime import timedelta

import pytest
from celery import shared_task
from django.core import mail
from django.core.mail import send_mail
from django.utils import timezone

from portal.api import services as api_services
from portal.api.models import DeliveryStatus, WebhookDelivery
from portal.core import outbox
from portal.core.models import OutboxMessage
from portal.core.tasking import enqueue_on_commit
from tests.conftest import free_port
from tests.http_stubs import Receiver

pytestmark = pytest.mark.django_db

RUNS: list[str] = []


@shared_task(name="tests.failures_record")
def record(value: str) -> None:
    RUNS.append(value)


@pytest.fixture(autouse=True)
def _fresh():
    RUNS.clear()
    yield
    RUNS.clear()


@pytest.fixture
def mail_server_down(settings):
    """SMTP to a loopback port nobody listens on: every delivery is refused."""
    settings.GUILDHALL_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2


def test_the_failures_screen_shows_each_kind_and_retries_it(
    client, staff_client_factory, staff_groups, django_capture_on_commit_callbacks, settings, mail_server_down
):
    # An e-mail the mail server refused (its retries spent at once: tasks run eagerly here).
    with django_capture_on_commit_callbacks(execute=True):
        send_mail("Your receipt", "Thank you.", None, ["ada@example.org"])
    # A webhook whose receiver answers 503.
    with Receiver(failures=100) as receiver:
        api_services.webhook_subscription_create(
            name="Landscape", url=receiver.url, event_types=["member.joined"], secret="s", actor=None
        )
        with django_capture_on_commit_callbacks(execute=True):
            api_services.webhook_dispatch(event_type="member.joined", payload={"slug": "acme"})
        # A task the broker lost.
        from portal.celery import app

        app.conf.task_always_eager = False
        try:
            with django_capture_on_commit_callbacks(execute=True):
                enqueue_on_commit(record, "invoice 7")
        finally:
            app.conf.task_always_eager = True

        staff_client_factory(groups=["Finance"])
        assert client.get("/admin/outbox/").status_code == 302, "superusers only"
        staff_client_factory(superuser=True)
        page = client.get("/admin/outbox/").content.decode()
        assert "E-mails not sent (1)" in page and "Webhook deliveries failing (1)" in page
        assert "Other tasks not finished (1)" in page
        assert "ada@example.org" in page and "Your receipt" in page and "ConnectionRefusedError" in page
        assert "Landscape" in page and "HTTP 503" in page and "Retrying at" in page
        assert "tests.failures_record" in page

        # The mail server is back; the receiver too.
        settings.GUILDHALL_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        receiver.failures = 0
        email_row = OutboxMessage.objects.get(task_name="portal.send_email")
        task_row = OutboxMessage.objects.get(task_name="tests.failures_record")
        delivery = WebhookDelivery.objects.get()
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/admin/outbox/{email_row.pk}/retry/")
            client.post(f"/admin/outbox/{task_row.pk}/retry/")
            response = client.post(f"/admin/outbox/webhooks/{delivery.pk}/retry/", follow=True)
        assert "queued again" in response.content.decode()

    assert [m.to for m in mail.outbox] == [["ada@example.org"]]
    assert RUNS == ["invoice 7"]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    page = client.get("/admin/outbox/").content.decode()
    assert "Every e-mail has been sent." in page and "No webhook delivery is failing." in page
    assert "Every task has finished." in page


def test_the_screen_costs_the_same_for_many_rows(
    client,
    staff_client_factory,
    staff_groups,
    django_capture_on_commit_callbacks,
    broker_loses_messages,
    django_assert_max_num_queries,
):
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(20):
            enqueue_on_commit(record, f"invoice {number}")
    subscription = api_services.webhook_subscription_create(
        name="Landscape", url="http://127.0.0.1:9/", event_types=["member.joined"], secret="s", actor=None
    )
    for _ in range(20):
        WebhookDelivery.objects.create(
            subscription=subscription, event_type="member.joined", payload={}, attempts=3, status="failed"
        )
    staff_client_factory(superuser=True)
    with django_assert_max_num_queries(14):
        page = client.get("/admin/outbox/")
    assert page.status_code == 200 and "Webhook deliveries failing (20)" in page.content.decode()


def test_admins_are_mailed_once_about_a_row_stuck_too_long(
    django_capture_on_commit_callbacks, broker_loses_messages, settings, caplog
):
    settings.ADMINS = [("Operations", "ops@example.org")]
    settings.OUTBOX_ALERT_AFTER_SECONDS = 30 * 60
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(record, "receipt 1")
    (row,) = OutboxMessage.objects.all()

    outbox.outbox_sweep(now=timezone.now() + timedelta(minutes=10))
    assert mail.outbox == [], "not stuck yet"
    with caplog.at_level(logging.ERROR, logger="portal.core.outbox"):
        outbox.outbox_sweep(now=timezone.now() + timedelta(minutes=31))
    (alert,) = mail.outbox
    assert alert.to == ["ops@example.org"] and "stuck" in alert.subject
    assert f"Outbox {row.pk} (tests.failures_record)" in alert.body and "/admin/outbox/" in alert.body
    assert [r.getMessage() for r in caplog.records if "not finished since" in r.getMessage()]
    outbox.outbox_sweep(now=timezone.now() + timedelta(minutes=90))
    assert len(mail.outbox) == 1, "each row is reported once"
    assert not OutboxMessage.objects.filter(task_name="portal.send_email").exists(), "the alert is no row itself"


def test_the_alert_waits_for_no_queue_and_a_dead_mail_server_is_only_logged(
    broker_loses_messages, mail_server_down, django_capture_on_commit_callbacks, settings, caplog
):
    settings.ADMINS = [("Operations", "ops@example.org")]
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(record, "receipt 1")
    with caplog.at_level(logging.ERROR, logger="portal.core.outbox"):
        outbox.outbox_sweep(now=timezone.now() + timedelta(hours=2))
    assert any("ADMINS could not be mailed" in r.getMessage() for r in caplog.records)
    assert OutboxMessage.objects.get().alerted_at is not None
