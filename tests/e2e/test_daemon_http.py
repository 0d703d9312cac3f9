"""The daemon's HTTP server as an attacker on loopback tries it, with raw sockets against the real
`ai-watchdog daemon`: a bad or huge length, a chunked body past the limit, 300 stalled clients and
a trickling one. Each is refused or closed within seconds, the daemon's threads and memory (read
from /proc) stay where they were, /healthz keeps answering, and its log holds JSON lines only:
no traceback, and no approval token (at debug level)."""

from __future__ import annotations

import hashlib
import json
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from watchdog_sandbox.slack_api import SlackApi

from tests.conftest import FAKE_AWS_ENV
from tests.e2e import flood
from tests.e2e.conftest import ALICE, free_port
from tests.e2e.daemons import LINK_SECRET, get, start_daemon, wait_for
from tests.e2e.flood import Process, exchange, head, status_of
from watchdog.approvals.tokens import issue_token

# Short, so that the stalled clients' test waits seconds: the server's only timing setting.
TIMEOUT_S = 2
# What "within seconds" means for a refusal, on a loaded 2-core CI machine.
ANSWERED_S = 3.0
# Waitress looks for idle and trickling connections every TIMEOUT_S // 4 (at least 1 s).
CLOSED_S = TIMEOUT_S + 1 + ANSWERED_S
# Memory a refused body may cost (the old server held a 50 MB one).
RSS_GROWTH_MB = 25
# Threads a flood may add: none (a fixed pool), a few of slack for the machine's own.
THREADS_GROWTH = 3


@dataclass
class Running:
    port: int
    process: Process
    log: Path

    def log_lines(self) -> list[str]:
        return [line for line in self.log.read_text().splitlines() if line.strip()]

    def assert_clean_log(self) -> None:
        """Structured lines only (JSON), and no traceback anywhere in them."""
        lines = self.log_lines()
        assert not [line for line in lines if "Traceback" in line], "\n".join(lines)
        for line in lines:
            json.loads(line)  # raises on a plain-text line


@pytest.fixture(scope="module")
def daemon(sandbox_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """One daemon for the module, on the shared sandbox: dry-run and no cycle at start (it must
    not change what other tests find), debug logs (to see what the access log holds)."""
    directory = tmp_path_factory.mktemp("daemon-http")
    port = free_port()
    with SlackApi(users={"alice@example.com": ALICE}, channels={"#finops": "C0FINOPS01"}) as slack:
        process = start_daemon(
            sandbox_url,
            slack,
            directory / "watchdog.db",
            port,
            WATCHDOG_MODE="dry-run",
            WATCHDOG_DAEMON_RUN_ON_START="false",
            WATCHDOG_LOG_LEVEL="debug",
            WATCHDOG_DAEMON_HTTP_TIMEOUT=str(TIMEOUT_S),
            # Module-scoped: set up before the per-test fake_aws_env, so given here.
            AWS_SHARED_CREDENTIALS_FILE="/nonexistent/credentials",
            **FAKE_AWS_ENV,
        )
        try:
            wait_for(lambda: get(f"http://127.0.0.1:{port}/healthz") == 200, "the daemon")
            yield Running(port, Process(process.pid), directory / "daemon.log")
        finally:
            process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=60)
    assert code == 0, (directory / "daemon.log").read_text()


@pytest.mark.parametrize("length", ["-1", "abc", "+5", "1_0"])
def test_a_bad_content_length_is_a_400_at_once(daemon: Running, length: str) -> None:
    request = head("POST", "/slack/interactions", f"Content-Length: {length}") + b"payload=x"
    reply, seconds = exchange(daemon.port, request, timeout=ANSWERED_S + 2)

    assert status_of(reply) == 400, reply[:300]
    assert seconds < ANSWERED_S
    daemon.assert_clean_log()


