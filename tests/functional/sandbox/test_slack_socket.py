"""The sandbox's Slack in Socket Mode, as slack_sdk's built-in SocketModeClient sees it, and its
WebSocket as a bare RFC 6455 client sees it."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import socket
import struct
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO
from urllib.error import HTTPError
from urllib.parse import urlsplit

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from watchdog_sandbox.slack_api import SlackApi

PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy")
CLICK: dict[str, Any] = {
    "type": "block_actions",
    "user": {"id": "U0ALICE"},
    "actions": [{"action_id": "approve", "value": "rec-1"}],
    "response_url": "http://127.0.0.1/actions/T000/C0COSTS/1.000100",
}
PROMPT_SECONDS = 3  # "promptly": the built-in client's close() alone takes about a second


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlackApi]:
    # slack_sdk sends everything through a proxy named in the environment, localhost included;
    # its SocketModeClient reads the same variables when given proxy=None.
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    with SlackApi() as api:
        yield api


def _socket_client(slack: SlackApi, **options: Any) -> SocketModeClient:
    web = WebClient(base_url=slack.api_url)
    return SocketModeClient(app_token=slack.app_token, web_client=web, proxy=None, **options)


def _timed(action: Callable[[], None]) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


def _error(raised: pytest.ExceptionInfo[SlackApiError]) -> object:
    return raised.value.response["error"]


def test_only_the_app_token_opens_connections(slack: SlackApi) -> None:
    bot = WebClient(token=slack.token, base_url=slack.api_url)
    with pytest.raises(SlackApiError) as raised:
        bot.apps_connections_open(app_token=slack.token)
    assert _error(raised) == "not_allowed_token_type"
    with pytest.raises(SlackApiError) as raised:
        bot.apps_connections_open(app_token="xapp-wrong")
    assert _error(raised) == "invalid_auth"

    # The app-level token is for apps.connections.open alone.
    with pytest.raises(SlackApiError) as raised:
        WebClient(token=slack.app_token, base_url=slack.api_url).auth_test()
    assert _error(raised) == "not_allowed_token_type"

    url = bot.apps_connections_open(app_token=slack.app_token)["url"]
    port = urlsplit(slack.api_url).port
    assert url.startswith(f"ws://127.0.0.1:{port}/link/?ticket=")
    assert [(c.method, c.params) for c in slack.calls][-1] == ("apps.connections.open", {})


def test_an_interactive_envelope_reaches_the_listener_and_is_acked(slack: SlackApi) -> None:
    received: list[SocketModeRequest] = []
    messages: list[dict[str, Any]] = []

    def listener(client: BaseSocketModeClient, request: SocketModeRequest) -> None:
        received.append(request)
        client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))

    client = _socket_client(slack)
    client.socket_mode_request_listeners.append(listener)
    client.message_listeners.append(lambda _client, message, _raw: messages.append(message))
    try:
        client.connect()
        assert slack.socket_connected()

        envelope_id = slack.send_interactive(CLICK)

        assert slack.wait_ack(envelope_id)
        assert slack.acks == [envelope_id]
        [request] = received
        assert (request.type, request.envelope_id, request.payload) == (
            "interactive",
            envelope_id,
            CLICK,
        )
        assert (request.accepts_response_payload, request.retry_attempt) == (False, 0)
        # The client does not wait for hello; it hands it to its message listeners.
        assert [message["type"] for message in messages] == ["hello", "interactive"]
        assert [(c.method, c.status) for c in slack.calls] == [
            ("apps.connections.open", 200),
            ("socket", 101),
        ]
    finally:
        assert _timed(client.close) < PROMPT_SECONDS
    assert _timed(slack.stop) < PROMPT_SECONDS
    assert not slack.socket_connected(timeout=0)


def test_stop_closes_a_connected_client(slack: SlackApi) -> None:
    closes: list[tuple[int, str | None]] = []
    closed = threading.Event()

    def on_close(code: int, reason: str | None) -> None:
        closes.append((code, reason))
        closed.set()

    client = _socket_client(slack, auto_reconnect_enabled=False, on_close_listeners=[on_close])
    try:
        client.connect()
        assert slack.socket_connected()

        assert _timed(slack.stop) < PROMPT_SECONDS

        assert closed.wait(5)
        assert closes == [(1001, "server stopping")]
        with pytest.raises(RuntimeError):
            slack.send_interactive(CLICK)
    finally:
        client.close()


def test_without_a_client_nothing_is_connected_or_sent(slack: SlackApi) -> None:
    assert not slack.socket_connected(timeout=0.05)
    with pytest.raises(RuntimeError):
        slack.send_interactive(CLICK)


# -- the WebSocket, bare


class _Bare:
    """A WebSocket client written against RFC 6455 alone, to see what the server sends."""

    def __init__(self, url: str, key: bytes | None = None) -> None:
        parts = urlsplit(url)
        self.key = base64.b64encode(key or os.urandom(16)).decode()
        self.sock = socket.create_connection((parts.hostname, parts.port or 80), timeout=5)
        self.stream: BinaryIO = self.sock.makefile("rb")
        self.sock.sendall(
            (
                f"GET {parts.path}?{parts.query} HTTP/1.1\r\n"
                f"Host: {parts.netloc}\r\n"
                "Upgrade: websocket\r\n"
                "Connection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {self.key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        self.status = int(self.stream.readline().split()[1])
        self.headers: dict[str, str] = {}
        while line := self.stream.readline().strip():
            name, _, value = line.decode().partition(":")
            self.headers[name.strip().lower()] = value.strip()

    def send(self, opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        masked = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
        self.sock.sendall(bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked)

    def receive(self) -> tuple[int, bytes]:
        """The next frame other than the server's own pings."""
        while True:
            first, second = self.stream.read(2)
            length = second & 0x7F
            if length == 126:
                (length,) = struct.unpack("!H", self.stream.read(2))
            payload = self.stream.read(length)
            if first & 0x0F != 0x9:
                return first & 0x0F, payload

    def close(self) -> None:
        self.stream.close()
        self.sock.close()


