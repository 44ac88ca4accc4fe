"""The one way services enqueue Celery tasks: after the transaction commits, never before."""

from functools import partial

from celery import Task
from django.db import transaction


def enqueue_on_commit(task: Task, *args, **kwargs) -> None:
    """Send `task` once the surrounding transaction commits; a rollback sends nothing."""
    transaction.on_commit(partial(task.delay, *args, **kwargs))
