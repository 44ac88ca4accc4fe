"""The Celery application: autodiscovers each app's tasks.py, JSON only."""

import os

from celery import Celery
from celery.signals import worker_process_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
@worker_process_init.connect
def _tune_gc(**kwargs) -> None:
    """The worker (solo pool) or each pool process, once loaded: see portal/gc_tuning.py."""
    from portal.gc_tuning import tune_for_serving

    tune_for_serving()
