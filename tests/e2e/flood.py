"""Raw-socket clients for the daemon's HTTP server, as an attacker writes them, and readings of
the daemon's threads and memory from /proc: shared by tests/e2e/test_daemon_http.py and
bench/daemon_flood.py.

Raw sockets, not an HTTP library: a library refuses to send `Content-Length: -1`, fixes a
missing length, and never stops half-way through a request.
"""

from __future__ import annotations

import selectors
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

MB = 1024 * 1024


def head(method: str, path: str, *headers: str) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *headers, "", ""]
    return "\r\n".join(lines).encode()


def status_of(reply: bytes) -> int | None:
    """The status code of the first response in `reply`; None when nothing came back."""
    parts = reply.split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/") or not parts[1].isdigit():
        return None
    return int(parts[1])


def exchange(
    port: int, data: bytes, timeout: float = 5.0, body: Iterable[bytes] = ()
) -> tuple[bytes, float]:
    """Send `data`, then the pieces of `body` for as long as the server reads them and has not
    answered; read until the server closes or `timeout`. The reply and the seconds it took. A
    reset connection is an answer too: the server closed without reading the rest."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
            for piece in body:
                if _has_reply(sock):
                    break
                sock.sendall(piece)
        except (ConnectionResetError, BrokenPipeError, TimeoutError):
            pass  # the server stopped reading: what it answered, if anything, is read below
        return _read_all(sock, started + timeout), time.monotonic() - started


def megabytes(count: int) -> Iterator[bytes]:
    """A body of `count` MiB, a MiB at a time (never held in memory at once)."""
    chunk = b"x" * MB
    return (chunk for _ in range(count))


def chunked(count: int) -> Iterator[bytes]:
    """`count` MiB as 1 MiB chunks of a chunked body, then its last chunk."""
    chunk = b"%x\r\n" % MB + b"x" * MB + b"\r\n"
    yield from (chunk for _ in range(count))
    yield b"0\r\n\r\n"


def _has_reply(sock: socket.socket) -> bool:
    with selectors.DefaultSelector() as selector:
        selector.register(sock, selectors.EVENT_READ)
        return bool(selector.select(0))


def _read_all(sock: socket.socket, deadline: float) -> bytes:
    reply = b""
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            data = sock.recv(65536)
        except (TimeoutError, ConnectionResetError):
            break
        if not data:
            break
        reply += data
    return reply


def healthz_ms(port: int, timeout: float = 5.0) -> float:
    """One GET /healthz on a new connection: milliseconds to its full answer (which must be a
    200 or 503: the daemon answering at all is what is measured)."""
    reply, seconds = exchange(port, head("GET", "/healthz", "Connection: close"), timeout)
    if status_of(reply) not in (200, 503):
        raise AssertionError(f"/healthz did not answer in {timeout} s: {reply[:200]!r}")
    return seconds * 1000


def half_sent(port: int, count: int) -> list[socket.socket]:
    """`count` POSTs that promise 1,000 bytes of body, send 10 and then nothing."""
    request = head("POST", "/slack/interactions", "Content-Length: 1000") + b"payload=ab"
    opened = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(request)
        opened.append(sock)
    return opened


def closed_by_server(sockets: list[socket.socket], timeout: float) -> int:
    """How many of `sockets` the server closes (or answers) within `timeout` seconds."""
    closed = 0
    with selectors.DefaultSelector() as selector:
        for sock in sockets:
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        while closed < len(sockets) and (left := deadline - time.monotonic()) > 0:
            for key, _ in selector.select(left):
                selector.unregister(key.fileobj)
                closed += 1
    return closed


@contextmanager
def connected(port: int) -> Iterator[socket.socket]:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        yield sock


def trickle(sock: socket.socket, data: bytes, every_s: float, for_s: float) -> bool:
    """Send `data` a byte at a time, then body bytes, one every `every_s` for at most `for_s`
    seconds: True as soon as the server has closed (or answered), False if it never did."""
    deadline = time.monotonic() + for_s
    sent = 0
    while time.monotonic() < deadline:
        try:
            sock.sendall(data[sent : sent + 1] or b"x")
        except (BrokenPipeError, ConnectionResetError):
            return True
        sent += 1
        if _has_reply(sock):
            return True
        time.sleep(every_s)
    return False


def close_all(sockets: list[socket.socket]) -> None:
    for sock in sockets:
        sock.close()


@dataclass
class Process:
    """A process's figures as the kernel keeps them (/proc/PID/status)."""

    pid: int

    def status(self, key: str) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
        raise KeyError(key)

    def threads(self) -> int:
        return self.status("Threads")

    def rss_mb(self) -> float:
        return self.status("VmRSS") / 1024


@dataclass
class Peaks:
    threads: int = 0
    rss_mb: float = 0.0
    samples: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)


@contextmanager
def peaks_of(process: Process, every_s: float = 0.02) -> Iterator[Peaks]:
    """The highest thread count and RSS seen while the block runs, read every `every_s`."""
    peaks = Peaks()

    def sample() -> None:
        while not peaks._stop.is_set():
            try:
                peaks.threads = max(peaks.threads, process.threads())
                peaks.rss_mb = max(peaks.rss_mb, process.rss_mb())
                peaks.samples += 1
            except (OSError, KeyError):  # the process is gone: the caller will see why
                return
            peaks._stop.wait(every_s)

    sampler = threading.Thread(target=sample, name="peaks", daemon=True)
    sampler.start()
    try:
        yield peaks
    finally:
        peaks._stop.set()
        sampler.join(timeout=5)