@pytest.fixture
def link_url(slack: SlackApi) -> str:
    return str(
        WebClient(base_url=slack.api_url).apps_connections_open(app_token=slack.app_token)["url"]
    )


def test_the_handshake_hello_ping_and_close(slack: SlackApi, link_url: str) -> None:
    bare = _Bare(link_url)
    try:
        assert bare.status == 101
        digest = hashlib.sha1((bare.key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode())
        assert bare.headers["sec-websocket-accept"] == base64.b64encode(digest.digest()).decode()

        opcode, hello = bare.receive()
        assert opcode == 0x1
        assert json.loads(hello)["type"] == "hello"
        assert json.loads(hello)["num_connections"] == 1
        assert slack.socket_connected()

        bare.send(0x9, b"are you there")
        assert bare.receive() == (0xA, b"are you there")

        bare.send(0x1, json.dumps({"envelope_id": "e-1"}).encode())
        assert slack.wait_ack("e-1")

        bare.send(0x8, struct.pack("!H", 1000))
        assert bare.receive() == (0x8, struct.pack("!H", 1000))
        assert bare.stream.read(1) == b""  # then the server closes the TCP connection
    finally:
        bare.close()


def test_a_ticket_is_good_for_one_connection(slack: SlackApi, link_url: str) -> None:
    first = _Bare(link_url)
    second = _Bare(link_url)
    try:
        assert (first.status, second.status) == (101, 403)
        assert [(c.method, c.status) for c in slack.calls][-2:] == [
            ("socket", 101),
            ("socket", 403),
        ]
    finally:
        first.close()
        second.close()


def test_an_upgrade_without_a_websocket_key_is_refused(slack: SlackApi, link_url: str) -> None:
    request = urllib.request.Request(
        link_url.replace("ws://", "http://", 1),
        headers={"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13"},
    )
    with pytest.raises(HTTPError) as raised:
        urllib.request.urlopen(request, timeout=5)
    assert (raised.value.code, raised.value.read()) == (400, b"invalid_key")
