"""The broker goes away while buyers pay: every buyer is told the payment went through, and once the broker
is back each order gets its receipt (with the paid invoice) and its tickets, exactly once.

Production settings in gunicorn and a Celery worker with beat, on PostgreSQL, with Redis (broker and
cache) behind a proxy the test cuts; cards through localstripe.
"""

import email
import email.policy
import os
import re
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
import redis
import requests
from django.conf import settings
from django.db import connection

from events import payments as order_payments
from events import services as order_services
from portal.core.models import OutboxMessage
from portal.payments.models import Payment, PaymentStatus
from tests.conftest import ROOT, free_port, wait_for_port, wait_until_serving
from tests.events.factories import EventFactory, TicketTypeFactory
from tests.payments.conftest import GOOD_CARD, card_token, wait_for
from tests.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.process, pytest.mark.localstripe]

REDIS_DB = 8
BUYERS = 20
SETTINGS = """
from portal.settings import *  # noqa
STORAGES = {{
    "default": {{"BACKEND": "django.core.files.storage.FileSystemStorage"}},
    "staticfiles": {{"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}},
}}
MEDIA_ROOT = {media!r}
WHITENOISE_USE_FINDERS = True
GUILDHALL_EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = {mail!r}
# Only the outbox's sweep, every two seconds; a task not finished three seconds after its relay is relayed again.
CELERY_BEAT_SCHEDULE = {{"portal-outbox-sweep": {{"task": "portal.outbox_sweep", "schedule": 2.0}}}}
OUTBOX_RELAY_AFTER_SECONDS = 3
"""


def sent_mail(directory: Path) -> list[email.message.EmailMessage]:
    """Every message the file backend wrote (one file per connection, messages separated by a rule)."""
    messages = []
    for path in sorted(directory.glob("*.log")):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk, policy=email.policy.default))
    return messages


@pytest.fixture
def stack(tmp_path, transactional_db, localstripe_server):
    """gunicorn and a worker with beat, both reaching Redis through a proxy the test can cut."""
    redis_url = os.environ["REDIS_URL"].rsplit("/", 1)[0] + f"/{REDIS_DB}"
    redis.Redis.from_url(redis_url).flushdb()
    target = re.match(r"redis://([^:/]+):(\d+)", redis_url)
    proxy = TcpProxy(target.group(1), int(target.group(2)))
    mail_dir, media = tmp_path / "mail", tmp_path / "media"
    mail_dir.mkdir()
    (tmp_path / "outage_settings.py").write_text(SETTINGS.format(mail=str(mail_dir), media=str(media)))
    database = connection.settings_dict
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}},
        "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}",
        "DJANGO_SETTINGS_MODULE": "outage_settings",
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "REDIS_URL": f"redis://127.0.0.1:{proxy.port}/{REDIS_DB}",
        "STRIPE_ALLOW_LOCALSTRIPE": "1",
        "STRIPE_API_BASE": localstripe_server["url"],
        "CONN_MAX_AGE": "0",
        # A message a killed worker held comes back this soon (the outbox's sweep relays it sooner still).
        "CELERY_VISIBILITY_TIMEOUT_SECONDS": "20",
    }
    port = free_port()
    logs = {name: open(tmp_path / f"{name}.log", "wb") for name in ("web", "worker")}  # noqa: SIM115
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2", "portal.wsgi"],
        cwd=ROOT,
        env={**env, "SITE_URL": f"http://127.0.0.1:{port}"},
        stdout=logs["web"],
        stderr=subprocess.STDOUT,
    )
    workers: list[subprocess.Popen] = []

    def start_worker() -> subprocess.Popen:
        worker = subprocess.Popen(
            [
                sys.executable,
                *("-m", "celery", "-A", "portal", "worker", "-B", "--pool=solo", "--loglevel=INFO"),
                *("--schedule", str(tmp_path / "beat-schedule"), "--without-gossip", "--without-mingle"),
            ],
            cwd=ROOT,
            env=env,
            stdout=logs["worker"],
            stderr=subprocess.STDOUT,
            start_new_session=True,  # with its embedded beat: one process group, stopped as one
        )
        workers.append(worker)
        return worker

    start_worker()
    try:
        wait_for_port(port, timeout=60)
        wait_until_serving(f"http://127.0.0.1:{port}")
        yield {
            "url": f"http://127.0.0.1:{port}",
            "proxy": proxy,
            "mail": mail_dir,
            "logs": tmp_path,
            "workers": workers,
            "start_worker": start_worker,
        }
    finally:
        web.terminate()
        for worker in workers:
            _signal_group(worker, signal.SIGTERM)
        for process in (web, *workers):
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        proxy.cut()
        for log in logs.values():
            log.close()


