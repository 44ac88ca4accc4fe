"""The transactional outbox: a task scheduled by a transaction is kept until it has run, whatever the broker does."""

import logging
from datetime import timedelta

import pytest
from celery import shared_task
from django.core import mail
from django.db import transaction
from django.utils import timezone

from portal.core import outbox
from portal.core.models import OutboxMessage
from portal.core.tasking import enqueue_on_commit

pytestmark = pytest.mark.django_db

RUNS: list[str] = []
FAILURES_LEFT = {"count": 0}


@shared_task(name="tests.outbox_record")
def record(value: str) -> None:
    if FAILURES_LEFT["count"] > 0:
        FAILURES_LEFT["count"] -= 1
        raise RuntimeError("the task failed")
    RUNS.append(value)


@pytest.fixture(autouse=True)
def _fresh():
    RUNS.clear()
    FAILURES_LEFT["count"] = 0
    yield
    RUNS.clear()


def _sweep(capture, *, hours: int = 1) -> int:
    with capture(execute=True):
        return outbox.outbox_sweep(now=timezone.now() + timedelta(hours=hours))


def test_the_message_is_written_in_the_transaction_and_the_task_runs_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            enqueue_on_commit(record, "receipt 1")
            (row,) = OutboxMessage.objects.all()
            assert row.task_name == "tests.outbox_record" and row.args == ["receipt 1"]
            assert RUNS == [], "nothing runs before the commit"
    assert RUNS == ["receipt 1"]
    row.refresh_from_db()
    assert row.finished_at is not None and row.attempts == 1


def test_a_rolled_back_transaction_leaves_no_message_and_runs_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                enqueue_on_commit(record, "receipt 1")
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass
    assert RUNS == [] and not OutboxMessage.objects.exists()


def test_a_lost_message_is_relayed_by_the_sweep_once_its_time_has_passed(
    django_capture_on_commit_callbacks, broker_loses_messages, settings
):
    settings.OUTBOX_RELAY_AFTER_SECONDS = 60
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(record, "receipt 1")
    assert RUNS == []
    (row,) = OutboxMessage.objects.all()
    assert row.relayed_at is not None and row.finished_at is None
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.outbox_sweep() == 0, "a message is given its time to run"

    from portal.celery import app

    app.conf.task_always_eager = True  # a worker is there again
    assert _sweep(django_capture_on_commit_callbacks, hours=1) == 1
    assert RUNS == ["receipt 1"]
    row.refresh_from_db()
    assert row.finished_at is not None and row.attempts == 2


def test_a_failed_task_keeps_its_row_and_the_request_never_sees_the_error(django_capture_on_commit_callbacks):
    FAILURES_LEFT["count"] = 1
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(record, "receipt 1")  # runs eagerly and fails: logged, not raised
    (row,) = OutboxMessage.objects.all()
    assert row.finished_at is None and "the task failed" in row.last_error
    _sweep(django_capture_on_commit_callbacks)
    row.refresh_from_db()
    assert RUNS == ["receipt 1"] and row.finished_at is not None


