"""Flood the daemon's HTTP server on loopback and time /healthz meanwhile.

Starts the seeded sandbox and `ai-watchdog daemon` (dry-run, no cycle at start) and, while 300
clients hang on half-sent POSTs, sends 2,000 hostile or junk requests, 16 connections at a time
(forged Slack signatures, `Content-Length: -1` and `abc`, chunked bodies past the 1 MB limit,
links that are not tokens, unknown paths) and one 50 MB body, probing GET /healthz on a fresh
connection every 10 ms. Prints /healthz's p50/p99/max during the flood against the goal, the
flood's answers and rate, and the daemon's threads and RSS (from /proc) before and at their peak.
Exits 1 if /healthz's p99 reaches 100 ms, a probe failed, a flood request went unanswered, the
threads grew, or the daemon logged a traceback.

    python bench/daemon_flood.py [--requests 2000] [--slow 300] [--workers 16] [--timeout 60]

--timeout is the daemon's WATCHDOG_DAEMON_HTTP_TIMEOUT: longer than the flood, so the slow
clients hang throughout (tests/e2e/test_daemon_http.py checks they are closed after it).
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# The clients and the daemon's start live with the e2e tests; this script runs from a checkout.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from watchdog_sandbox.slack_api import SlackApi

from tests.conftest import FAKE_AWS_ENV
from tests.e2e import flood
from tests.e2e.conftest import ALICE, free_port, start_sandbox
from tests.e2e.daemons import get, start_daemon, wait_for

GOAL_P99_MS = 100.0
PROBE_EVERY_S = 0.01
# Threads the flood may add: none (waitress' pool is fixed), a little slack for measuring.
THREADS_GROWTH = 3
FORGED = "X-Slack-Request-Timestamp: 1700000000", "X-Slack-Signature: v0=" + "0" * 64
# Every request asks for its connection to be closed: a reply read to the close is complete.
CLOSE = "Connection: close"


def hostile(index: int) -> tuple[bytes, list[bytes]]:
    """The index-th flood request: its head (and first bytes) and the body sent after it."""
    kind = index % 20
    if kind == 0:  # past the 1 MB limit, chunked (one in twenty: each uploads a megabyte)
        chunked = flood.head("POST", "/slack/interactions", "Transfer-Encoding: chunked", CLOSE)
        return chunked, list(flood.chunked(2))
    slack = "POST", "/slack/interactions", CLOSE
    requests = [
        flood.head(*slack, *FORGED, "Content-Length: 9") + b"payload=x",
        flood.head(*slack, "Content-Length: -1") + b"payload=x",
        flood.head(*slack, "Content-Length: abc") + b"payload=x",
        flood.head("GET", "/approve/not-a-token.at-all", CLOSE),
        flood.head("GET", "/wp-login.php", CLOSE),
    ]
    return requests[kind % len(requests)], []


def send_flood(port: int, count: int, workers: int) -> tuple[Counter[str], float]:
    """Answers by status ("none": closed without one), and the seconds the flood took."""

    def one(index: int) -> str:
        data, body = hostile(index)
        reply, _ = flood.exchange(port, data, timeout=10, body=body)
        status = flood.status_of(reply)
        return str(status) if status else "none"

    started = time.monotonic()
    with ThreadPoolExecutor(workers, thread_name_prefix="flood") as pool:
        answers = Counter(pool.map(one, range(count)))
    return answers, time.monotonic() - started


def big_body(port: int, result: dict[str, str]) -> None:
    request = flood.head("POST", "/slack/interactions", f"Content-Length: {50 * flood.MB}")
    reply, seconds = flood.exchange(port, request, timeout=30, body=flood.megabytes(50))
    result["answer"] = f"{flood.status_of(reply) or 'closed'} in {seconds * 1000:.0f} ms"


def probe(port: int, done: threading.Event, latencies: list[float], failures: list[str]) -> None:
    while not done.is_set():
        try:
            latencies.append(flood.healthz_ms(port, timeout=5))
        except (OSError, AssertionError) as error:
            failures.append(str(error))
        done.wait(PROBE_EVERY_S)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run(args: argparse.Namespace, port: int, process: flood.Process) -> list[str]:
    """The flood, its report; the goals it missed."""
    threads, rss = process.threads(), process.rss_mb()
    print(f"daemon on 127.0.0.1:{port} (pid {process.pid}): {threads} threads, {rss:.0f} MB RSS")
    latencies: list[float] = []
    failures: list[str] = []
    done, body = threading.Event(), {"answer": "not sent"}
    with flood.peaks_of(process) as peaks:
        started = time.monotonic()
        slow = flood.half_sent(port, args.slow)
        print(f"{args.slow} slow clients connected in {time.monotonic() - started:.2f} s")
        prober = threading.Thread(target=probe, args=(port, done, latencies, failures))
        sender = threading.Thread(target=big_body, args=(port, body))
        prober.start()
        sender.start()
        answers, seconds = send_flood(port, args.requests, args.workers)
        sender.join()
        done.set()
        prober.join()
        still = args.slow - flood.closed_by_server(slow, 0.1)
        flood.close_all(slow)
    shown = ", ".join(f"{status} x {n}" for status, n in sorted(answers.items()))
    print(f"flood: {args.requests} requests in {seconds:.1f} s ({args.requests / seconds:.0f}/s),")
    print(f"  {args.workers} at a time; answers: {shown}")
    print(f"one 50 MB body: {body['answer']}")
    p50, p99 = percentile(latencies, 0.50), percentile(latencies, 0.99)
    print(
        f"/healthz during the flood: {len(latencies)} probes, p50 {p50:.1f} ms, "
        f"p99 {p99:.1f} ms, max {max(latencies):.1f} ms, {len(failures)} failed"
    )
    print(f"threads: {threads} before, {peaks.threads} at peak (+{peaks.threads - threads})")
    print(f"RSS: {rss:.0f} MB before, {peaks.rss_mb:.0f} MB at peak (+{peaks.rss_mb - rss:.0f} MB)")
    print(f"slow clients still hanging when the flood ended: {still} of {args.slow}")
    print(
        f"goal: /healthz p99 < {GOAL_P99_MS:.0f} ms: {p99:.1f} ms, {GOAL_P99_MS / p99:.1f}x under"
    )
    missed = []
    if p99 >= GOAL_P99_MS:
        missed.append(f"/healthz p99 {p99:.1f} ms")
    if failures:
        missed.append(f"{len(failures)} /healthz probes failed: {failures[0]}")
    if answers.get("none"):
        missed.append(f"{answers['none']} flood requests closed without an answer")
    if peaks.threads > threads + THREADS_GROWTH:
        missed.append(f"threads grew from {threads} to {peaks.threads}")
    return missed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--slow", type=int, default=300, help="clients that hang half-way")
    parser.add_argument("--workers", type=int, default=16, help="flood connections at a time")
    parser.add_argument("--timeout", type=int, default=60, help="WATCHDOG_DAEMON_HTTP_TIMEOUT")
    args = parser.parse_args()

    sandbox, url = start_sandbox(**FAKE_AWS_ENV)
    try:
        with tempfile.TemporaryDirectory() as scratch, SlackApi(users={"a@x": ALICE}) as slack:
            log = Path(scratch) / "daemon.log"
            port = free_port()
            daemon = start_daemon(
                url,
                slack,
                Path(scratch) / "watchdog.db",
                port,
                WATCHDOG_MODE="dry-run",
                WATCHDOG_DAEMON_RUN_ON_START="false",
                WATCHDOG_DAEMON_HTTP_TIMEOUT=str(args.timeout),
                AWS_SHARED_CREDENTIALS_FILE="/nonexistent/credentials",
                **FAKE_AWS_ENV,
            )
            try:
                wait_for(lambda: get(f"http://127.0.0.1:{port}/healthz") == 200, "the daemon")
                missed = run(args, port, flood.Process(daemon.pid))
            finally:
                daemon.send_signal(signal.SIGTERM)
                daemon.wait(timeout=60)
            if "Traceback" in log.read_text():
                missed.append("the daemon logged a traceback")
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=30)
    print("FAILED: " + "; ".join(missed) if missed else "ok")
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
