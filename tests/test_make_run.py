"""`make run` on a fresh database: the site, its health, the API docs, localstripe and the worker (with beat,
on the embedded broker), then Ctrl-C stops every one of them."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from tests.conftest import ROOT, free_port, wait_for_port

pytestmark = [pytest.mark.deploy, pytest.mark.process, pytest.mark.slow]


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=20) as response:  # noqa: S310 - loopback only
        return response.status, response.read()


def _group_ends(pgid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False


def test_make_run_serves_the_site_and_stops_on_ctrl_c(tmp_path):
    port, stripe_port = free_port(), free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        PORT=str(port),
        LOCALSTRIPE_PORT=str(stripe_port),
        DATABASE_URL=f"sqlite:///{tmp_path / 'run.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        CELERY_BROKER_URL=f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}",
        CELERY_BEAT_SCHEDULE_FILENAME=str(tmp_path / "beat-schedule"),
    )
    proc = subprocess.Popen(
        ["make", "run"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        wait_for_port(port, timeout=240)
        wait_for_port(stripe_port, timeout=30)
        base = f"http://127.0.0.1:{port}"
        assert _get(base + "/")[0] == 200
        status, body = _get(base + "/health/")
        assert status == 200
        assert json.loads(body)["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}
        assert _get(base + "/api/schema/")[0] == 200
        status, docs = _get(base + "/api/docs/")
        assert status == 200 and b"https://" not in docs
        assert _get(f"http://127.0.0.1:{stripe_port}/js.stripe.com/v3/")[0] == 200
        group = subprocess.run(["ps", "-o", "args=", "-g", str(proc.pid)], capture_output=True, text=True).stdout
        assert "celery -A portal worker --beat" in group
        listening = subprocess.run(["ss", "-ltnH", f"sport = :{stripe_port}"], capture_output=True, text=True)
        if listening.returncode == 0 and listening.stdout.strip():
            assert all(line.split()[3].startswith("127.0.0.1:") for line in listening.stdout.strip().splitlines())
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        try:
            output = proc.communicate(timeout=30)[0].decode()
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            output = proc.communicate()[0].decode()
    assert "Demo staff login" in output
    assert _group_ends(proc.pid, within=20), "something make run started outlived Ctrl-C (worker, beat?)"
    for p in (port, stripe_port):
        with pytest.raises(OSError), socket.create_connection(("127.0.0.1", p), timeout=1):
            pass
