"""The daemon's HTTP server: waitress (WSGI), translating to and from the framework-free routes in
watchdog.service.routes.

Why waitress and not the standard library's threading server: that one read a body sent with
`Content-Length: -1` until the client closed (50 MB into memory before answering 401), dropped
`Content-Length: abc` with a traceback, and gave each of 300 stalled clients a thread of its own
for as long as they liked. Waitress reads every request in one event loop and hands only
complete ones to a fixed pool of threads, so a slow client costs a socket, not a thread; it
refuses a bad or missing length (400) and a body past the limit (413, chunked too) before
reading it; it caps open connections and closes idle ones.
"""

from __future__ import annotations

import resource
import threading
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import structlog
from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.server import TcpWSGIServer

from watchdog.approvals.http import Response
from watchdog.daemon.http_logs import access_logged, failure, route_server_logs
from watchdog.service.routes import TEXT, Request, redact_tokens

log = structlog.get_logger(__name__)

# Slack's interaction payloads and the confirm form are small; refuse anything big unread.
MAX_BODY = 1_000_000
# Requests are answered from the store in milliseconds and the slow work runs on the daemon's
# own worker, so a few threads serve everyone: more would only buffer more at once.
THREADS = 4
# File descriptors the process needs besides its HTTP connections (the store, AWS and Slack
# clients, logs).
SPARE_FDS = 128
# How long `shutdown` waits for the serving loop to notice (it wakes at once when poked).
STOP_WAIT_S = 5.0

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class _Server(TcpWSGIServer):  # type: ignore[misc]  # waitress ships no type hints
    """Waitress closes a connection only once it has been idle for `channel_timeout`, so a
    client trickling a byte a second would keep its socket for ever: here a request still
    arriving after `channel_timeout` closes its connection too."""

    _arriving: dict[int, float]

    def maintenance(self, now: float) -> None:
        super().maintenance(now)
        arriving = getattr(self, "_arriving", {})
        seen: dict[int, float] = {}
        for channel in self.active_channels.values():
            partial = channel.request  # the request being read; None between requests
            if partial is None or channel.requests:
                continue
            first = seen[id(partial)] = arriving.get(id(partial), now)
            if now - first >= self.adj.channel_timeout:
                channel.will_close = True
        self._arriving = seen


class HttpServer:
    """One listening socket served by a waitress loop on the caller's thread (`serve_forever`),
    stopped from another (`shutdown`), then closed (`close`, also on one never started)."""

    def __init__(
        self,
        host: str,
        port: int,
        handle: Callable[[Request], Response],
        timeout_s: int = 10,
        max_connections: int = 500,
    ) -> None:
        route_server_logs()
        _allow_open_files(max_connections + SPARE_FDS)
        self._map: dict[int, Any] = {}
        # cleanup_interval: how often idle and trickling connections are looked for; at a
        # quarter of the timeout, one is closed within 1.25 timeouts.
        adjustments = Adjustments(
            host=host,
            port=port,
            threads=THREADS,
            connection_limit=max_connections,
            channel_timeout=timeout_s,
            cleanup_interval=max(1, timeout_s // 4),
            max_request_body_size=MAX_BODY,
            expose_tracebacks=False,
            ident="ai-cost-watchdog",
            # poll(), not select(): select cannot watch a descriptor numbered past 1023.
            asyncore_use_poll=True,
        )
        self._server = _Server(wsgi_app(handle), map=self._map, adj=adjustments)
        self._loop_s = float(adjustments.asyncore_loop_timeout)
        self._stopping = threading.Event()
        self._stopped = threading.Event()
        self._stopped.set()  # until it serves

    @property
    def port(self) -> int:
        return int(self._server.effective_port)

    def serve_forever(self) -> None:
        self._stopped.clear()
        try:
            while not self._stopping.is_set():
                wasyncore.loop(timeout=self._loop_s, map=self._map, use_poll=True, count=1)
        finally:
            self._stopped.set()

    def shutdown(self) -> None:
        """Stop serving: the loop ends at its next turn, woken now, and is waited for."""
        self._stopping.set()
        self._server.pull_trigger()
        if not self._stopped.wait(STOP_WAIT_S):
            log.warning("the HTTP loop did not stop in time")

    def close(self) -> None:
        """Let requests being answered finish (briefly), then close every socket."""
        self._stopping.set()
        self._server.task_dispatcher.shutdown(timeout=STOP_WAIT_S)
        wasyncore.close_all(self._map)


def wsgi_app(handle: Callable[[Request], Response]) -> Callable[..., Iterable[bytes]]:
    """The routes as a WSGI application. The server has already refused what the routes must
    never see (a bad length, a body past MAX_BODY); no exception leaves here, so none reaches
    the client or waitress' own logging."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        # The raw path, as the routes have always had it (PATH_INFO is percent-decoded).
        path = urlsplit(environ.get("REQUEST_URI") or environ.get("PATH_INFO") or "/").path
        try:
            request = Request(method, path, _headers(environ), _body(environ))
            response = handle(request)
        except Exception as error:  # one request's failure must not take the server down
            log.error("request failed", method=method, path=redact_tokens(path), **failure(error))
            response = Response(500, dict(TEXT), "internal error")
        payload = response.body.encode()
        headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(payload))))
        start_response(f"{response.status} {_reason(response.status)}", headers)
        access_logged(method, path, response.status, time.perf_counter() - started)
        return [] if method == "HEAD" else [payload]

    return app


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    """The request's headers under their usual spelling (`X-Slack-Signature`)."""
    headers = {
        key[5:].replace("_", "-").title(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").title()] = str(environ[key])
    return headers


def _body(environ: dict[str, Any]) -> str:
    """Waitress has read the whole body before calling the app (a chunked one too, which it
    gives a Content-Length), within MAX_BODY."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length <= 0:
        return ""
    data: bytes = environ["wsgi.input"].read(length)
    return data.decode("utf-8", errors="replace")


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _allow_open_files(needed: int) -> None:
    """Raise the soft open-file limit towards the hard one when the connection limit needs it:
    past it, accept() fails and the waiting connection wakes the loop again and again."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return
    wanted = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if wanted > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    if wanted < needed:
        log.warning(
            "the open-file limit is below what the connection limit needs",
            limit=wanted,
            needed=needed,
        )
