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
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal, cast
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from watchdog.sandbox.slack_socket import APP_ID, LINK_PATH, SocketMode

TEAM_ID = "T000"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
WEBHOOK_PATH = "/webhook/T000/B000/sandbox"
WEBHOOK_CHANNEL = "webhook"  # an incoming webhook posts to the channel it was made for
_ACTIONS_PREFIX = f"/actions/{TEAM_ID}/"
# A ts is Slack's message id, "seconds.micros". Messages are 100 us apart from a fixed start:
# unique, increasing, and the same from run to run.
_FIRST_TS_MICROS = 1_764_000_000_000_100
_TS_STEP_MICROS = 100
# Slack's ids are upper-case; channel names are lower-case, so the two cannot be confused.
_CONVERSATION_ID = re.compile(r"[CDG][A-Z0-9]{2,}")
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")
# The methods that take the app-level token ("xapp-"), and only it; the others take the bot's.
_APP_TOKEN_METHODS = frozenset({"apps.connections.open"})

Params = dict[str, Any]


@dataclass(frozen=True)
class Call:
    """One request as the server read it. `method` is the Web API method ("chat.postMessage"),
    "webhook", "response_url", "socket" (a WebSocket upgrade, recorded when answered, 101 when
    taken), or the path of a request to nowhere; `params` are the query, form and JSON parameters
    merged (without the token); `status` is the HTTP status answered."""

    method: str
    params: Params
    status: int


