import pytest

from portal.celery import app


@pytest.fixture
def broker_loses_messages():
    """A broker that accepts every message and delivers none (a Redis that went away with them)."""
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True
