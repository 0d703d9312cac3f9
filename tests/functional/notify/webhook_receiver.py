"""A local webhook receiver for the tests: verifies every request's signature as a real
receiver would (401 when it does not verify), records what came, and answers as scripted."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from watchdog.notify.webhook_signing import EVENT_ID, SIGNATURE, TIMESTAMP, verify

SECRET = "s3cr3t-" + "k" * 40


@dataclass(frozen=True)
class Reply:
    status: int = 204
    headers: dict[str, str] = field(default_factory=dict)
    hang: float = 0.0  # seconds before answering (a slow receiver)


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    verified: bool
    status: int  # what it was answered

    @property
    def event(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.body)
        return loaded


@dataclass
class Receiver:
    secret: str = SECRET
    now: Callable[[], float] = time.time
    script: list[Reply] = field(default_factory=list)  # next answers, first first; then 204
    received: list[Received] = field(default_factory=list)
    url: str = ""
    release: threading.Event = field(default_factory=threading.Event)

    def answer(self, *replies: Reply) -> None:
        self.script.extend(replies)

    def events(self) -> list[dict[str, Any]]:
        """The events it took (2xx), in order."""
        return [r.event for r in self.received if 200 <= r.status < 300]

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length", "0")))
        headers = {k.lower(): v for k, v in handler.headers.items()}
        verified = verify(
            self.secret,
            headers.get(TIMESTAMP.lower()),
            body,
            headers.get(SIGNATURE.lower()),
            self.now(),
        )
        reply = self.script.pop(0) if self.script else Reply()
        if reply.hang:
            self.release.wait(reply.hang)
        status = reply.status if verified else 401
        self.received.append(Received(headers, body, verified, status))
        handler.send_response(status)
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", "0")
        handler.end_headers()


@contextmanager
def running(receiver: Receiver | None = None) -> Iterator[Receiver]:
    """The receiver, listening on a free loopback port until the block ends."""
    serving = receiver or Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            serving._handle(self)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.block_on_close = False
    serving.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/watchdog?token=t0k"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield serving
    finally:
        serving.release.set()
        server.shutdown()
        server.server_close()


def event_ids(receiver: Receiver) -> list[str]:
    return [r.headers[EVENT_ID.lower()] for r in receiver.received]
