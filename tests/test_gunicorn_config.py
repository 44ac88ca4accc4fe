"""gunicorn.conf.py: kept-alive connections are spread over the workers, not piled on the first awake."""

import http.client
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port

APP = """
import os

def application(environ, start_response):
    body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
"""
CONNECTIONS, WORKERS = 48, 3


def _listening_sockets(port: int) -> int:
    """Sockets listening on 127.0.0.1:`port` (/proc/net/tcp: local address, then state 0A = LISTEN)."""
    local = f"0100007F:{port:04X}"
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(1 for row in rows if row.split()[1] == local and row.split()[3] == "0A")


def _wait_until_every_worker_listens(port: int, workers: int, deadline: float) -> None:
    """A worker's own socket joins the port when it boots: until all have, the others take its share."""
    while _listening_sockets(port) < workers:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{_listening_sockets(port)} of {workers} workers listen on {port}")
        time.sleep(0.1)


@pytest.mark.process
def test_connections_opened_in_a_burst_are_spread_over_the_workers(tmp_path):
    """A burst of keep-alive connections, as wrk or a proxy opening its pool makes: with one shared
    listening socket the first worker awake took most of them (46 of 48 in one run), and served them on one
    core (its GIL) while the others idled: `make bench` saw half the requests per second in about half
    of its runs. With a socket per worker the kernel spreads them."""
    (tmp_path / "pid_app.py").write_text(APP)
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"), "--chdir", str(tmp_path),
            "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS), "--worker-class", "gthread",
            "--threads", "2", "--keep-alive", "30", "pid_app:application",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )  # fmt: skip
    try:
        _wait_until_every_worker_listens(port, WORKERS, time.monotonic() + 30)
        # Each handshake completes in the kernel before any worker accepts: the burst is in the queue.
        connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(CONNECTIONS)]
        for conn in connections:
            conn.connect()
        worker_of = []
        for conn in connections:
            conn.request("GET", "/")
            worker_of.append(conn.getresponse().read().decode())
        for conn, worker in zip(connections, worker_of, strict=True):  # kept alive: the same worker answers
            conn.request("GET", "/")
            assert conn.getresponse().read().decode() == worker
            conn.close()
    finally:
        server.terminate()
        server.wait(10)

    per_worker = sorted(Counter(worker_of).values())
    # The kernel hashes each connection to a worker's socket: about 16 each. More than 28 of 48 on one
    # worker would be a 1-in-5,000 chance were the spread random; one shared socket did it in most runs.
    assert max(per_worker) <= 28, f"connections per worker: {per_worker}"
