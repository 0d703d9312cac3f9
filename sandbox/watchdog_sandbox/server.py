"""A local AWS for trying the watchdog: moto's server with the sandbox additions, optionally seeded.

`serve()` backs `ai-watchdog sandbox serve`; `running_server()` is the same thing for tests and the
demo. The server runs in this process (moto's app, served by waitress: http_server.py), so the
additions patched into moto by `install()` apply to it, and its state is moto's in-process state:
it is reset when a server starts and when it stops, so each server is a fresh AWS.
"""

from __future__ import annotations

import gc
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, Protocol

import boto3
from moto.moto_api._internal.models import moto_api_backend
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from watchdog_sandbox import install
from watchdog_sandbox.http_server import SandboxHttpServer
from watchdog_sandbox.seed import (
    DEMO_EXTERNAL_ID,
    DEMO_REGIONS,
    MEMBER_ROLE_NAME,
    SeedSummary,
    seed_demo_account,
)

# moto accepts any credentials; these are the ones its documentation uses.
FAKE_ACCESS_KEY = "testing"
FAKE_SECRET_KEY = "testing"
DEFAULT_REGION = "us-east-1"


def client_host(host: str) -> str:
    """Where a client on this machine reaches a server bound to `host`."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def sandbox_session() -> boto3.Session:
    """A boto3 session with moto's fake credentials, independent of the caller's environment."""
    return boto3.Session(
        aws_access_key_id=FAKE_ACCESS_KEY,
        aws_secret_access_key=FAKE_SECRET_KEY,
        region_name=DEFAULT_REGION,
    )


def point_this_process_at(url: str, region: str = DEFAULT_REGION) -> None:
    """Send this process's AWS calls to the sandbox at `url`, with its fake credentials.

    The user's own AWS settings (profile, session token) are dropped from this process only.
    """
    os.environ.update(
        AWS_ENDPOINT_URL=url,
        AWS_ACCESS_KEY_ID=FAKE_ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY=FAKE_SECRET_KEY,
        AWS_DEFAULT_REGION=region,
    )
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket bound in the caller's thread, so a taken port raises OSError here,
    not in a server thread the caller would wait on for ever (as moto's ThreadedMotoServer
    does: deaf to Ctrl-C and SIGTERM)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        # As http.server does: a restarted sandbox may reuse a port still in TIME_WAIT.
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(128)
    except OSError:
        listener.close()
        raise
    return listener


class SharedSeconds(Protocol):
    """A multiprocessing.Value("d"): a float both sides of a fork read and write."""

    value: float


class Wire:
    """The time AWS's answers spend on the wire, added to every request the sandbox serves.

    Each request sleeps in its own server thread, so concurrent requests overlap their wire
    time as they do against AWS, and a client that overlaps its calls gains what it would
    there. Zero (the default) adds nothing; set after seeding, so a seed stays fast."""

    def __init__(self) -> None:
        self.seconds = 0.0
        # A server in a child process reads its wire time from memory its parent writes.
        self.shared: SharedSeconds | None = None

    def wrap(self, app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
        def delayed(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
            seconds = self.shared.value if self.shared is not None else self.seconds
            if seconds > 0:
                time.sleep(seconds)
            return app(environ, start_response)

        return delayed


# How long a request whose wire time is over waits for the one being answered, at most.
IN_TURN_WAIT_S = 1.0


def in_turn(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """`app` answering one request of each AWS service at a time, each to its end.

    AWS computes concurrent answers on machines of their own; the sandbox computes them in one
    interpreter. Computed together, answers share it a switch interval at a time and all end
    late: four GetMetricData answers of 500 series each (a plan of 1,000 endpoints) ended
    together, over a second after their wire time. In turn, the first ends after its own work
    and the client reads it while the next is computed. Each service takes its own turns, as
    each is its own fleet at AWS: a small Price List or Cost Explorer answer does not wait for
    the GetMetricData answers ahead of it (with one turn for all, the plan's eight GetProducts
    calls took 378-525 ms each, 81 ms with a turn per service). At 50 ms, alternated in one
    hour, against no turns: a 1,000-endpoint plan's signals 2.64-2.68 -> 2.24-2.30 s and the
    next plan's 2.43-2.91 -> 1.83-1.99 s (bench/plan.py); an organization's scan, 60 shards and
    a hundred calls in flight, 41.5 and 37.6 -> 33.1 and 30.7 s (bench/scan.py --org 20), and in
    a slower hour 45.5 s with one turn for all, 40.5 and 41.9 s with one per service; one
    region's scan unchanged.
    Wire time still overlaps (it is slept before the turn), and moto's backends, dicts changed in
    place without locks, see one request of a service at a time. A request that waits longer
    than IN_TURN_WAIT_S (for an answer blocked on something) is answered without its turn: one
    request never stops the sandbox."""
    turns: dict[str, threading.Lock] = {}
    guard = threading.Lock()

    def answered_in_turn(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        service = _signed_for(environ)
        with guard:
            turn = turns.setdefault(service, threading.Lock())
        mine = turn.acquire(timeout=IN_TURN_WAIT_S)
        try:
            return app(environ, start_response)
        finally:
            if mine:
                turn.release()

    return answered_in_turn


def _signed_for(environ: dict[str, Any]) -> str:
    """The service a request is signed for: its SigV4 credential scope names it
    (Credential=KEY/DATE/REGION/SERVICE/aws4_request); "" for an unsigned request."""
    authorization = str(environ.get("HTTP_AUTHORIZATION", ""))
    _, found, scope = authorization.partition("Credential=")
    parts = scope.split(",", 1)[0].split("/")
    return parts[3] if found and len(parts) >= 5 else ""


# How long a thread holding the sandbox's interpreter may run before one waiting is let in.
# AWS answers requests in parallel; the sandbox serves them from one interpreter, where a
# request whose wire time is over waits for the thread serializing another (a Search page,
# a GetMetricData answer) to give way: after Python's default 5 ms, 1 ms here. Measured on a
# first plan of 1,000 endpoints at 50 ms (three runs each, alternated): DescribeEndpointConfig
# 73-79 -> 67-70 ms a call, the scan 10.1-11.3 -> 9.3-9.8 s. Only a process that is the
# sandbox sets it (`serve`, the forked server of server_process); the watchdog sets its own
# (watchdog.switching), the same, for its own reasons.
SERVER_SWITCH_INTERVAL_S = 0.001


def answer_waiting_requests_sooner() -> None:
    """Shorten this process's interpreter switch interval: call only in a sandbox process."""
    sys.setswitchinterval(SERVER_SWITCH_INTERVAL_S)


