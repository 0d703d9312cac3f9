"""What the daemon's HTTP server logs, and how: every line a structlog event (JSON for the
daemon), with approval tokens replaced by a hash of them and without tracebacks.

Waitress logs through the standard library's `logging`, which nothing here configures: its
warnings and errors would reach stderr as plain text, with a traceback for an exception and
with the request path, token included ("Client disconnected while serving /approve/..."). Its
loggers are handed to structlog instead.
"""

from __future__ import annotations

import logging
import traceback

import structlog

from watchdog.service.routes import redact_tokens

log = structlog.get_logger("watchdog.daemon.http")

WAITRESS = "waitress"
# Warns on every request queued behind a busy thread: a line per request under load, which is
# itself a cost in a flood; /metrics and the access log tell load better.
WAITRESS_QUEUE = "waitress.queue"


class _ToStructlog(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string in a library's log call
            message = str(record.msg)
        fields = {"logger": record.name}
        if record.exc_info and record.exc_info[1] is not None:
            fields |= failure(record.exc_info[1])
        log.log(record.levelno, redact_tokens(message), **fields)


def failure(error: BaseException) -> dict[str, str]:
    """An exception as log fields: the traceback inside the JSON line (never a line of its own
    on stderr), its text with any approval token replaced (a message may quote the path)."""
    text = "".join(traceback.format_exception(error))
    return {
        "error": redact_tokens(f"{type(error).__name__}: {error}"),
        "exception": redact_tokens(text),
    }


def route_server_logs() -> None:
    """Send waitress' log records to structlog (once per process, however many servers)."""
    server = logging.getLogger(WAITRESS)
    if not any(isinstance(h, _ToStructlog) for h in server.handlers):
        server.addHandler(_ToStructlog())
    server.propagate = False  # nor to a root handler someone else set up
    server.setLevel(logging.INFO)  # structlog's level decides what is written
    logging.getLogger(WAITRESS_QUEUE).setLevel(logging.ERROR)


def access_logged(method: str, path: str, status: int, seconds: float) -> None:
    """One debug line per request; the path without its token, and never the query string."""
    log.debug(
        "http request",
        method=method,
        path=redact_tokens(path),
        status=status,
        ms=round(seconds * 1000, 1),
    )
