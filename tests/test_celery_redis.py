"""A real Celery worker (solo pool) on Redis: a task goes through the broker and back."""

import os
import subprocess
import sys
import uuid

import pytest
from celery import Celery

from tests.conftest import ROOT

pytestmark = [pytest.mark.redis, pytest.mark.process]


def test_task_round_trip_through_redis():
    redis_url = os.environ["REDIS_URL"]
    queue = f"test-{uuid.uuid4().hex[:8]}"  # our own queue, so no other worker takes the task
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "DEBUG": "1", "REDIS_URL": redis_url}
    env.pop("DATABASE_URL", None)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    client = Celery("probe", broker=redis_url, backend=redis_url)
    try:
        token = uuid.uuid4().hex
        result = client.send_task("portal.ping", args=[token], queue=queue)
        # disable_sync_subtasks: eager tasks earlier in this process leave Celery thinking it is inside one.
        assert result.get(timeout=60, disable_sync_subtasks=False) == token
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