def keep_the_seed_out_of_collections() -> None:
    """Collect once, then leave every object alive now out of every later collection
    (gc.freeze): call only in a process that is the sandbox, after its seed.

    The 1,000-endpoint seed of bench/plan.py leaves 2.8 million objects (moto's records, a week
    of hourly datapoints), all alive for the server's life. CPython walks every one of them in
    each collection of its oldest generation: 1.5 s, holding the interpreter lock, so every
    request waits. The seed leaves that collection due soon after, and in one run in three here it
    fell inside the first plan (11.3 s instead of 9.1-9.2 s; the sandbox's CPU 5.2 s instead of
    3.0-3.1 s). AWS has no such pause. What is frozen is still freed when nothing refers to it
    (only a cycle among frozen objects stays), and what requests create later is collected as
    before."""
    gc.collect()
    gc.freeze()


_WIRES: dict[str, Wire] = {}
# The wire time of servers this process runs in child processes, by URL.
SHARED_WIRES: dict[str, SharedSeconds] = {}


def wire_of(url: str) -> Wire:
    """The wire of the server this process serves at `url`."""
    return _WIRES[url]


def set_latency(url: str, latency_ms: float) -> None:
    """Change the wire time of the running server at `url` (a benchmark measuring several),
    served here or from a child process (`server_process.running_server_process`)."""
    if url in SHARED_WIRES:
        SHARED_WIRES[url].value = latency_ms / 1000
    else:
        _WIRES[url].seconds = latency_ms / 1000


class _Dispatcher(DomainDispatcherApplication):
    """moto's dispatcher, finding each host's backend once.

    moto's lists its own package directory (a stat per service) and tries its URL patterns
    for every request, holding the one lock all requests take: about 1 ms a SageMaker call
    (measured 1.03 ms), one call at a time, which AWS never spends. Its answer depends on the
    host alone (the directory and the patterns are fixed), so it is kept; the lock still
    guards the table."""

    def __init__(self, create_app: Callable[[Any], Any]) -> None:
        super().__init__(create_app)
        self._backends: dict[str | None, Any] = {}

    def get_backend_for_host(self, host: str | None) -> Any:
        if host not in self._backends:
            self._backends[host] = super().get_backend_for_host(host)
        return self._backends[host]


