"""The sandbox's HTTP server: its loop sends what a task thread wrote once that thread lets go
of the connection's output, rather than polling again and again while it holds it."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from waitress.adjustments import Adjustments
from watchdog_sandbox import http_server
from watchdog_sandbox.http_server import _Channel

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"


@pytest.fixture
def channel_and_client() -> Iterator[tuple[_Channel, socket.socket]]:
    """A connection as the loop holds it, with a request being answered by a task thread."""
    served, client = socket.socketpair()
    server = SimpleNamespace(pull_trigger=lambda: None, active_channels={})
    channel = _Channel(server, served, "client", Adjustments(), {})
    channel.requests = ["the request a task thread is answering"]
    client.settimeout(5)
    try:
        yield channel, client
    finally:
        channel.close()
        client.close()


def _task_holding(
    channel: _Channel, monkeypatch: pytest.MonkeyPatch, loop_waits_s: float
) -> tuple[threading.Event, threading.Thread]:
    """A task thread holding the connection's output with an answer in it until the event is
    set (as waitress' task holds it while it writes and sends); the loop waits `loop_waits_s`
    for it."""
    monkeypatch.setattr(http_server, "OUTPUT_LOCK_WAIT_S", loop_waits_s)
    let_go, holding = threading.Event(), threading.Event()

    def write() -> None:
        with channel.outbuf_lock:
            channel.outbufs[-1].append(ANSWER)
            channel.total_outbufs_len += len(ANSWER)
            holding.set()
            let_go.wait(5)

    thread = threading.Thread(target=write)
    thread.start()
    assert holding.wait(5)
    return let_go, thread


def test_the_loop_sends_a_tasks_answer_once_the_task_lets_go_of_it(
    channel_and_client: tuple[_Channel, socket.socket], monkeypatch: pytest.MonkeyPatch
) -> None:
    channel, client = channel_and_client
    let_go, task = _task_holding(channel, monkeypatch, loop_waits_s=5.0)
    threading.Timer(0.2, let_go.set).start()

    assert channel.writable()
    channel.handle_write()  # waits for the task, then sends (waitress' own returns at once)

    assert channel.total_outbufs_len == 0
    assert client.recv(1024) == ANSWER
    task.join(5)


def test_a_task_that_never_lets_go_holds_the_loop_up_only_briefly(
    channel_and_client: tuple[_Channel, socket.socket], monkeypatch: pytest.MonkeyPatch
) -> None:
    channel, client = channel_and_client
    let_go, task = _task_holding(channel, monkeypatch, loop_waits_s=0.05)

    channel.handle_write()  # returns: the loop goes on with its other connections

    assert channel.total_outbufs_len == len(ANSWER)
    let_go.set()
    task.join(5)
    channel.handle_write()
    assert client.recv(1024) == ANSWER