@pytest.mark.parametrize(
    ("headers", "body", "refused"),
    [
        # The old server read this one until the client closed: 50 MB into memory.
        (("Content-Length: -1",), flood.megabytes(50), 400),
        (("Content-Length: 52428800",), flood.megabytes(50), 413),
        (("Transfer-Encoding: chunked",), flood.chunked(3), 413),
    ],
    ids=["length-minus-one", "length-50MB", "chunked-3MB"],
)
def test_a_body_past_the_limit_is_refused_without_holding_it(
    daemon: Running, headers: tuple[str, ...], body: Iterator[bytes], refused: int
) -> None:
    before = daemon.process.rss_mb()
    with flood.peaks_of(daemon.process) as peaks:
        request = head("POST", "/slack/interactions", *headers)
        reply, seconds = exchange(daemon.port, request, timeout=ANSWERED_S + 5, body=body)

    # A refusal, or the connection closed under a client still sending (its reply lost).
    assert status_of(reply) in (refused, None), reply[:300]
    assert seconds < ANSWERED_S
    assert peaks.rss_mb - before < RSS_GROWTH_MB, f"{before:.0f} -> {peaks.rss_mb:.0f} MB"
    assert flood.healthz_ms(daemon.port) < 1000
    daemon.assert_clean_log()


def test_300_stalled_clients_hold_no_thread_and_are_closed_while_healthz_answers(
    daemon: Running,
) -> None:
    threads = daemon.process.threads()
    with flood.peaks_of(daemon.process) as peaks:
        hanging = flood.half_sent(daemon.port, 300)
        try:
            answered = [flood.healthz_ms(daemon.port) for _ in range(10)]
            closed = flood.closed_by_server(hanging, CLOSED_S)
        finally:
            flood.close_all(hanging)

    assert max(answered) < 1000, answered
    assert closed == 300
    assert peaks.threads <= threads + THREADS_GROWTH, f"{threads} -> {peaks.threads} threads"
    daemon.assert_clean_log()


def test_a_client_trickling_its_request_is_closed_after_the_timeout(daemon: Running) -> None:
    """A byte every half second keeps a connection from ever being idle: it is the request's
    age that closes it."""
    request = head("POST", "/slack/interactions", "Content-Length: 1000")
    started = time.monotonic()
    with flood.connected(daemon.port) as sock:
        closed = flood.trickle(sock, request, every_s=0.5, for_s=CLOSED_S + 3)
    assert closed, "still open after the trickle"
    assert time.monotonic() - started < CLOSED_S + 1
    daemon.assert_clean_log()


def test_approval_tokens_are_never_logged_even_at_debug(daemon: Running) -> None:
    expires = datetime.now(UTC) + timedelta(hours=1)
    token = issue_token(LINK_SECRET.encode(), "f-e2e-not-a-finding", "delete", expires)
    path = f"/approve/{token}"
    for method in ("GET", "HEAD"):
        reply, _ = exchange(daemon.port, head(method, path, "Connection: close"))
        assert status_of(reply) is not None, reply[:300]
    form = b"confirm=1"
    post = head("POST", path, f"Content-Length: {len(form)}", "Connection: close") + form
    assert status_of(exchange(daemon.port, post)[0]) is not None
    # One that stops half-way, and one with the token in a query string too.
    exchange(daemon.port, head("POST", path, "Content-Length: 100") + b"confirm", timeout=0.5)
    exchange(daemon.port, head("GET", f"/healthz?t={token}", "Connection: close"))

    wait_for(lambda: "/approve/" in daemon.log.read_text(), "the access log's lines", 10)
    body, signature = token.split(".")
    leaked = [line for line in daemon.log_lines() if body in line or signature in line]
    assert leaked == []
    # What the log says instead: a hash that matches the token an operator holds.
    assert "/approve/sha256:" + hashlib.sha256(token.encode()).hexdigest()[:12] in str(
        daemon.log_lines()
    )
    daemon.assert_clean_log()
