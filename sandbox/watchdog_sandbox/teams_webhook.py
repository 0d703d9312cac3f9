"""A local Teams workflow webhook for the tests and the demo: the trigger "When a Teams webhook
request is received" of a workflow that posts each attachment's card to a channel, served over
HTTP so the watchdog's own client talks to it.

It reads a request as the real workflow does and refuses what the real one would: the URL's
signature (`sig=`, 401 when wrong or missing), a JSON body (400), `type: message` with a list
of attachments whose `contentType` is the Adaptive Card one (400 otherwise; the template
iterates `attachments` and fails without them), each card an `AdaptiveCard` with the Adaptive
Cards `$schema` and a version Teams renders (1.0 to 1.5), body elements of the types it knows
(TextBlock with text, FactSet with title/value facts, Container, ColumnSet, Image, ActionSet),
and actions that are `Action.OpenUrl` with a title and an http(s) url. Over 28 KB is 413, as
Teams' message limit. A request taken is answered 202 with an empty body, as the workflow
trigger answers; what it carried is kept in `cards`, the channel's content, in order.

`fail_next(status, retry_after=...)` stages failures: 429 with Retry-After, a 5xx, or any
other status, for the next `times` requests. Every request, in order, is in `calls`.
Standard library only.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

__all__ = ["CONTENT_TYPE", "MAX_BYTES", "TRIGGER_PATH", "Call", "TeamsWorkflow"]

CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSIONS = frozenset({"1.0", "1.1", "1.2", "1.3", "1.4", "1.5"})
MAX_BYTES = 28 * 1024
# The shape of a Power Automate workflow trigger's URL (its query carries the signature).
TRIGGER_PATH = "/powerautomate/automations/direct/workflows/sandbox/triggers/manual/paths/invoke"
_ELEMENTS = frozenset({"TextBlock", "FactSet", "Container", "ColumnSet", "Image", "ActionSet"})

Json = dict[str, Any]
Answer = Callable[[str, str, bytes], tuple[int, Json, bytes]]


@dataclass(frozen=True)
class Call:
    """One request: its path (without the query), the body as JSON (None when unreadable), the
    status answered and, for a refused one, why."""

    path: str
    body: Any
    status: int
    error: str = ""


@dataclass
class _Failure:
    status: int
    times: int
    retry_after: int | None


class Refused(Exception):
    def __init__(self, status: int, why: str) -> None:
        super().__init__(why)
        self.status = status
        self.why = why


class TeamsWorkflow:
    """A fake Teams workflow webhook on a free port of 127.0.0.1."""

    def __init__(self, signature: str | None = None) -> None:
        self.signature = signature or secrets.token_urlsafe(24)
        self.calls: list[Call] = []
        self.cards: list[Json] = []
        self._failure: _Failure | None = None
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> TeamsWorkflow:
        if self._server is not None:
            raise RuntimeError("this TeamsWorkflow is already running")
        self._server = _Server(self._answer)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="sandbox-teams-workflow",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join()

    def __enter__(self) -> TeamsWorkflow:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The webhook URL, signature included (a secret, as the real one is)."""
        if self._server is None:
            raise RuntimeError("start() this TeamsWorkflow first")
        query = f"api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={self.signature}"
        return f"http://127.0.0.1:{self._server.server_port}{TRIGGER_PATH}?{query}"

    def fail_next(self, status: int, times: int = 1, retry_after: int | None = None) -> None:
        """Answer the next `times` requests with `status` instead of taking them (a 429 with
        `Retry-After: retry_after` when given)."""
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._failure = _Failure(status, times, retry_after)

    def statuses(self) -> list[int]:
        return [call.status for call in self.calls]

    # -- answering

    def _answer(self, target: str, content_type: str, body: bytes) -> tuple[int, Json, bytes]:
        url = urlsplit(target)
        with self._lock:
            parsed: Any = None
            try:
                self._check_target(url.path, url.query)
                parsed = _read_json(content_type, body)
                failure = self._take_failure()
                if failure is not None:
                    return self._failed(url.path, parsed, failure)
                cards = _cards(parsed, len(body))
            except Refused as refused:
                self.calls.append(Call(url.path, parsed, refused.status, refused.why))
                error = {"error": {"code": "BadRequest", "message": refused.why}}
                return refused.status, {}, json.dumps(error).encode()
            self.calls.append(Call(url.path, parsed, 202))
            self.cards.extend(cards)
            return 202, {}, b""

    def _check_target(self, path: str, query: str) -> None:
        if path != TRIGGER_PATH:
            raise Refused(404, "no workflow at this address")
        given = parse_qs(query).get("sig", [""])[0]
        if not secrets.compare_digest(given.encode(), self.signature.encode()):
            raise Refused(401, "the signature of the URL is not valid")

    def _take_failure(self) -> _Failure | None:
        failure = self._failure
        if failure is not None:
            failure.times -= 1
            if failure.times == 0:
                self._failure = None
        return failure

    def _failed(self, path: str, body: Any, failure: _Failure) -> tuple[int, Json, bytes]:
        self.calls.append(Call(path, body, failure.status, "staged failure"))
        headers: Json = {}
        if failure.retry_after is not None:
            headers["Retry-After"] = str(failure.retry_after)
        error = {"error": {"code": "Staged", "message": f"staged {failure.status}"}}
        return failure.status, headers, json.dumps(error).encode()