@dataclass(frozen=True)
class Posted:
    """A message as it stands now. `updates` counts chat.update calls and replacing response_url
    posts. A response_url's in-channel reply is the app speaking, so it counts as via "bot"."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    updates: int = 0
    via: Literal["bot", "webhook"] = "bot"


@dataclass
class _Failure:
    status: int
    times: int
    retry_after: int
    error: str


@dataclass(frozen=True)
class _Answer:
    status: int
    body: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...] = ()


class _BadRequest(Exception):
    """The request cannot be read; `code` is the error Slack names for it."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


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
        self._users = {email.lower(): user for email, user in (users or {}).items()}
        self._channels = {name.removeprefix("#"): id_ for name, id_ in (channels or {}).items()}
        self._groups = {group: list(members) for group, members in (groups or {}).items()}
        self.calls: list[Call] = []
        self._messages: dict[tuple[str, str], Posted] = {}
        self._failures: dict[str, _Failure] = {}
        self._posted = 0
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._socket = SocketMode()
        self._methods: dict[str, Callable[[Params], Params]] = {
            "apps.connections.open": self._connections_open,
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "usergroups.users.list": self._usergroup_members,
            "users.lookupByEmail": self._lookup_by_email,
        }

    # -- running

    def start(self) -> SlackApi:
        """Listen on a free port of 127.0.0.1, serving from a daemon thread."""
        if self._server is not None:
            raise RuntimeError("this SlackApi is already running")
        self._server = _Server(self)
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
            return list(self._messages.values())

    def message(self, channel: str, ts: str) -> Posted | None:
        with self._lock:
            return self._messages.get((channel, ts))

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
            self._failures[method] = _Failure(status, times, retry_after, error)

    # -- dispatch (called by the request handler)

    def _dispatch(
        self, verb: str, target: str, content_type: str, authorization: str, body: bytes
    ) -> _Answer:
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
            return self._record(url.path, {}, _text("no_service", 404))

    def _record(self, method: str, params: Params, answer: _Answer) -> _Answer:
        self.calls.append(Call(method, params, answer.status))
        return answer

    def _take_failure(self, method: str) -> _Failure | None:
        failure = self._failures.get(method)
        if failure is not None:
            failure.times -= 1
            if failure.times == 0:
                del self._failures[method]
        return failure

    # -- the Web API

    def _api(
        self, method: str, query: str, content_type: str, authorization: str, body: bytes
    ) -> _Answer:
        params: Params = {}
        try:
            params = _params(query, content_type, body)
            # Slack takes the token from the Authorization header or from a `token` argument.
            token = _string(params.pop("token", None)) or _bearer(authorization)
            answer = self._api_answer(method, token, params)
        except _BadRequest as bad:
            answer = _json(_error(bad.code))
        return self._record(method, params, answer)

    def _api_answer(self, method: str, token: str, params: Params) -> _Answer:
        failure = self._take_failure(method)
        if failure is not None:
            return _failure_answer(failure, plain=False)
        handler = self._methods.get(method)
        if handler is None:
            return _json(_error("unknown_method"))
        if not token:
            return _json(_error("not_authed"))
        if token not in (self.token, self.app_token):
            return _json(_error("invalid_auth"))
        if (token == self.app_token) != (method in _APP_TOKEN_METHODS):
            return _json(_error("not_allowed_token_type"))
        return _json(handler(params))

    def _connections_open(self, params: Params) -> Params:
        origin = "ws" + self._origin().removeprefix("http")
        ticket = self._socket.ticket()
        return {"ok": True, "url": f"{origin}{LINK_PATH}?ticket={ticket}&app_id={APP_ID}"}

    def _auth_test(self, params: Params) -> Params:
        return {
            "ok": True,
            "url": "https://sandbox.slack.com/",
            "team": "Sandbox",
            "user": "ai-watchdog",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _post_message(self, params: Params) -> Params:
        channel = _string(params.get("channel"))
        if not channel:
            return _error("channel_not_found")
        content = _content(params)
        if content is None:
            return _error("no_text")
        posted = self._add(Posted(self._channel_id(channel), self._next_ts(), *content))
        return {
            "ok": True,
            "channel": posted.channel,
            "ts": posted.ts,
            "message": _message_json(posted),
        }

    def _update(self, params: Params) -> Params:
        key = (_string(params.get("channel")), _string(params.get("ts")))
        current = self._messages.get(key)
        if current is None:
            return _error("message_not_found")
        if "text" not in params and "blocks" not in params:
            return _error("no_text")
        # What the call leaves out, the message keeps (Slack documents this for blocks).
        updated = replace(
            current,
            text=_string(params["text"]) if "text" in params else current.text,
            blocks=_blocks(params["blocks"]) if "blocks" in params else current.blocks,
            updates=current.updates + 1,
        )
        self._messages[key] = updated
        return {
            "ok": True,
            "channel": updated.channel,
            "ts": updated.ts,
            "text": updated.text,
            "message": _message_json(updated),
        }

    def _usergroup_members(self, params: Params) -> Params:
        members = self._groups.get(_string(params.get("usergroup")))
        if members is None:
            return _error("no_such_subteam")
        return {"ok": True, "users": list(members)}

    def _lookup_by_email(self, params: Params) -> Params:
        email = _string(params.get("email"))
        user_id = self._users.get(email.lower())
        if user_id is None:
            return _error("users_not_found")
        user = {
            "id": user_id,
            "team_id": TEAM_ID,
            "name": email.partition("@")[0],
            "profile": {"email": email},
        }
        return {"ok": True, "user": user}

    # -- Socket Mode

    def _socket_link(self, handler: BaseHTTPRequestHandler) -> None:
        """Serve a WebSocket upgrade, for as long as the connection lasts."""

        def record(status: int) -> None:
            with self._lock:
                self._record("socket", {}, _Answer(status, b"", ""))

        self._socket.serve(handler, record)

    # -- hooks

    def _webhook(self, content_type: str, body: bytes) -> _Answer:
        params: Params = {}
        try:
            params = _params("", content_type, body)
            answer = self._webhook_answer(params)
        except _BadRequest:
            answer = _text("invalid_payload", 400)
        return self._record("webhook", params, answer)

    def _webhook_answer(self, params: Params) -> _Answer:
        failure = self._take_failure("webhook")
        if failure is not None:
            return _failure_answer(failure, plain=True)
        content = _content(params)
        if content is None:
            return _text("invalid_payload", 400)
        self._add(Posted(WEBHOOK_CHANNEL, self._next_ts(), *content, via="webhook"))
        return _text("ok")

    def _response_url(self, key: tuple[str, str], content_type: str, body: bytes) -> _Answer:
        params: Params = {}
        try:
            params = _params("", content_type, body)
            answer = self._response_url_answer(key, params)
        except _BadRequest:
            answer = _json(_error("invalid_payload"), 400)
        return self._record("response_url", params, answer)

    def _response_url_answer(self, key: tuple[str, str], params: Params) -> _Answer:
        failure = self._take_failure("response_url")
        if failure is not None:
            return _failure_answer(failure, plain=False)
        original = self._messages.get(key)
        if original is None:
            return _json(_error("message_not_found"), 404)
        if _flag(params.get("delete_original")):
            del self._messages[key]
            return _json({"ok": True})
        content = _content(params)
        if content is None:
            return _json(_error("invalid_payload"), 400)
        text, blocks = content
        if _flag(params.get("replace_original")):
            # Unlike chat.update, a replacement is the whole message: what it omits is gone.
            self._messages[key] = replace(
                original, text=text, blocks=blocks, updates=original.updates + 1
            )
        elif params.get("response_type") == "in_channel":
            self._add(Posted(original.channel, self._next_ts(), text, blocks))
        # Otherwise an ephemeral reply: only the clicker sees it, the channel does not change.
        return _json({"ok": True})

    # -- state

    def _add(self, posted: Posted) -> Posted:
        self._messages[(posted.channel, posted.ts)] = posted
        return posted

    def _next_ts(self) -> str:
        micros = _FIRST_TS_MICROS + self._posted * _TS_STEP_MICROS
        self._posted += 1
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _channel_id(self, channel: str) -> str:
        name = channel.removeprefix("#")
        if name in self._channels:
            return self._channels[name]
        if _USER_ID.fullmatch(name):
            return "D" + name[1:]  # posting to a user opens (or reuses) the DM with them
        if _CONVERSATION_ID.fullmatch(name):
            return name
        return "C" + hashlib.sha256(name.encode()).hexdigest()[:10].upper()


class _Server(ThreadingHTTPServer):
    def __init__(self, api: SlackApi) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.api = api


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.headers.get("Upgrade", "").strip().lower() == "websocket":
            cast(_Server, self.server).api._socket_link(self)
        else:
            self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, verb: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        api = cast(_Server, self.server).api
        answer = api._dispatch(
            verb,
            self.path,
            self.headers.get("Content-Type", ""),
            self.headers.get("Authorization", ""),
            body,
        )
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        for name, value in answer.headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(answer.body)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: `calls` is the record, and tests and the demo print their own account."""


# -- reading requests


def _params(query: str, content_type: str, body: bytes) -> Params:
    """The query string's arguments, then the body's over them: Slack reads either."""
    params: Params = dict(parse_qsl(query, keep_blank_values=True))
    if not body:
        return params
    kind = content_type.partition(";")[0].strip().lower()
    if kind == "application/json":
        try:
            parsed = json.loads(body)
        except ValueError as error:
            raise _BadRequest("invalid_json") from error
        if not isinstance(parsed, dict):
            raise _BadRequest("json_not_object")
        params.update(parsed)
    elif kind == "application/x-www-form-urlencoded":
        params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    elif not kind:
        raise _BadRequest("missing_post_type")
    else:
        # Slack also takes multipart/form-data (file uploads) and text/plain; not emulated here.
        raise _BadRequest("invalid_post_type")
    return params


def _content(params: Params) -> tuple[str, list[dict[str, Any]]] | None:
    """A message's text and blocks, or None when it has neither."""
    text = _string(params.get("text"))
    blocks = _blocks(params.get("blocks"))
    return (text, blocks) if text or blocks else None


def _blocks(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if isinstance(value, str):  # a form body carries blocks as JSON text
        try:
            value = json.loads(value) if value else []
        except ValueError as error:
            raise _BadRequest("invalid_blocks") from error
    if not isinstance(value, list) or not all(isinstance(block, dict) for block in value):
        raise _BadRequest("invalid_blocks")
    return value


def _string(value: Any) -> str:
    return "" if value is None else str(value)


def _flag(value: Any) -> bool:
    """A boolean as JSON sends it, or as a form does ("true", "1")."""
    return value is True or value in ("true", "1")


def _bearer(authorization: str) -> str:
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


# -- writing answers


def _error(code: str) -> Params:
    return {"ok": False, "error": code}


def _message_json(posted: Posted) -> Params:
    return {
        "type": "message",
        "text": posted.text,
        "blocks": posted.blocks,
        "ts": posted.ts,
        "bot_id": BOT_ID,
    }


def _failure_answer(failure: _Failure, *, plain: bool) -> _Answer:
    """A staged failure. `plain`: the webhook, which answers text, not JSON."""
    headers: tuple[tuple[str, str], ...] = ()
    if failure.status == 429:
        headers = (("Retry-After", str(failure.retry_after)),)
    if plain or failure.status >= 500:
        return _text(failure.error, failure.status, headers)
    return _json(_error(failure.error), failure.status, headers)


def _json(payload: Params, status: int = 200, headers: tuple[tuple[str, str], ...] = ()) -> _Answer:
    body = json.dumps(payload).encode()
    return _Answer(status, body, "application/json; charset=utf-8", headers)


def _text(text: str, status: int = 200, headers: tuple[tuple[str, str], ...] = ()) -> _Answer:
    return _Answer(status, text.encode(), "text/plain; charset=utf-8", headers)