def _start_server(host: str, port: int, wire: Wire) -> SandboxHttpServer:
    """moto's WSGI app served from a socket bound here, in a daemon thread."""
    listener = _listen(host, port)
    try:
        return SandboxHttpServer(wire.wrap(in_turn(_Dispatcher(create_backend_app))), listener)
    except BaseException:
        listener.close()
        raise


@contextmanager
def _moto_server(host: str, port: int, wire: Wire) -> Iterator[str]:
    """Serve the sandbox for the block. OSError at once if the port cannot be bound."""
    install()
    moto_api_backend.reset()
    server = _start_server(host, port, wire)
    try:
        yield f"http://{client_host(host)}:{server.port}"
    finally:
        server.stop()  # the port is free after
        moto_api_backend.reset()


@contextmanager
def running_server(
    port: int = 0,
    seed: bool = False,
    *,
    host: str = "127.0.0.1",
    latency_ms: float = 0,
    seed_with: Callable[[str], object] | None = None,
) -> Iterator[str]:
    """Run the sandbox server for the duration of the block and yield its base URL.

    `port=0` picks a free port. With `seed=True` the demo organisation is created first (see
    `seed_demo_account`); callers that need its summary seed themselves with the yielded URL,
    or pass `seed_with(url)` (a benchmark's fleet), which runs before the wire time starts.
    `latency_ms` is added to every request served after the seed (Wire).
    """
    wire = Wire()
    with _moto_server(host, port, wire) as url:
        if seed:
            seed_demo_account(sandbox_session(), endpoint_url=url)
        if seed_with is not None:
            seed_with(url)
        wire.seconds = latency_ms / 1000
        _WIRES[url] = wire
        try:
            yield url
        finally:
            _WIRES.pop(url, None)


def usage(url: str, summary: SeedSummary | None) -> str:
    """What to tell a person who just started the server."""
    lines = [
        f"ai-cost-watchdog sandbox: moto with the watchdog additions at {url}",
        "",
        "Point the AWS SDKs and CLIs at it from another shell:",
        f"  export AWS_ENDPOINT_URL={url} AWS_ACCESS_KEY_ID={FAKE_ACCESS_KEY} "
        f"AWS_SECRET_ACCESS_KEY={FAKE_SECRET_KEY} AWS_DEFAULT_REGION={DEFAULT_REGION}",
    ]
    if summary is not None:
        counts = ", ".join(f"{n} {kind}" for kind, n in summary.counts().items())
        lines += [
            "",
            f"Seeded: management account {summary.management_account_id}, member account(s) "
            f"{', '.join(summary.member_account_ids)}, regions {', '.join(summary.regions)}.",
            f"  {counts}",
            "Scan the whole organisation with:",
            f"  export WATCHDOG_REGIONS={','.join(DEMO_REGIONS)} WATCHDOG_ACCOUNTS=organization "
            f"WATCHDOG_MEMBER_ROLE={MEMBER_ROLE_NAME} WATCHDOG_EXTERNAL_ID={DEMO_EXTERNAL_ID}",
            "Resources carry realistic ages (created days to months ago) and eight days of hourly",
            "metrics: idle endpoints older than the 7-day window show as idle; chatbot-west-poc,",
            "created two days ago, shows as unknown (too young to tell).",
        ]
    lines += ["", "Press Ctrl+C to stop."]
    return "\n".join(lines)


def serve(
    host: str = "127.0.0.1", port: int = 5000, seed: bool = False, latency_ms: float = 0
) -> None:
    """Run the sandbox server until SIGINT or SIGTERM, then stop it cleanly.

    Must be called from the main thread (Python delivers signals only there).
    """
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        del frame
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        wire = Wire()
        with _moto_server(host, port, wire) as url:
            summary = seed_demo_account(sandbox_session(), endpoint_url=url) if seed else None
            keep_the_seed_out_of_collections()
            wire.seconds = latency_ms / 1000
            answer_waiting_requests_sooner()  # after the seed, which runs in this process
            print(usage(url, summary), flush=True)
            if latency_ms:
                print(f"Every request takes {latency_ms:g} ms more, as on AWS's wire.", flush=True)
            # A timed wait keeps the main thread returning to the interpreter, where Python
            # runs signal handlers.
            while not stop.wait(0.5):
                pass
        print("Sandbox server stopped.", file=sys.stderr, flush=True)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
