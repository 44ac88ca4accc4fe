"""Tiny HTTP servers on 127.0.0.1 standing in for what the portal POSTs to: a webhook receiver, Sentry's ingest."""

import gzip
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class PostRecorder:
    """Keeps every POSTed body with its headers and answers each with `reply`; runs until closed."""

    def __init__(self) -> None:
        self.received: list[tuple[dict, bytes]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the stdlib's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                recorder.received.append((dict(self.headers), recorder.decode(self.headers, body)))
                status, content = recorder.reply(len(recorder.received))
                self.send_response(status)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def decode(self, headers, body: bytes) -> bytes:
        return body

    def reply(self, count: int) -> tuple[int, bytes]:
        """The status and body of the answer to the `count`th POST."""
        return 200, b""

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Receiver(PostRecorder):
    """A webhook receiver that fails the first `failures` POSTs with `status` (503), then answers 200."""

    def __init__(self, failures: int = 0, status: int = 503) -> None:
        self.failures = failures
        self.status = status
        super().__init__()
        self.url = f"http://127.0.0.1:{self.port}/hooks/guildhall"

    def reply(self, count: int) -> tuple[int, bytes]:
        return (self.status, b"no") if count <= self.failures else (200, b"ok")


class SentryIngest(PostRecorder):
    """A stand-in for Sentry's ingest: keeps every envelope posted to it, unpacked."""

    def __init__(self) -> None:
        super().__init__()
        self.dsn = f"http://publickey@127.0.0.1:{self.port}/42"

    @property
    def envelopes(self) -> list[bytes]:
        return [body for _headers, body in self.received]

    def decode(self, headers, body: bytes) -> bytes:
        encoding = headers.get("Content-Encoding", "")
        if encoding == "gzip":
            return gzip.decompress(body)
        if encoding == "deflate":
            return zlib.decompress(body)
        return body

    def reply(self, count: int) -> tuple[int, bytes]:
        return 200, b"{}"