def _signal_group(worker: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(worker.pid, signum)
    except ProcessLookupError:
        pass


def _pay(base: str, payment: Payment) -> requests.Response:
    """What the buyer's browser does: open the pay page, let Stripe.js make a token, post it."""
    browser = requests.Session()
    page = browser.get(base + payment.get_absolute_url(), timeout=30)
    assert page.status_code == 200, page.text[:500]
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    token = card_token({"url": settings.STRIPE_API_BASE}, GOOD_CARD)
    return browser.post(
        f"{base}/payments/{payment.public_id}/card/",
        data={"csrfmiddlewaretoken": csrf, "token": token},
        cookies=dict(page.cookies),  # marked Secure by production settings: sent by hand over plain HTTP
        headers={"Referer": base + payment.get_absolute_url()},
        timeout=60,
    )


def _orders(count: int) -> list[Payment]:
    """`count` summit orders placed, each waiting for its card payment."""
    ticket_type = TicketTypeFactory(event=EventFactory(slug="summit", currency="EUR"), price=Decimal("180.00"))
    for number in range(count):
        order = order_services.order_create(
            event=ticket_type.event,
            quantities={ticket_type.pk: 1},
            buyer_name=f"Buyer {number}",
            buyer_email=f"buyer{number}@example.org",
            accepted_code_of_conduct=True,
        )
        order_payments.order_request_payment(order=order, new=True)
    payments = list(Payment.objects.order_by("pk"))
    assert len(payments) == count
    return payments


def _everything_sent(mail_dir: Path, count: int) -> bool:
    subjects = [(m["To"], m["Subject"]) for m in sent_mail(mail_dir)]
    return all(
        any(to == f"buyer{n}@example.org" and "Your tickets" in subject for to, subject in subjects)
        and any(to == f"buyer{n}@example.org" and "Payment received" in subject for to, subject in subjects)
        for n in range(count)
    )


def _assert_each_sent_once(mail_dir: Path, count: int, *, in_doubt: int = 0) -> None:
    """Each buyer has one receipt (with the paid invoice) and one tickets message. `in_doubt`: how many
    messages may have been delivered twice, one for each worker killed between the mail server taking a
    message and the record that it went out; such a copy carries the first's Message-ID, so the buyer's
    mail client shows it once."""
    messages = sent_mail(mail_dir)
    copies = 0
    for number in range(count):
        mine = [m for m in messages if m["To"] == f"buyer{number}@example.org"]
        receipts = {m["Message-ID"]: m for m in mine if "Payment received" in m["Subject"]}
        tickets = {m["Message-ID"]: m for m in mine if "Your tickets" in m["Subject"]}
        assert len(receipts) == 1 and len(tickets) == 1, [(m["Subject"], m["Message-ID"]) for m in mine]
        copies += len(mine) - 2
        invoices = [a for a in next(iter(receipts.values())).iter_attachments() if a.get_filename().endswith(".pdf")]
        assert len(invoices) == 1, "the paid invoice comes with the receipt"
    assert copies <= in_doubt, f"{copies} messages delivered again"
    for payment in Payment.objects.all():
        assert payment.receipt_sent_at is not None and payment.invoices.count() == 1
    assert not OutboxMessage.objects.filter(finished_at__isnull=True).exists()


def test_buyers_paying_while_the_broker_is_down_are_told_it_worked_and_get_everything_once(stack, localstripe):
    payments = _orders(BUYERS)

    stack["proxy"].cut()
    answers = [_pay(stack["url"], payment) for payment in payments]
    assert [a.status_code for a in answers] == [200] * BUYERS
    assert all("Thank you: payment received" in a.text for a in answers), answers[0].text[:1000]
    assert all(p.status == PaymentStatus.SUCCEEDED for p in Payment.objects.all())
    waiting = OutboxMessage.objects.filter(task_name="payments.send_receipt", finished_at__isnull=True)
    assert waiting.count() == BUYERS, "every receipt is kept while the broker is away"
    assert not sent_mail(stack["mail"])

    stack["proxy"].restore()
    sent = wait_for(lambda: _everything_sent(stack["mail"], BUYERS), timeout=240, interval=2)
    assert sent, (stack["logs"] / "worker.log").read_text()[-3000:]
    time.sleep(8)  # a few more sweeps: nothing is sent again
    _assert_each_sent_once(stack["mail"], BUYERS)


def test_a_worker_killed_while_sending_loses_nothing_and_sends_nothing_twice(stack, localstripe):
    count = 12
    payments = _orders(count)
    # The worker is away while buyers pay, so a backlog waits in the broker for the next one.
    _signal_group(stack["workers"][0], signal.SIGKILL)
    stack["workers"][0].wait(10)
    answers = [_pay(stack["url"], payment) for payment in payments]
    assert all("Thank you: payment received" in a.text for a in answers)
    stack["start_worker"]()
    assert wait_for(lambda: sent_mail(stack["mail"]), timeout=120, interval=0.1), "the worker never started sending"
    _signal_group(stack["workers"][1], signal.SIGKILL)  # the worker and its beat, as a host losing them
    stack["workers"][1].wait(10)
    assert not _everything_sent(stack["mail"], count), "killed in the middle of the run"

    stack["start_worker"]()
    sent = wait_for(lambda: _everything_sent(stack["mail"], count), timeout=240, interval=2)
    assert sent, (stack["logs"] / "worker.log").read_text()[-3000:]
    time.sleep(25)  # past the visibility timeout: the message the killed worker held comes back, and is skipped
    # The e-mails out before the kill are not sent again; only one the mail server took in the instant of
    # the kill, before its record, may come twice, as the same message (tests/payments/test_receipt_on_a_worker.py
    # kills a worker at each of those moments on purpose).
    _assert_each_sent_once(stack["mail"], count, in_doubt=1)
