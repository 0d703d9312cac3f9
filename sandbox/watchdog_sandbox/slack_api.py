"""A local Slack workspace for the tests and the demo: the Web API methods the watchdog calls,
an incoming webhook, response_urls and Socket Mode, served over HTTP so that slack_sdk's own
clients talk to it.

slack_sdk is pointed at it, not patched: `WebClient(token=..., base_url=api.api_url)`,
`WebhookClient(api.webhook_url)` and `SocketModeClient(app_token=api.app_token,
web_client=WebClient(base_url=api.api_url))`, whose WebSocket slack_socket.py serves. Going
through the real clients keeps the tests honest about what slack_sdk sends (a JSON body for
chat.*, a form body for most other methods, a query string from other clients) and about how it
takes Slack's failures, which `fail_next` stages: a 429 with Retry-After, a 5xx whose body is not
JSON (Slack's edge answers those itself), or a 200 carrying an error.

What it keeps is what a test asks about afterwards: every request, in order, in `calls`, and the
current state of every message; and the envelopes Socket Mode clients acknowledged, in `acks`.
Web API errors are HTTP 200 with `{"ok": false, "error": ...}`, as Slack sends them; the webhook
answers plain text, as Slack's does. Standard library only, so the demo needs nothing beyond the
package.

This module is the part tests hold: tokens, staged failures, the record of calls, and serving.
The messages and what each call does to them are in slack_workspace, the HTTP plumbing in
slack_wire.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from types import TracebackType
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from watchdog_sandbox import slack_wire as wire
from watchdog_sandbox.slack_socket import APP_ID, LINK_PATH, SocketMode
from watchdog_sandbox.slack_wire import Params
from watchdog_sandbox.slack_workspace import (
    BOT_ID,
    BOT_USER_ID,
    TEAM_ID,
    WEBHOOK_CHANNEL,
    Posted,
    Workspace,
)

__all__ = [
    "BOT_ID",
    "BOT_USER_ID",
    "TEAM_ID",
    "WEBHOOK_CHANNEL",
    "WEBHOOK_PATH",
    "Call",
    "Params",
    "Posted",
    "SlackApi",
]

WEBHOOK_PATH = "/webhook/T000/B000/sandbox"
_ACTIONS_PREFIX = f"/actions/{TEAM_ID}/"
# The methods that take the app-level token ("xapp-"), and only it; the others take the bot's.
_APP_TOKEN_METHODS = frozenset({"apps.connections.open"})


@dataclass(frozen=True)
class Call:
    """One request as the server read it. `method` is the Web API method ("chat.postMessage"),
    "webhook", "response_url", "socket" (a WebSocket upgrade, recorded when answered, 101 when
    taken), or the path of a request to nowhere; `params` are the query, form and JSON parameters
    merged (without the token); `status` is the HTTP status answered."""

    method: str
    params: Params
    status: int


class SlackApi:
    """A fake Slack workspace: Web API methods, incoming webhooks, response_urls, Socket Mode.

    `users` maps an email to its user id (for users.lookupByEmail); `channels` maps a channel
    name, with or without "#", to its id. A name it does not know gets a stable generated id, so
    the demo can post anywhere. `groups` maps a user group id ("S...") to its members' user ids
    (for usergroups.users.list). `token` is the bot token for the Web API; `app_token`, the
    app-level token, is for apps.connections.open only, as Slack has it.

    Requests are answered one at a time under one lock: the state is small, and the order of
    `calls` is then the order in which they took effect. A Socket Mode connection is served
    outside that lock, for as long as it lasts, by slack_socket.SocketMode.
    """

    def __init__(
        self,
        token: str = "xoxb-sandbox",
        users: Mapping[str, str] | None = None,
        channels: Mapping[str, str] | None = None,
        groups: Mapping[str, Sequence[str]] | None = None,
        app_token: str = "xapp-sandbox",
    ) -> None:
        self.token = token
        self.app_token = app_token
        self.calls: list[Call] = []
        self._workspace = workspace = Workspace(users, channels, groups)
        self._failures: dict[str, wire.Failure] = {}
        self._lock = threading.Lock()
        self._server: wire.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket = SocketMode()
        self._methods: dict[str, Callable[[Params], Params]] = {
            "apps.connections.open": self._connections_open,
            "auth.test": workspace.auth_test,
            "chat.postMessage": workspace.post_message,
            "chat.update": workspace.update,
            "usergroups.users.list": workspace.usergroup_members,
            "users.lookupByEmail": workspace.lookup_by_email,
        }

    # -- running

    def start(self) -> SlackApi:
        """Listen on a free port of 127.0.0.1, serving from a daemon thread."""
        if self._server is not None:
            raise RuntimeError("this SlackApi is already running")
        self._server = wire.Server(self._dispatch, self._socket_link)
        self._socket.open()
        # A short poll keeps stop() quick: shutdown() waits for the serving loop's next turn.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="sandbox-slack-api",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port, then close Socket Mode connections with 1001 (going
        away). The recorded state stays readable."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        # Closed before the connections: a client that reconnects on close is refused at once.
        server.server_close()
        self._socket.close()
        if thread is not None:
            thread.join()

    def __enter__(self) -> SlackApi:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses

    @property
    def api_url(self) -> str:
        """WebClient's base_url (with the trailing slash it expects)."""
        return f"{self._origin()}/api/"

    @property
    def webhook_url(self) -> str:
        return f"{self._origin()}{WEBHOOK_PATH}"

    def response_url(self, channel: str, ts: str) -> str:
        """Where an app answers a click on message `ts` in `channel` (its id), as Slack's
        response_url: `replace_original` replaces the message, `delete_original` deletes it,
        `response_type: in_channel` posts a new one, anything else is an ephemeral reply."""
        return f"{self._origin()}{_ACTIONS_PREFIX}{quote(channel, safe='')}/{quote(ts, safe='')}"

    def _origin(self) -> str:
        if self._server is None:
            raise RuntimeError("start() this SlackApi first")
        return f"http://127.0.0.1:{self._server.server_port}"

    # -- what tests read and stage

    @property
    def acks(self) -> list[str]:
        """The envelope ids Socket Mode clients acknowledged, in the order they did."""
        return self._socket.acks

    def socket_connected(self, timeout: float = 5) -> bool:
        """Wait until a Socket Mode client is connected and has been sent hello."""
        return self._socket.connected(timeout)

    def send_interactive(self, payload: dict[str, Any]) -> str:
        """Deliver an interactive payload (a click, as Slack posts it) to the connected Socket
        Mode client, in an envelope as Slack sends it; answer the envelope id. Raises
        RuntimeError when no client is connected."""
        return self._socket.send_envelope("interactive", payload)

    def wait_ack(self, envelope_id: str, timeout: float = 5) -> bool:
        """Wait until the client acknowledges envelope `envelope_id`."""
        return self._socket.wait_ack(envelope_id, timeout)

    def messages(self) -> list[Posted]:
        """Every message still in the workspace, in the order it was first posted."""
        with self._lock:
            return self._workspace.messages()

    def message(self, channel: str, ts: str) -> Posted | None:
        with self._lock:
            return self._workspace.message(channel, ts)

    def fail_next(
        self,
        method: str,
        status: int,
        times: int = 1,
        retry_after: int = 1,
        error: str | None = None,
    ) -> None:
        """Answer the next `times` calls of `method` ("chat.postMessage", "webhook",
        "response_url") with `status` instead of doing them, replacing any failure staged for it.

        429 answers `Retry-After: retry_after` and error "ratelimited"; 5xx answers the plain
        text "internal error", not JSON, as Slack's edge does; any other status (200 included)
        answers `{"ok": false, "error": error}` (the webhook: `error` as plain text).
        """
        if times < 1:
            raise ValueError("times must be at least 1")
        if error is None:
            if status == 429:
                error = "ratelimited"
            elif status >= 500:
                error = "internal error"
            else:
                raise ValueError(f"a {status} failure needs the error Slack would name")
        with self._lock:
            self._failures[method] = wire.Failure(status, times, retry_after, error)

    # -- dispatch (called by wire.Server's request handler)

    def _dispatch(
        self, verb: str, target: str, content_type: str, authorization: str, body: bytes
    ) -> wire.Answer:
        url = urlsplit(target)
        with self._lock:
            if url.path.startswith("/api/"):
                method = url.path.removeprefix("/api/")
                return self._api(method, url.query, content_type, authorization, body)
            if verb == "POST" and url.path == WEBHOOK_PATH:
                return self._webhook(content_type, body)
            if verb == "POST" and url.path.startswith(_ACTIONS_PREFIX):
                channel, _, ts = url.path.removeprefix(_ACTIONS_PREFIX).partition("/")
                return self._response_url((unquote(channel), unquote(ts)), content_type, body)
            return self._record(url.path, {}, wire.text_answer("no_service", 404))

    def _record(self, method: str, params: Params, answer: wire.Answer) -> wire.Answer:
        self.calls.append(Call(method, params, answer.status))
        return answer

    def _take_failure(self, method: str) -> wire.Failure | None:
        failure = self._failures.get(method)
        if failure is not None:
            failure.times -= 1
            if failure.times == 0:
                del self._failures[method]
        return failure

    # -- the Web API

    def _api(
        self, method: str, query: str, content_type: str, authorization: str, body: bytes
    ) -> wire.Answer:
        params: Params = {}
        try:
            params = wire.read_params(query, content_type, body)
            # Slack takes the token from the Authorization header or from a `token` argument.
            token = wire.string(params.pop("token", None)) or wire.bearer(authorization)
            answer = self._api_answer(method, token, params)
        except wire.BadRequest as bad:
            answer = wire.json_answer(wire.error_payload(bad.code))
        return self._record(method, params, answer)

    def _api_answer(self, method: str, token: str, params: Params) -> wire.Answer:
        failure = self._take_failure(method)
        if failure is not None:
            return wire.failure_answer(failure, plain=False)
        handler = self._methods.get(method)
        if handler is None:
            return wire.json_answer(wire.error_payload("unknown_method"))
        if not token:
            return wire.json_answer(wire.error_payload("not_authed"))
        if token not in (self.token, self.app_token):
            return wire.json_answer(wire.error_payload("invalid_auth"))
        if (token == self.app_token) != (method in _APP_TOKEN_METHODS):
            return wire.json_answer(wire.error_payload("not_allowed_token_type"))
        return wire.json_answer(handler(params))

    def _connections_open(self, params: Params) -> Params:
        origin = "ws" + self._origin().removeprefix("http")
        ticket = self._socket.ticket()
        return {"ok": True, "url": f"{origin}{LINK_PATH}?ticket={ticket}&app_id={APP_ID}"}

    # -- Socket Mode

    def _socket_link(self, handler: BaseHTTPRequestHandler) -> None:
        """Serve a WebSocket upgrade, for as long as the connection lasts."""

        def record(status: int) -> None:
            with self._lock:
                self._record("socket", {}, wire.Answer(status, b"", ""))

        self._socket.serve(handler, record)

    # -- hooks

    def _webhook(self, content_type: str, body: bytes) -> wire.Answer:
        params: Params = {}
        try:
            params = wire.read_params("", content_type, body)
            answer = self._webhook_answer(params)
        except wire.BadRequest:
            answer = wire.text_answer("invalid_payload", 400)
        return self._record("webhook", params, answer)

    def _webhook_answer(self, params: Params) -> wire.Answer:
        failure = self._take_failure("webhook")
        if failure is not None:
            return wire.failure_answer(failure, plain=True)
        return self._workspace.webhook(params)

    def _response_url(self, key: tuple[str, str], content_type: str, body: bytes) -> wire.Answer:
        params: Params = {}
        try:
            params = wire.read_params("", content_type, body)
            answer = self._response_url_answer(key, params)
        except wire.BadRequest:
            answer = wire.json_answer(wire.error_payload("invalid_payload"), 400)
        return self._record("response_url", params, answer)

    def _response_url_answer(self, key: tuple[str, str], params: Params) -> wire.Answer:
        failure = self._take_failure("response_url")
        if failure is not None:
            return wire.failure_answer(failure, plain=False)
        return self._workspace.response_url(key, params)
