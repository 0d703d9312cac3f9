"""The HTTP routes, the same behind the daemon's server and the Lambda's HTTP API / function URL:

- `GET|HEAD /approve/{token}`: the approval page (changes nothing: Slack's unfurler fetches it);
- `POST /approve/{token}`: the page's confirm form, which approves;
- `GET|HEAD|POST /resume/{token}`: a parked finding's Resume now link, the same way;
- `GET|HEAD /report/{token}`: the savings report, read-only, for as long as its link lasts;
- `POST /slack/interactions`: Slack's signed button clicks;
- `GET /healthz`, and `GET /metrics` where the host has metrics (the daemon).

Framework-free: a `Request` in, a `Response` and the work to do after answering out.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from watchdog.approvals.authorize import NotAllowed, Person, authorize
from watchdog.approvals.http import Response, handle_approval
from watchdog.approvals.resume_link import handle_resume
from watchdog.approvals.tokens import TokenInvalid, verify_token
from watchdog.service.clicks import answer_click
from watchdog.service.context import Service
from watchdog.service.report_page import report_page
from watchdog.service.work import Work

APPROVE_PREFIX, RESUME_PREFIX, REPORT_PREFIX = "/approve/", "/resume/", "/report/"
TEXT = {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
# A token as it sits in a logged path or message (any case: a token mistyped into /Approve/ is
# still someone's live approval).
_TOKEN_IN_PATH = re.compile(r"(/(?:approve|resume|report)/)([^\s?#\"'<>]+)", re.IGNORECASE)


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: str = ""


def route(
    service: Service,
    request: Request,
    now: datetime,
    metrics: Callable[[], str] | None = None,
    health: Callable[[], tuple[bool, str]] | None = None,
) -> tuple[Response, list[Work]]:
    """`metrics` and `health` come from a host that has them (the daemon); without `health`,
    answering at all is the proof of health (the Lambda: each invocation is its own run)."""
    method, path = request.method.upper(), request.path
    if path.startswith(APPROVE_PREFIX):
        return _approval(service, method, path.removeprefix(APPROVE_PREFIX), now)
    if path.startswith(RESUME_PREFIX):
        return _resume(service, method, path.removeprefix(RESUME_PREFIX), now)
    if path.startswith(REPORT_PREFIX):
        return report_page(service, method, path.removeprefix(REPORT_PREFIX), now), []
    if path == "/slack/interactions":
        if method != "POST":
            return _text(405, "POST only", {"Allow": "POST"}), []
        status, body, work = answer_click(service, request.headers, request.body, now)
        return _text(status, body), work
    if path == "/healthz" and method in ("GET", "HEAD"):
        healthy, why = health() if health is not None else (True, "ok")
        return _text(200 if healthy else 503, why), []
    if path == "/metrics" and method == "GET" and metrics is not None:
        headers = {"Content-Type": "text/plain; version=0.0.4; charset=utf-8"}
        return Response(200, headers, metrics()), []
    return _text(404, "not found"), []


def _approval(
    service: Service, method: str, token: str, now: datetime
) -> tuple[Response, list[Work]]:
    if service.link_key is None:
        return _text(404, "approval links are off: set WATCHDOG_LINK_SECRET"), []
    try:
        # Whoever holds a link is nobody Slack vouches for: with an allowlist, refused here
        # by the same rule that judges every button and command.
        authorize(Person("link"), "approve", service.approvers)
    except NotAllowed as refused:
        return _text(403, str(refused)), []
    response = handle_approval(method, token, service.store, service.link_key, now)
    if method != "POST" or response.status != 200:
        return response, []
    try:
        finding_id = verify_token(service.link_key, token, now).finding_id
    except TokenInvalid:  # it verified a moment ago; expiring in between changes nothing
        return response, []
    return response, [Work(task="execute", finding_id=finding_id, user="link")]


def _resume(
    service: Service, method: str, token: str, now: datetime
) -> tuple[Response, list[Work]]:
    if service.link_key is None:
        return _text(404, "resume links are off: set WATCHDOG_LINK_SECRET"), []
    try:
        authorize(Person("link"), "resume", service.approvers)
    except NotAllowed as refused:
        return _text(403, str(refused)), []
    response, finding_id = handle_resume(method, token, service.store, service.link_key, now)
    if finding_id is None:
        return response, []
    return response, [Work(task="resume", finding_id=finding_id, user="link")]


def _text(status: int, body: str, extra: dict[str, str] | None = None) -> Response:
    return Response(status, TEXT | (extra or {}), body)


def redact_tokens(text: str) -> str:
    """`text` (a path, a server's message) with every approval token replaced by a short hash
    of it: a logged token is a usable approval until it expires, whereas the hash still tells
    the requests for one link apart and matches a token an operator holds."""
    return _TOKEN_IN_PATH.sub(_token_hint, text)


def _token_hint(found: re.Match[str]) -> str:
    digest = hashlib.sha256(found.group(2).encode()).hexdigest()[:12]
    return f"{found.group(1)}sha256:{digest}"
