"""The sandbox's HTTP server: waitress, which keeps a client's connection open between requests
as AWS's endpoints do, where werkzeug's development server (moto's own) closes every one.

Closing them made every call of a run open a TCP connection and the server start a thread for
it, and botocore's connection reuse, which every real run relies on, went unexercised. One
client describing one config 1,000 times in a row (client and server in one process): 6.8-8.1
-> 6.1-6.2 ms of CPU a call; a server stops in 25 ms, not werkzeug's 0.5 s poll. (bench/plan.py,
8 calls in flight: the sandbox's CPU barely moved, 7.51 -> 7.44 s.) werkzeug's server cannot
simply leave connections open: after each response it drains the socket for 10 ms to discard a
body it did not read, and with keep-alive that swallows the client's next request.

Waitress reads requests in one event loop and answers them from a pool of threads. The pool is
large because each request sleeps its wire time (Wire) in its thread, and the benches' scans of
an organization have a hundred and more calls in flight: a request waiting for a free thread
would add the emulator's queue to the wire time AWS answers with.

A thread answering a request sends its answer itself, holding its connection's output lock
while it does (waitress 2.1, Pylons/waitress#364). waitress' loop, seeing that connection's
output pending, tries the lock once and, finding it held, polls again at once: a socket is
always writable, so the loop spins, taking the interpreter from the very thread it waits for,
until that thread is done. Measured, 900 describes at 8 in flight and 50 ms: 43 to 135 turns of
the loop a request, the sandbox's CPU 4.1-7.7 ms a describe. Here the loop waits for that lock
(briefly, so a stuck thread cannot hold it up): 2.7-3.2 ms a describe, and the 900 took 6.8-7.0 s
instead of 7.3-9.3 s (floor 5.6 s).
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any

from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

# Requests answered at once; more wait in waitress' queue (and say so in its log).
THREADS = 256
# Connections open at once (waitress' default, 100, is under what an organization scan opens).
CONNECTION_LIMIT = 2000
# How long the loop waits for a socket before it looks at the stop flag again.
LOOP_TIMEOUT_S = 0.5
STOP_WAIT_S = 5.0
# How long the loop waits for a connection's output lock a task thread holds (it holds it for a
# send): long enough for that thread to be given the interpreter, short enough that a thread
# stuck holding it costs the loop's other connections only this.
OUTPUT_LOCK_WAIT_S = 0.01
# Where this server's "task queue depth" warnings go: the benches' business, not a sandbox user's
# terminal's. Its own logger, not waitress' shared one, which the daemon's server (in the same
# process in the demo) logs through.
QUEUE_LOG = logging.getLogger("watchdog_sandbox.http_server.queue")
QUEUE_LOG.setLevel(logging.ERROR)


class SandboxHttpServer:
    """`app` served on an already listening socket from a daemon thread, until `stop()`."""

    def __init__(self, app: Callable[..., Iterable[bytes]], listener: socket.socket) -> None:
        self._map: dict[int, Any] = {}
        dispatcher = ThreadedTaskDispatcher()
        dispatcher.queue_logger = QUEUE_LOG
        dispatcher.set_thread_count(THREADS)
        try:
            self._server = _Server(
                _with_raw_uri(app),
                map=self._map,
                _sock=listener,
                bind_socket=False,
                sockinfo=(listener.family, listener.type, listener.proto, listener.getsockname()),
                sockets=[listener],
                dispatcher=dispatcher,
                connection_limit=CONNECTION_LIMIT,
                # AWS answers a bad request with its own error, not a Python traceback.
                expose_tracebacks=False,
                # poll(), not select(): select cannot watch a descriptor numbered past 1023.
                asyncore_use_poll=True,
            )
        except BaseException:
            dispatcher.shutdown(timeout=STOP_WAIT_S)  # its threads are already running
            raise
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="sandbox-http", daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._server.effective_port)

    def _serve(self) -> None:
        while not self._stopping.is_set():
            wasyncore.loop(timeout=LOOP_TIMEOUT_S, map=self._map, use_poll=True, count=1)

    def stop(self) -> None:
        """Stop the loop, let requests being answered finish (briefly), close every socket:
        the port is free after."""
        self._stopping.set()
        self._server.pull_trigger()
        self._thread.join(STOP_WAIT_S)
        self._server.task_dispatcher.shutdown(timeout=STOP_WAIT_S)
        wasyncore.close_all(self._map)


def _with_raw_uri(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """moto matches routes against the path as it arrived (`RAW_URI`: an ARN in a path keeps
    its encoded slashes), which werkzeug's and gunicorn's servers set; waitress gives it as
    `REQUEST_URI`, the same bytes."""

    def app_with_raw_uri(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        environ.setdefault("RAW_URI", environ.get("REQUEST_URI", ""))
        return app(environ, start_response)

    return app_with_raw_uri


class _Channel(HTTPChannel):  # type: ignore[misc]  # waitress ships no types
    def _flush_some_if_lockable(self, do_close: bool = True) -> None:
        """waitress' loop sends what a task thread wrote: after waiting for the thread to let go
        of the output (it sends as it writes), not trying once and polling again at once."""
        if self.outbuf_lock.acquire(timeout=OUTPUT_LOCK_WAIT_S):
            try:
                self._flush_some(do_close=do_close)
                if self.total_outbufs_len < self.adj.outbuf_high_watermark:
                    self.outbuf_lock.notify()  # a task waiting for room to write
            finally:
                self.outbuf_lock.release()


class _Server(TcpWSGIServer):  # type: ignore[misc]
    channel_class = _Channel
