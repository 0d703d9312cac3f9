"""The sandbox served from a child process, for benchmarks that measure what a user will see.

In-process, the emulator's CPU (moto parsing 500-query GetMetricData requests, building their
answers) competes with the product's own threads for one interpreter lock, so a benchmark counts
the emulator's work as the watchdog's. AWS's CPU is not the caller's: a forked child gives the
emulator its own interpreter (and core), and leaves the caller only its own work and the wire.

The child is forked, not spawned, so the seed callable (a benchmark's closure, with direct
access to moto's backends for backdating) runs there without being pickled; what it returns
comes back through a pipe and must be picklable.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from typing import Any

from watchdog_sandbox.server import (
    SHARED_WIRES,
    SharedSeconds,
    answer_waiting_requests_sooner,
    keep_the_seed_out_of_collections,
    running_server,
    wire_of,
)

# Seeding 1,000 endpoints with a week of metrics takes about a minute on a slow machine.
STARTUP_TIMEOUT_S = 600.0


@contextmanager
def running_server_process(
    seed_with: Callable[[str], Any] | None = None, latency_ms: float = 0
) -> Iterator[tuple[str, Any]]:
    """Run a fresh sandbox in a forked child for the block; yield its URL and what
    `seed_with(url)` returned. `latency_ms` applies after the seed; `set_latency(url, ms)`
    changes it while the block runs."""
    context = multiprocessing.get_context("fork")
    wire: SharedSeconds = context.Value("d", latency_ms / 1000, lock=False)
    ours, theirs = context.Pipe()
    stop = context.Event()
    child = context.Process(
        target=_serve, args=(seed_with, wire, theirs, stop), name="sandbox", daemon=True
    )
    child.start()
    theirs.close()
    try:
        if not ours.poll(STARTUP_TIMEOUT_S):
            raise RuntimeError(f"the sandbox did not start within {STARTUP_TIMEOUT_S:g} s")
        ok, url, seeded = ours.recv()
        if not ok:
            raise RuntimeError(f"the sandbox failed to start: {url}")
        SHARED_WIRES[url] = wire
        try:
            yield url, seeded
        finally:
            SHARED_WIRES.pop(url, None)
    finally:
        stop.set()
        child.join(30)
        if child.is_alive():
            child.terminate()
            child.join(5)


def _serve(
    seed_with: Callable[[str], Any] | None,
    wire: SharedSeconds,
    parent: Connection,
    stop: Event,
) -> None:
    """The child: serve, seed with no wire time, then follow the parent's wire time."""
    try:
        with running_server() as url:
            seeded = seed_with(url) if seed_with is not None else None
            keep_the_seed_out_of_collections()
            wire_of(url).shared = wire
            answer_waiting_requests_sooner()
            parent.send((True, url, seeded))
            stop.wait()
    except Exception as error:  # reported to the parent, which raises it there
        parent.send((False, f"{type(error).__name__}: {error}", None))
