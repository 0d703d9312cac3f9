"""The daemon's HTTP server: the standard library's threading server, translating to and from
the framework-free routes in watchdog.service.routes."""

from __future__ import annotations

from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import structlog

from watchdog.approvals.http import Response
from watchdog.service.routes import Request

log = structlog.get_logger(__name__)

# Slack's interaction payloads and the confirm form are small; refuse anything big unread.
MAX_BODY = 1_000_000


def make_server(host: str, port: int, handle: Callable[[Request], Response]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        server_version = "ai-cost-watchdog"

        def do_GET(self) -> None:
            self._answer("GET")

        def do_HEAD(self) -> None:
            self._answer("HEAD")

        def do_POST(self) -> None:
            self._answer("POST")

        def _answer(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._send(Response(413, {"Content-Type": "text/plain"}, "too large"), method)
                return
            body = self.rfile.read(length).decode("utf-8", errors="replace") if length else ""
            request = Request(method, urlsplit(self.path).path, dict(self.headers.items()), body)
            try:
                response = handle(request)
            except Exception:  # one request's failure must not take the server down
                log.exception("request failed", path=request.path)
                response = Response(500, {"Content-Type": "text/plain"}, "internal error")
            self._send(response, method)

        def _send(self, response: Response, method: str) -> None:
            payload = response.body.encode()
            self.send_response(response.status)
            for key, value in response.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            log.debug("http", request=format % args)

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server
