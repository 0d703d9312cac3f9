"""The HTTP side of the sandbox's Slack (`slack_api.SlackApi`): the server and its request
handler, reading a request's parameters as Slack reads them, and answers in the shapes Slack
sends.

Kept apart from the workspace so that slack_api and slack_workspace read as Slack's behaviour
(which call does what to which message) while the bytes live here. It knows nothing of
SlackApi: the server is handed the two callables it serves with, so nothing here imports back.
Standard library only.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol, cast
from urllib.parse import parse_qsl

Params = dict[str, Any]


@dataclass
class Failure:
    """One staged by `SlackApi.fail_next`; `times` counts down as calls take it."""

    status: int
    times: int
    retry_after: int
    error: str


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...] = ()


class BadRequest(Exception):
    """The request cannot be read; `code` is the error Slack names for it."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Dispatch(Protocol):
    """Answers a plain (not upgraded) request from its verb, target (path and query), headers and
    body."""

    def __call__(
        self, verb: str, target: str, content_type: str, authorization: str, body: bytes
    ) -> Answer: ...


class Server(ThreadingHTTPServer):
    """Listens on a free port of 127.0.0.1. `dispatch` answers plain requests; `upgrade` serves a
    WebSocket upgrade on the handler itself, for as long as the connection lasts."""

    def __init__(
        self, dispatch: Dispatch, upgrade: Callable[[BaseHTTPRequestHandler], None]
    ) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.dispatch = dispatch
        self.upgrade = upgrade


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.headers.get("Upgrade", "").strip().lower() == "websocket":
            cast(Server, self.server).upgrade(self)
        else:
            self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, verb: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        answer = cast(Server, self.server).dispatch(
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


def read_params(query: str, content_type: str, body: bytes) -> Params:
    """The query string's arguments, then the body's over them: Slack reads either."""
    params: Params = dict(parse_qsl(query, keep_blank_values=True))
    if not body:
        return params
    kind = content_type.partition(";")[0].strip().lower()
    if kind == "application/json":
        try:
            parsed = json.loads(body)
        except ValueError as error:
            raise BadRequest("invalid_json") from error
        if not isinstance(parsed, dict):
            raise BadRequest("json_not_object")
        params.update(parsed)
    elif kind == "application/x-www-form-urlencoded":
        params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    elif not kind:
        raise BadRequest("missing_post_type")
    else:
        # Slack also takes multipart/form-data (file uploads) and text/plain; not emulated here.
        raise BadRequest("invalid_post_type")
    return params


def read_content(params: Params) -> tuple[str, list[dict[str, Any]]] | None:
    """A message's text and blocks, or None when it has neither."""
    text = string(params.get("text"))
    blocks = read_blocks(params.get("blocks"))
    return (text, blocks) if text or blocks else None


def read_blocks(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if isinstance(value, str):  # a form body carries blocks as JSON text
        try:
            value = json.loads(value) if value else []
        except ValueError as error:
            raise BadRequest("invalid_blocks") from error
    if not isinstance(value, list) or not all(isinstance(block, dict) for block in value):
        raise BadRequest("invalid_blocks")
    return value


def string(value: Any) -> str:
    return "" if value is None else str(value)


def flag(value: Any) -> bool:
    """A boolean as JSON sends it, or as a form does ("true", "1")."""
    return value is True or value in ("true", "1")


def bearer(authorization: str) -> str:
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


# -- writing answers


def error_payload(code: str) -> Params:
    return {"ok": False, "error": code}


def failure_answer(failure: Failure, *, plain: bool) -> Answer:
    """A staged failure. `plain`: the webhook, which answers text, not JSON."""
    headers: tuple[tuple[str, str], ...] = ()
    if failure.status == 429:
        headers = (("Retry-After", str(failure.retry_after)),)
    if plain or failure.status >= 500:
        return text_answer(failure.error, failure.status, headers)
    return json_answer(error_payload(failure.error), failure.status, headers)


def json_answer(
    payload: Params, status: int = 200, headers: tuple[tuple[str, str], ...] = ()
) -> Answer:
    body = json.dumps(payload).encode()
    return Answer(status, body, "application/json; charset=utf-8", headers)


def text_answer(text: str, status: int = 200, headers: tuple[tuple[str, str], ...] = ()) -> Answer:
    return Answer(status, text.encode(), "text/plain; charset=utf-8", headers)