def test_a_copy_of_a_finished_message_is_not_run_twice(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(record, "receipt 1")
    (row,) = OutboxMessage.objects.all()
    # A redelivery, or a relay that crossed the task finishing: the same message again.
    outbox.relay(row.pk, row.task_name, row.args, row.kwargs)
    assert RUNS == ["receipt 1"]
    assert _sweep(django_capture_on_commit_callbacks, hours=24) == 0


def test_the_sweep_backs_off_gives_up_and_staff_can_retry(django_capture_on_commit_callbacks, settings, caplog):
    settings.OUTBOX_RELAY_AFTER_SECONDS = 60
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.ADMINS = [("Operations", "ops@example.org")]
    FAILURES_LEFT["count"] = 100
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(record, "receipt 1")
    row = OutboxMessage.objects.get()
    waits = []
    for _ in range(2):
        _sweep(django_capture_on_commit_callbacks, hours=24)
        row.refresh_from_db()
        waits.append(round((row.next_attempt_at - timezone.now()).total_seconds() / 60))
    assert waits == [2, 4], "a minute, doubling"
    with caplog.at_level(logging.ERROR, logger="portal.core.outbox"):
        assert _sweep(django_capture_on_commit_callbacks, hours=24) == 0
    row.refresh_from_db()
    assert row.attempts == 3 and row.gave_up_at is not None and row.finished_at is None
    assert any("gave up after 3 attempts" in r.getMessage() for r in caplog.records)
    (alert,) = [m for m in mail.outbox if "never finished" in m.subject]
    assert alert.to == ["ops@example.org"] and "tests.outbox_record" in alert.body
    assert _sweep(django_capture_on_commit_callbacks, hours=48) == 0, "left for staff"

    FAILURES_LEFT["count"] = 0
    assert outbox.outbox_retry(message_id=row.pk)
    row.refresh_from_db()
    assert RUNS == ["receipt 1"] and row.finished_at is not None


def test_finished_rows_are_purged_after_a_week(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(record, "receipt 1")
    _sweep(django_capture_on_commit_callbacks, hours=24)
    assert OutboxMessage.objects.count() == 1
    _sweep(django_capture_on_commit_callbacks, hours=8 * 24)
    assert not OutboxMessage.objects.exists()


def test_staff_see_unfinished_tasks_and_retry_one(
    client, staff_client_factory, staff_groups, django_capture_on_commit_callbacks
):
    FAILURES_LEFT["count"] = 1
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(record, "receipt 1")
    row = OutboxMessage.objects.get()
    staff_client_factory(groups=["Finance"])
    refused = client.get("/admin/outbox/")
    assert refused.status_code == 302 and refused["Location"] == "/admin/", "superusers only"

    staff_client_factory(superuser=True)
    page = client.get("/admin/outbox/").content.decode()
    assert "tests.outbox_record" in page and "the task failed" in page
    response = client.post(f"/admin/outbox/{row.pk}/retry/", follow=True)
    assert "handed to the worker again" in response.content.decode()
    row.refresh_from_db()
    assert RUNS == ["receipt 1"] and row.finished_at is not None
    assert "Every task has finished." in client.get("/admin/outbox/").content.decode()


def test_a_batch_writes_its_rows_in_one_insert_and_clears_those_run_here_in_one_update(
    django_capture_on_commit_callbacks, django_assert_num_queries
):
    """A worker task that sends three e-mails writes one statement for them, and one to clear them."""
    with django_capture_on_commit_callbacks() as callbacks:
        with django_assert_num_queries(1):  # the INSERT (SQLite and PostgreSQL: no transaction statement here)
            with outbox.batch():
                for n in (1, 2, 3):
                    outbox.run_on_commit(record, f"mail {n}")
                assert RUNS == []
    rows = list(OutboxMessage.objects.order_by("pk"))
    assert [row.args for row in rows] == [["mail 1"], ["mail 2"], ["mail 3"]]
    assert all(row.finished_at is None for row in rows)
    with django_assert_num_queries(1):  # the one UPDATE that clears all three
        for callback in callbacks:
            callback()
    assert RUNS == ["mail 1", "mail 2", "mail 3"]
    assert OutboxMessage.objects.filter(finished_at__isnull=False).count() == 3


def test_in_a_batch_one_failure_is_relayed_alone_and_nothing_is_run_twice(django_capture_on_commit_callbacks):
    FAILURES_LEFT["count"] = 1  # the first run here fails; its relay (eager in tests) succeeds
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic(), outbox.batch():
            outbox.run_on_commit(record, "mail 1")
            outbox.run_on_commit(record, "mail 2")
    assert sorted(RUNS) == ["mail 1", "mail 2"]
    rows = {row.args[0]: row for row in OutboxMessage.objects.all()}
    assert rows["mail 1"].attempts == 1 and rows["mail 1"].finished_at is not None
    assert rows["mail 2"].attempts == 0 and rows["mail 2"].finished_at is not None


def test_a_batch_that_raises_writes_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic(), outbox.batch():
                enqueue_on_commit(record, "receipt 1")
                raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists()
    assert RUNS == []


@shared_task(name="tests.outbox_sends_mails")
def send_mails(fail_after: bool = False) -> None:
    """A worker task as the receipt is: its mails written in its transaction and sent in place after it."""
    with transaction.atomic(), outbox.batch():
        for n in (1, 2):
            outbox.run_on_commit(record, f"mail {n}")
    if fail_after:
        raise RuntimeError("failed after its mails went out")


def _outbox_updates(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("UPDATE") and "portal_outboxmessage" in q["sql"]]


@pytest.mark.django_db(transaction=True)  # the task's own transaction commits, as on a worker
def test_a_task_clears_its_row_and_the_mails_it_sent_in_one_update():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        with transaction.atomic():
            enqueue_on_commit(send_mails)
    assert RUNS == ["mail 1", "mail 2"]
    assert not OutboxMessage.objects.filter(finished_at__isnull=True).exists()
    assert OutboxMessage.objects.count() == 3
    assert len(_outbox_updates(captured.captured_queries)) == 1, _outbox_updates(captured.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_a_task_that_fails_after_its_mails_went_out_keeps_its_row_but_never_sends_them_again():
    with transaction.atomic():
        enqueue_on_commit(send_mails, fail_after=True)
    assert RUNS == ["mail 1", "mail 2"]
    task_row = OutboxMessage.objects.get(task_name="tests.outbox_sends_mails")
    assert task_row.finished_at is None and "failed after its mails went out" in task_row.last_error
    assert OutboxMessage.objects.filter(task_name="tests.outbox_record", finished_at__isnull=False).count() == 2


@shared_task(name="tests.outbox_redoes_its_mails", base=outbox.OutboxTask, redoes_in_place=True)
def send_mails_again_when_unfinished() -> None:
    """A worker task as the receipt is: it sends its two mails in place, and again if its row is unfinished."""
    with transaction.atomic(), outbox.batch():
        for n in (1, 2):
            outbox.run_on_commit(record, f"mail {n}")


def _task_row(task) -> OutboxMessage:
    return OutboxMessage.objects.create(task_name=task.name, args=[], kwargs={}, next_attempt_at=timezone.now())


@pytest.mark.django_db(transaction=True)
def test_a_worker_running_a_task_that_redoes_its_mails_writes_no_rows_for_them():
    from tests.worker_run import run_as_worker

    row = _task_row(send_mails_again_when_unfinished)
    run_as_worker(send_mails_again_when_unfinished, row.pk)
    assert RUNS == ["mail 1", "mail 2"]
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [row.pk], "the task's own row only"
    row.refresh_from_db()
    assert row.finished_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_mail_that_fails_in_such_a_task_gets_a_row_of_its_own_for_its_retries():
    from tests.worker_run import run_as_worker

    FAILURES_LEFT["count"] = 1  # the first mail fails in place; its relay (eager in tests) delivers it
    row = _task_row(send_mails_again_when_unfinished)
    run_as_worker(send_mails_again_when_unfinished, row.pk)
    assert sorted(RUNS) == ["mail 1", "mail 2"]
    mail_rows = OutboxMessage.objects.exclude(pk=row.pk)
    assert [(m.args, m.attempts, m.finished_at is not None) for m in mail_rows] == [(["mail 1"], 1, True)]
    row.refresh_from_db()
    assert row.finished_at is not None, "its mails are out or in a row of their own: nothing to redo"


@pytest.mark.django_db(transaction=True)
def test_only_a_worker_run_of_such_a_task_from_an_unfinished_row_is_told_to_redo():
    from tests.worker_run import run_as_worker

    seen = []

    @shared_task(name="tests.outbox_asks_whether_to_redo", base=outbox.OutboxTask, keyed=True, redoes_in_place=True)
    def ask() -> None:
        seen.append(outbox.in_place_work_unfinished())

    assert outbox.in_place_work_unfinished() is False, "outside a task"
    row = _task_row(ask)
    run_as_worker(ask, row.pk)
    assert seen == [True]
    run_as_worker(ask, row.pk)  # a copy after its row finished (keyed: it runs, and finds its work done)
    assert seen == [True, False]
    ask.apply()  # eager, as the unit tests run tasks: its mails have rows of their own
    assert seen == [True, False, False]
