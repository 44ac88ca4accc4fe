"""`bin/run` without Redis: its worker and beat read the embedded broker (a SQLite file), so scheduled work
runs on a laptop with nobody running a command. Holds and sweeps in seconds; the site's database is the
test's own.
"""

import os
import re
import signal
import subprocess
import time
from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from django.db import connection
from django.utils import timezone

from events import services as order_services
from events.models import Order, WaitingListEntry
from portal.api import services as api_services
from portal.api.models import DeliveryStatus, WebhookDelivery
from portal.core.models import OutboxMessage
from tests.accounts.factories import UserFactory
from tests.conftest import ROOT, free_port, wait_for_port
from tests.events.factories import EventFactory, TicketTypeFactory
from tests.http_stubs import Receiver

pytestmark = [pytest.mark.process, pytest.mark.slow]


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


@pytest.fixture(scope="module")
def bin_run(tmp_path_factory, django_db_setup):
    """`bin/run` as a developer starts it, on the test database, without Redis; Ctrl-C at the end.
    One for the module: each test's rows are its own (transactional_db), the processes are shared."""
    tmp_path = tmp_path_factory.mktemp("bin_run")
    port, stripe_port = free_port(), free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE", "STRIPE_SECRET_KEY"}
    }
    env.update(
        PORT=str(port),
        LOCALSTRIPE_PORT=str(stripe_port),
        DATABASE_URL=_database_url(),
        MEDIA_ROOT=str(tmp_path / "media"),
        CELERY_BROKER_URL=f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}",
        CELERY_BEAT_SCHEDULE_FILENAME=str(tmp_path / "beat-schedule"),
        SWEEP_INTERVAL_SECONDS="1",
        WEBHOOK_RETRY_BACKOFF_SECONDS="1",
        WORKER_LOG_LEVEL="INFO",
        EMAIL_URL=f"filemail:///{tmp_path / 'mail'}",
        CONN_MAX_AGE="0",
    )
    log = open(tmp_path / "run.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        ["bin/run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        wait_for_port(port, timeout=180)
        yield {"url": f"http://127.0.0.1:{port}", "proc": proc, "log": tmp_path / "run.log", "mail": tmp_path / "mail"}
    finally:
        try:
            os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
        except ProcessLookupError:
            pass
        log.close()


def _wait_for(check, *, timeout: float, what: str, log=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.25)
    raise AssertionError(f"{what} did not happen within {timeout} s" + (f"\n{log.read_text()[-4000:]}" if log else ""))


def test_an_unpaid_order_expires_and_its_seat_goes_to_the_waiting_list_with_nobody_running_a_command(
    bin_run, transactional_db, settings
):
    settings.ORDER_HOLD_SECONDS = 2
    seat = TicketTypeFactory(event=EventFactory(slug="summit"), price=Decimal("100.00"), capacity=1)
    order = order_services.order_create(
        event=seat.event,
        quantities={seat.pk: 1},
        buyer_name="Ada",
        buyer_email="ada@example.org",
        accepted_code_of_conduct=True,
    )
    entry = order_services.waiting_list_join(ticket_type=seat, email="grace@example.org", quantity=1)
    assert order.status == Order.Status.PENDING and entry.status == WaitingListEntry.Status.WAITING

    def expired():
        order.refresh_from_db()
        return order.status == Order.Status.EXPIRED

    _wait_for(expired, timeout=60, what="the order's expiry", log=bin_run["log"])
    page = requests.get(bin_run["url"] + order.get_absolute_url(), timeout=20)
    assert page.status_code == 200
    assert re.search(r'class="badge[^"]*">Expired</span>', page.text)
    entry.refresh_from_db()
    assert entry.status == WaitingListEntry.Status.OFFERED, "the freed seat is offered to the next in line"
    offer_mail = _wait_for(
        lambda: [p for p in bin_run["mail"].glob("*.log") if "grace@example.org" in p.read_text()],
        timeout=30,
        what="the offer's e-mail",
        log=bin_run["log"],
    )
    assert offer_mail


def test_the_site_hands_work_to_the_worker_through_the_embedded_broker(bin_run, transactional_db):
    health = requests.get(bin_run["url"] + "/health/", timeout=20).json()
    assert health["checks"]["broker"] == "ok"
    # A password reset asked for on the site: its e-mail is written by the worker, and its outbox row cleared.
    UserFactory(email="lin@example.org")
    browser = requests.Session()
    form = browser.get(bin_run["url"] + "/accounts/password/reset/", timeout=20)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    sent = browser.post(
        bin_run["url"] + "/accounts/password/reset/",
        data={"csrfmiddlewaretoken": csrf, "email": "lin@example.org"},
        headers={"Referer": bin_run["url"] + "/accounts/password/reset/"},
        timeout=20,
    )
    assert sent.status_code == 200
    _wait_for(
        lambda: [p for p in bin_run["mail"].glob("*.log") if "lin@example.org" in p.read_text()],
        timeout=30,
        what="the reset e-mail",
        log=bin_run["log"],
    )
    (row,) = OutboxMessage.objects.filter(task_name="portal.send_email")
    _wait_for(
        lambda: OutboxMessage.objects.filter(pk=row.pk, finished_at__isnull=False).exists(), timeout=10, what="row"
    )


def test_a_failed_webhook_delivery_is_retried_by_the_worker_from_its_time_in_the_database(bin_run, transactional_db):
    receiver = Receiver(failures=1, status=500)
    try:
        subscription = api_services.webhook_subscription_create(
            name="Landscape", url=receiver.url, event_types=["project.updated"], secret="s3cret", actor=None
        )
        # What a publish leaves behind when its delivery could not be made in the request: a row due now.
        delivery = WebhookDelivery.objects.create(
            subscription=subscription,
            event_type="project.updated",
            payload={"slug": "zuul"},
            next_attempt_at=timezone.now() - timedelta(seconds=1),
        )

        def delivered():
            delivery.refresh_from_db()
            return delivery.status == DeliveryStatus.DELIVERED

        _wait_for(delivered, timeout=60, what="the webhook's delivery", log=bin_run["log"])
    finally:
        receiver.close()
    assert list(delivery.attempt_log.values_list("ok", "response_code")) == [(False, 500), (True, 200)]
    assert len(receiver.received) == 2
