"""A Celery worker's database connection around its tasks: kept like a request's, not one per task.

Celery's Django fix-up (installed when a worker starts) closes every connection before and after each
task unless CELERY_DB_REUSE_MAX is set; portal/celery.py closes only a broken or too-old one.
"""

import time

import pytest
from celery import signals
from celery.fixups.django import DjangoWorkerFixup
from django.db import connection, transaction

from portal.celery import app
from portal.core.tasks import ping

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker_fixup():
    """Celery's Django fix-up as a worker installs it, removed afterwards."""
    fixup = DjangoWorkerFixup(app).install()
    yield fixup
    for signal, handler in (
        (signals.task_prerun, fixup.on_task_prerun),
        (signals.task_postrun, fixup.on_task_postrun),
        (signals.worker_process_init, fixup.on_worker_process_init),
        (signals.beat_embedded_init, fixup.close_database),
    ):
        signal.disconnect(handler)


def run_in_worker(task, times: int = 1) -> None:
    """The signals a worker sends around each task it takes from the broker (not eager)."""
    assert not task.request.is_eager
    for n in range(times):
        signals.task_prerun.send(sender=task, task_id=f"t{n}", task=task, args=(), kwargs={})
        signals.task_postrun.send(sender=task, task_id=f"t{n}", task=task, args=(), kwargs={}, retval=None)


def open_connection(*, max_age_left: float | None):
    connection.ensure_connection()
    connection.close_at = None if max_age_left is None else time.monotonic() + max_age_left
    return connection.connection


def test_a_worker_keeps_its_database_connection_from_one_task_to_the_next(worker_fixup):
    before = open_connection(max_age_left=60)
    run_in_worker(ping, times=5)
    assert connection.connection is before


def test_a_connection_older_than_conn_max_age_is_closed_after_a_task(worker_fixup):
    open_connection(max_age_left=-1)
    run_in_worker(ping)
    assert connection.connection is None
    # …and the next query opens a fresh one.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert connection.connection is not None


def test_a_task_run_eagerly_inside_a_transaction_leaves_its_connection_alone(worker_fixup):
    before = open_connection(max_age_left=-1)  # even one due to close
    with transaction.atomic():
        # A worker another test started in this process leaves Celery's "inside a worker" flag set; not a subtask.
        assert ping.apply(args=["x"]).get(disable_sync_subtasks=False) == "x"
        assert connection.connection is before
        assert connection.in_atomic_block
