"""`GET|HEAD|POST /resume/{token}`: a parked finding's Resume now link, for messages that carry
no buttons (a Slack incoming webhook). The same rules as an approval link (approvals/http.py):
GET and HEAD only show the page (link unfurlers and mail scanners fetch every link), the confirm
form's POST acts, consuming the token first so two POSTs resume once. Its tokens are signed for
this use only: an approval link does not resume, nor a resume link approve.

The POST only hands the resume on (the caller runs it after answering, as a click's work): it
is the resume step the schedule would run, claimed and recorded, so it happens once.
"""

from __future__ import annotations

from datetime import datetime

import structlog

from watchdog.approvals.http import ALLOWED_METHODS, Response
from watchdog.approvals.pages import HEADERS, error_page, resume_done_page, resume_page
from watchdog.approvals.tokens import TokenInvalid, verify_token
from watchdog.store.base import Store, StoreError

log = structlog.get_logger(__name__)


def handle_resume(
    method: str, token: str, store: Store, secret: bytes, now: datetime
) -> tuple[Response, str | None]:
    """The answer, and the id of the finding to resume now (only after a POST that took the
    token)."""
    verb = method.upper()
    if verb not in ("GET", "HEAD", "POST"):
        return _refused(verb, 405, "Method not allowed", "Use GET or POST.", None), None
    try:
        claims = verify_token(secret, token, now, purpose="resume")
    except TokenInvalid as invalid:
        status = 410 if invalid.reason == "expired" else 400
        title = "Link expired" if invalid.reason == "expired" else "Invalid resume link"
        how = " Resume with `ai-watchdog resume ARN --execute`." if status == 410 else ""
        return _refused(verb, status, title, f"{invalid.message}{how}", None), None
    finding_id = claims.finding_id
    try:
        stored = store.get_finding(finding_id)
        if stored is None or stored.state != "parked":
            state = stored.state if stored is not None else "unknown to this watchdog"
            message = f"Finding {finding_id} is not parked ({state}): there is nothing to resume."
            return _refused(verb, 409, "Not parked", message, finding_id), None
        name = stored.finding.resource.name
        if verb != "POST":
            _log(verb, "shown", finding_id)
            page = resume_page(stored.finding, claims.expires_at)
            return Response(200, dict(HEADERS), "" if verb == "HEAD" else page), None
        if not store.consume_token(claims.token_id, now):
            message = "This resume link has already been used."
            return _refused(verb, 410, "Link already used", message, finding_id), None
    except StoreError as error:
        log.error("resume link store error", finding_id=finding_id, error=str(error))
        message = "The watchdog's store is unavailable."
        return _refused(verb, 503, "Try again later", message, finding_id), None
    _log(verb, "resuming", finding_id)
    return Response(200, dict(HEADERS), resume_done_page(name, finding_id)), finding_id


def _refused(verb: str, status: int, title: str, message: str, finding_id: str | None) -> Response:
    _log(verb, title.lower(), finding_id)
    extra = {"Allow": ALLOWED_METHODS} if status == 405 else {}
    body = "" if verb == "HEAD" else error_page(title, message, "Nothing was resumed.")
    return Response(status, HEADERS | extra, body)


def _log(verb: str, outcome: str, finding_id: str | None) -> None:
    # Never the token: a logged token is a usable link until it expires.
    log.info("resume link", method=verb, outcome=outcome, finding_id=finding_id)
