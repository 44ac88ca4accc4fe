"""The localstripe launcher: loopback only, state where we say, our webhook registered at start."""

import hashlib
import hmac
import json
import socket
import subprocess
import threading
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tests.conftest import free_port, start_localstripe

pytestmark = pytest.mark.localstripe


def _non_loopback_address() -> str | None:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.connect(("192.0.2.1", 9))  # TEST-NET: nothing is sent, it only picks a route
            address = sock.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address


def _post(url: str, data: bytes, headers: dict) -> dict:
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
        return json.loads(response.read())


def _launch(port: int, state, *options: str) -> subprocess.Popen:
    """The launcher on `port`, its state kept in the file `state`, once it listens."""
    return start_localstripe(port, "--state", str(state), *options)


def _call(port: int, method: str, path: str, data: dict | None = None) -> dict:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, method=method)  # noqa: S310
    request.add_header("Authorization", "Bearer sk_test_x")
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
        return json.loads(response.read())


def test_binds_loopback_only(localstripe_server):
    port = localstripe_server["port"]
    with socket.create_connection(("127.0.0.1", port), timeout=2):
        pass
    address = _non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address to try")
    with pytest.raises(OSError), socket.create_connection((address, port), timeout=2):
        pass


def test_webhook_is_registered_at_start_and_signed(tmp_path):
    received: list[tuple[bytes, str]] = []
    arrived = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((body, self.headers["Stripe-Signature"]))
            self.send_response(200)
            self.end_headers()
            arrived.set()

        def log_message(self, *args):
            pass

    hook_server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=hook_server.serve_forever, daemon=True).start()
    port = free_port()
    state = tmp_path / "localstripe.pickle"
    proc = _launch(
        port,
        state,
        "--webhook-url",
        f"http://127.0.0.1:{hook_server.server_port}/hook/",
        "--webhook-secret",
        "whsec_test",
    )
    try:
        customer = _post(
            f"http://127.0.0.1:{port}/v1/customers",
            b"email=buyer%40example.org",
            {"Authorization": "Bearer sk_test_x", "Content-Type": "application/x-www-form-urlencoded"},
        )
        assert customer["id"].startswith("cus_")
        assert arrived.wait(10), "localstripe did not deliver customer.created to our webhook"
        body, header = received[0]
        parts = dict(item.split("=", 1) for item in header.split(","))
        expected = hmac.new(b"whsec_test", parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(parts["v1"], expected)
        assert json.loads(body)["type"] == "customer.created"
        assert state.exists(), "the state file lives where we said, not in /tmp"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        hook_server.shutdown()


def test_lists_hold_each_type_s_objects_in_order_also_after_a_restart(tmp_path):
    """Listing reads the launcher's index by type (localstripe would walk its whole store): the same answers."""
    port, state = free_port(), tmp_path / "localstripe.pickle"
    proc = _launch(port, state)
    try:
        emails = [f"buyer{n}@example.org" for n in range(3)]
        for email in emails:
            _call(port, "POST", "/v1/customers", {"email": email})
        intent = _call(
            port,
            "POST",
            "/v1/payment_intents",
            {"amount": "1000", "currency": "eur", "payment_method": "pm_card_visa", "confirm": "true"},
        )
        _call(port, "POST", "/v1/refunds", {"payment_intent": intent["id"], "amount": "400"})
        listed = sorted(c["email"] for c in _call(port, "GET", "/v1/customers?limit=100")["data"])
        refunds = _call(port, "GET", f"/v1/refunds?payment_intent={intent['id']}")["data"]
        assert listed == emails and [r["amount"] for r in refunds] == [400]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    proc = _launch(port, state)  # the state file loaded again: indexed as well
    try:
        assert sorted(c["email"] for c in _call(port, "GET", "/v1/customers?limit=100")["data"]) == emails
        assert len(_call(port, "GET", f"/v1/refunds?payment_intent={intent['id']}")["data"]) == 1
    finally:
        proc.terminate()
        proc.wait(timeout=10)