# -- what the workflow accepts


def _read_json(content_type: str, body: bytes) -> Any:
    if content_type.partition(";")[0].strip().lower() != "application/json":
        raise Refused(400, "the content type must be application/json")
    try:
        return json.loads(body)
    except ValueError as error:
        raise Refused(400, "the body is not JSON") from error


def _cards(message: Any, size: int) -> list[Json]:
    if size > MAX_BYTES:
        raise Refused(413, f"the message is over {MAX_BYTES} bytes")
    if not isinstance(message, dict) or message.get("type") != "message":
        raise Refused(400, "the body must be a message (type: message)")
    attachments = message.get("attachments")
    if not isinstance(attachments, list) or not attachments:
        raise Refused(400, "attachments must be a non-empty list")
    cards = []
    for attachment in attachments:
        if not isinstance(attachment, dict) or attachment.get("contentType") != CONTENT_TYPE:
            raise Refused(400, f"an attachment's contentType must be {CONTENT_TYPE}")
        cards.append(_card(attachment.get("content")))
    return cards


def _card(card: Any) -> Json:
    if not isinstance(card, dict) or card.get("type") != "AdaptiveCard":
        raise Refused(400, "Property 'type' must be 'AdaptiveCard'")
    if card.get("$schema") != SCHEMA:
        raise Refused(400, f"$schema must be {SCHEMA}")
    if card.get("version") not in VERSIONS:
        raise Refused(400, f"version {card.get('version')!r} is not one Teams renders")
    _elements(card.get("body"), "body")
    _actions(card.get("actions", []))
    return card


def _elements(elements: Any, where: str) -> None:
    if not isinstance(elements, list):
        raise Refused(400, f"{where} must be a list")
    for element in elements:
        kind = element.get("type") if isinstance(element, dict) else None
        if kind not in _ELEMENTS:
            raise Refused(400, f"unknown element type {kind!r} in {where}")
        element = cast(Json, element)
        if kind == "TextBlock" and not isinstance(element.get("text"), str):
            raise Refused(400, "a TextBlock needs its text")
        if kind == "FactSet":
            _facts(element.get("facts"))
        if kind == "Container":
            _elements(element.get("items"), "a Container")
        if kind == "ColumnSet":
            for column in element.get("columns", []):
                _elements(column.get("items", []) if isinstance(column, dict) else None, "a Column")
        if kind == "Image" and not _http_url(element.get("url")):
            raise Refused(400, "an Image needs an http(s) url")
        if kind == "ActionSet":
            _actions(element.get("actions"))


def _facts(facts: Any) -> None:
    if not isinstance(facts, list) or not facts:
        raise Refused(400, "a FactSet needs facts")
    for fact in facts:
        if not isinstance(fact, dict) or not all(
            isinstance(fact.get(key), str) for key in ("title", "value")
        ):
            raise Refused(400, "a fact needs a title and a value")


def _actions(actions: Any) -> None:
    if not isinstance(actions, list):
        raise Refused(400, "actions must be a list")
    for action in actions:
        if not isinstance(action, dict) or action.get("type") != "Action.OpenUrl":
            raise Refused(400, "only Action.OpenUrl can be used in a card a workflow posts")
        if not isinstance(action.get("title"), str) or not _http_url(action.get("url")):
            raise Refused(400, "an Action.OpenUrl needs a title and an http(s) url")


def _http_url(value: Any) -> bool:
    return isinstance(value, str) and urlsplit(value).scheme in ("http", "https")


# -- HTTP


class _Server(ThreadingHTTPServer):
    def __init__(self, answer: Answer) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answer = answer


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        answer = cast(_Server, self.server).answer
        status, headers, payload = answer(self.path, self.headers.get("Content-Type", ""), body)
        self.send_response(status)
        if payload:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: `calls` is the record."""
