"""The Celery application: autodiscovers each app's tasks.py, JSON only."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_process_init, worker_ready
from django.db import close_old_connections

from portal.core.gc_tuning import tune_for_serving
from portal.core.outbox import on_task_postrun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

# Every task checks its outbox row (portal/core/outbox.py): a copy of a finished message is not run again.
app = Celery("portal", task_cls="portal.core.outbox:OutboxTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["portal.core"])  # portal.core is not an app of its own


@worker_ready.connect
@worker_process_init.connect
def _tune_gc(**kwargs) -> None:
    """The worker (solo pool) or each pool process, once loaded: see portal/core/gc_tuning.py."""

    tune_for_serving()


@task_postrun.connect
def _outbox_task_failed(**kwargs) -> None:
    """A task sent through the outbox that failed: its row keeps the error for staff (the task clears
    its row itself when it succeeds)."""

    on_task_postrun(**kwargs)


@task_prerun.connect
@task_postrun.connect
def _close_old_connections(task=None, **kwargs) -> None:
    """Around a task in a worker, what Django does around a request: drop a connection that is broken or
    older than CONN_MAX_AGE, keep the others (settings.CELERY_DB_REUSE_MAX stops Celery closing them all).

    Not for a task run eagerly: it runs inside its caller's request, maybe inside its transaction.
    """
    if task is None or getattr(task.request, "is_eager", False):
        return

    close_old_connections()
