"""Socket Mode for the sandbox's Slack (`slack_api.SlackApi`): the WebSocket that
apps.connections.open hands out, spoken as slack_sdk's built-in SocketModeClient speaks it.

The client asks apps.connections.open, with the app-level token, for a URL; here it is
`ws://127.0.0.1:PORT/link/?ticket=...`, and a ticket is good for one connection. The client then
sends a bare HTTP/1.1 GET with `Upgrade: websocket` and a Sec-WebSocket-Key, and takes the
connection only on a 101 whose Sec-WebSocket-Accept is base64(sha1(key + RFC 6455's GUID)). It
pings at once and every `ping_interval` after, and counts the connection stale when no pong has come
for four intervals, so pings are answered. Slack's first message is `{"type": "hello", ...}`; the
built-in client does not wait for it (it only hands it to its message listeners), but it is sent
all the same, and `connected()` counts a connection from then on.

What Slack delivers comes in envelopes (`{"envelope_id", "type", "payload", ...}`); the app
acknowledges one by sending back `{"envelope_id": ...}`, which `acks` records.

A minimal RFC 6455 server: it reads masked client frames (text, fragmented or not; ping, answered
with a pong; pong; close, answered with a close), writes unmasked frames, and pings every
`PING_SECONDS` itself, as Slack's servers do (less often). Those pings matter for the built-in
client: its reader holds a lock through a blocking recv of up to 3 s, which `close()` waits for,
and a frame arriving ends the wait. Standard library only.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import socket
import struct
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

LINK_PATH = "/link/"
APP_ID = "A0APP"
PING_SECONDS = 0.25
_PING_PAYLOAD = b"sandbox"  # not empty: the built-in client misreads a frame of 2 bytes alone
_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455, section 1.3
_CLOSE_GRACE_SECONDS = 0.5  # how long stop() waits for a client to answer its close frame
_MAX_MESSAGE = 1 << 20

_CONTINUATION, _TEXT, _BINARY, _CLOSE, _PING, _PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
_GOING_AWAY, _PROTOCOL_ERROR, _TOO_BIG = 1001, 1002, 1009
_GOING_AWAY_PAYLOAD = struct.pack("!H", _GOING_AWAY) + b"server stopping"


@dataclass(frozen=True)
class _Frame:
    fin: bool
    opcode: int
    payload: bytes


class _ProtocolError(Exception):
    """The client broke RFC 6455; `code` is the close code that says how."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class SocketMode:
    """The Socket Mode side of the workspace: tickets, live connections, envelopes and acks.

    Upgrade requests are served in the HTTP server's handler threads, each for the life of its
    connection; everything else is called from any thread. `open()` and `close()` follow the
    server's start and stop; `acks` stays readable after.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._open = False
        self._tickets: set[str] = set()
        self._links: list[_Link] = []
        self._acks: list[str] = []

    def open(self) -> None:
        with self._changed:
            self._open = True

    def ticket(self) -> str:
        """A new ticket for the URL apps.connections.open answers."""
        ticket = uuid.uuid4().hex
        with self._changed:
            self._tickets.add(ticket)
        return ticket

    # -- what tests read and do

    @property
    def acks(self) -> list[str]:
        with self._changed:
            return list(self._acks)

    def connected(self, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(
                lambda: any(link.greeted for link in self._links), timeout
            )

    def wait_ack(self, envelope_id: str, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: envelope_id in self._acks, timeout)

    def send_envelope(self, type_: str, payload: Mapping[str, Any]) -> str:
        """Send an envelope to the newest connection (a reconnecting client opens its new
        connection before it closes the old one) and answer its id."""
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": type_,
            "payload": dict(payload),
            "accepts_response_payload": False,
            "retry_attempt": 0,
            "retry_reason": "",
        }
        with self._changed:
            links = [link for link in self._links if link.greeted]
        if not links or not links[-1].send(_TEXT, json.dumps(envelope).encode()):
            raise RuntimeError("no Socket Mode client is connected")
        return envelope_id

    def close(self) -> None:
        """Refuse new connections and close every open one with 1001 (going away), waiting a
        moment for each client to answer before cutting it off. Returns once all have ended."""
        with self._changed:
            self._open = False
            self._tickets.clear()
            links = list(self._links)
        for link in links:
            link.send(_CLOSE, _GOING_AWAY_PAYLOAD)
        for link in links:
            if not link.done.wait(_CLOSE_GRACE_SECONDS):
                link.abort()
        for link in links:
            link.done.wait(_CLOSE_GRACE_SECONDS)

    # -- serving (called from the HTTP server's handler threads)

    def serve(self, handler: BaseHTTPRequestHandler, record: Callable[[int], None]) -> None:
        """Answer the upgrade request `handler` has read, with a refusal or with 101 and then the
        connection, served until it ends. `record(status)` is called before anything is written,
        so that a client never sees an answer before it is on record."""
        key = handler.headers.get("Sec-WebSocket-Key", "").strip()
        url = urlsplit(handler.path)
        ticket = (parse_qs(url.query).get("ticket") or [""])[0]
        with self._changed:
            valid = self._open and url.path == LINK_PATH and ticket in self._tickets
            self._tickets.discard(ticket)
        if not valid:
            refusal: tuple[int, str, tuple[tuple[str, str], ...]] = (403, "invalid_ticket", ())
        elif handler.headers.get("Sec-WebSocket-Version", "").strip() != "13":
            refusal = (426, "unsupported_version", (("Sec-WebSocket-Version", "13"),))
        elif not _valid_key(key):
            refusal = (400, "invalid_key", ())
        else:
            record(101)
            self._upgrade(handler, key)
            return
        record(refusal[0])
        _refuse(handler, *refusal)

    def _upgrade(self, handler: BaseHTTPRequestHandler, key: str) -> None:
        handler.close_connection = True  # once the WebSocket ends, so does the TCP connection
        link = _Link(self, handler.connection)
        accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
        head = (
            "HTTP/1.1 101 Switching Protocols\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            f"Sec-WebSocket-Accept: {accept}\r\n\r\n"
        )
        if not link.send_raw(head.encode()):
            return
        with self._changed:
            joined = self._open  # close() may have come since the ticket was taken
            if joined:
                self._links.append(link)
        if joined:
            link.run()
        else:
            link.send(_CLOSE, _GOING_AWAY_PAYLOAD)

    def _greeted(self, link: _Link) -> None:
        with self._changed:
            link.greeted = True
            self._changed.notify_all()

    def _received(self, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            return
        if isinstance(message, dict) and isinstance(message.get("envelope_id"), str):
            with self._changed:
                self._acks.append(message["envelope_id"])
                self._changed.notify_all()

    def _hello(self) -> bytes:
        with self._changed:
            count = len(self._links)
        hello = {
            "type": "hello",
            "num_connections": count,
            "debug_info": {
                "host": "sandbox",
                "build_number": 1,
                "approximate_connection_time": 18060,
            },
            "connection_info": {"app_id": APP_ID},
        }
        return json.dumps(hello).encode()

    def _gone(self, link: _Link) -> None:
        with self._changed:
            if link in self._links:
                self._links.remove(link)
            self._changed.notify_all()


class _Link:
    """One client's WebSocket. Read by the handler thread that accepted it, in `run()`; written
    by any thread, one frame at a time."""

    def __init__(self, hub: SocketMode, sock: socket.socket) -> None:
        self._hub = hub
        self._sock = sock
        self._send_lock = threading.Lock()
        self._close_sent = False
        self.greeted = False  # guarded by the hub's lock
        self.done = threading.Event()

    def run(self) -> None:
        """Say hello, then read until the client closes, the connection breaks or `abort()`."""
        try:
            # The timeout paces the pings: a quiet PING_SECONDS and the server pings.
            self._sock.settimeout(PING_SECONDS)
            if self.send(_TEXT, self._hub._hello()):
                self._hub._greeted(self)
            self._read()
        except _ProtocolError as error:
            self.send(_CLOSE, struct.pack("!H", error.code))
        except OSError:
            pass  # the connection broke, or abort() cut it
        finally:
            self._hub._gone(self)
            self.done.set()

    def send(self, opcode: int, payload: bytes) -> bool:
        """Send one frame; False when the connection is closing or broken. After a close frame,
        nothing more is sent."""
        return self.send_raw(_frame(opcode, payload), close=opcode == _CLOSE)

    def send_raw(self, data: bytes, close: bool = False) -> bool:
        with self._send_lock:
            if self._close_sent:
                return False
            self._close_sent = close
            try:
                self._sock.sendall(data)
            except OSError:
                return False
            return True

    def abort(self) -> None:
        """Cut the connection: the blocked recv in `run()` returns and the thread ends."""
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)

    def _read(self) -> None:
        buffer = bytearray()
        message = bytearray()
        message_opcode: int | None = None
        while True:
            frame = _parse_frame(buffer)
            if frame is None:
                try:
                    chunk = self._sock.recv(65536)
                except TimeoutError:
                    self.send(_PING, _PING_PAYLOAD)
                    continue
                if not chunk:
                    return  # the client closed the TCP connection without a close frame
                buffer += chunk
                continue
            if frame.opcode == _CLOSE:
                self.send(_CLOSE, frame.payload[:2])  # echo the code, as RFC 6455 asks
                return
            if frame.opcode == _PING:
                self.send(_PONG, frame.payload)
            elif frame.opcode == _PONG:
                pass
            elif frame.opcode in (_TEXT, _BINARY, _CONTINUATION):
                if (frame.opcode == _CONTINUATION) != (message_opcode is not None):
                    raise _ProtocolError(_PROTOCOL_ERROR)
                if message_opcode is None:
                    message_opcode = frame.opcode
                message += frame.payload
                if len(message) > _MAX_MESSAGE:
                    raise _ProtocolError(_TOO_BIG)
                if frame.fin:
                    if message_opcode == _TEXT:
                        self._hub._received(message.decode("utf-8", "replace"))
                    message, message_opcode = bytearray(), None
            else:
                raise _ProtocolError(_PROTOCOL_ERROR)


# -- frames


def _parse_frame(buffer: bytearray) -> _Frame | None:
    """Take the first whole frame off `buffer`, unmasked, or None while it is incomplete."""
    if len(buffer) < 2:
        return None
    first, second = buffer[0], buffer[1]
    if first & 0x70 or not second & 0x80:
        raise _ProtocolError(_PROTOCOL_ERROR)  # extension bits, or a client frame not masked
    length, offset = second & 0x7F, 2
    if length == 126:
        if len(buffer) < 4:
            return None
        (length,), offset = struct.unpack_from("!H", buffer, 2), 4
    elif length == 127:
        if len(buffer) < 10:
            return None
        (length,), offset = struct.unpack_from("!Q", buffer, 2), 10
    opcode, fin = first & 0x0F, bool(first & 0x80)
    if opcode >= _CLOSE and (length > 125 or not fin):
        raise _ProtocolError(_PROTOCOL_ERROR)  # a control frame is short and whole
    if length > _MAX_MESSAGE:
        raise _ProtocolError(_TOO_BIG)
    end = offset + 4 + length
    if len(buffer) < end:
        return None
    mask, payload = bytes(buffer[offset : offset + 4]), bytes(buffer[offset + 4 : end])
    del buffer[:end]
    return _Frame(fin, opcode, _unmask(payload, mask))


def _unmask(payload: bytes, mask: bytes) -> bytes:
    keys = (mask * (len(payload) // 4 + 1))[: len(payload)]
    unmasked = int.from_bytes(payload, "big") ^ int.from_bytes(keys, "big")
    return unmasked.to_bytes(len(payload), "big")


def _frame(opcode: int, payload: bytes) -> bytes:
    """One whole, unmasked frame, as a server sends them."""
    length = len(payload)
    if length < 126:
        head = struct.pack("!BB", 0x80 | opcode, length)
    elif length < 1 << 16:
        head = struct.pack("!BBH", 0x80 | opcode, 126, length)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, length)
    return head + payload


# -- the handshake


def _valid_key(key: str) -> bool:
    try:
        return len(base64.b64decode(key, validate=True)) == 16
    except binascii.Error:
        return False


def _refuse(
    handler: BaseHTTPRequestHandler, status: int, text: str, headers: tuple[tuple[str, str], ...]
) -> None:
    body = text.encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "text/plain; charset=utf-8")
    handler.send_header("Content-Length", str(len(body)))
    for name, value in headers:
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)
