"""`GET|HEAD|POST /approve/{token}`, framework-free: the daemon's HTTP server and the Lambda's
HTTP API both translate their request into `handle_approval` and its `Response` back.

GET and HEAD only read: Slack's unfurler (Slackbot-LinkExpanding), mail scanners and browsers
prefetching fetch every link, so showing the page must never approve or use up the token. Only
the confirm form's POST approves, consuming the token with the store's conditional write first,
so two POSTs (a double click, two tabs, two Lambdas) approve once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import structlog

from watchdog.approvals.pages import HEADERS, confirm_page, done_page, error_page
from watchdog.approvals.record import FINISHED_STATES, record_approval
from watchdog.approvals.tokens import TokenClaims, TokenInvalid, verify_token
from watchdog.store.base import Approval, Store, StoreConflict, StoredFinding, StoreError

log = structlog.get_logger(__name__)

ALLOWED_METHODS = "GET, HEAD, POST"


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""


@dataclass(frozen=True)
class _Refusal:
    status: int
    outcome: str  # for logs and tests: which rule refused
    title: str
    message: str


def handle_approval(
    method: str,
    token: str,
    store: Store,
    secret: bytes,
    now: datetime,
    approver: str = "link",
) -> Response:
    """Answer one request on an approval link. `now` is the request time; `approver` is who
    the caller authenticated, if anyone ("link": whoever held the link)."""
    verb = method.upper()
    if verb not in ("GET", "HEAD", "POST"):
        refusal = _Refusal(405, "method-not-allowed", "Method not allowed", "Use GET or POST.")
        return _refused(verb, refusal, None, {"Allow": ALLOWED_METHODS})
    try:
        claims = verify_token(secret, token, now)
    except TokenInvalid as invalid:
        finding = invalid.claims.finding_id if invalid.claims else None
        return _refused(verb, _invalid(invalid), finding)
    try:
        stored = store.get_finding(claims.finding_id)
        if stored is None:
            return _refused(verb, _unknown(claims), claims.finding_id)
        mismatch = _mismatch(stored, claims)
        if mismatch is not None:
            return _refused(verb, mismatch, claims.finding_id)
        if verb == "POST":
            return _approve(store, stored, claims, now, approver)
        # Only a hint (the store has no read for used tokens): an approval this token made and
        # nobody has used yet means the link was already clicked.
        pending = store.pending_approval(claims.finding_id, claims.action, now)
        if pending is not None and pending.id == _approval_id(claims):
            return _refused(verb, _used(), claims.finding_id)
    except StoreError as error:
        log.error("approval link store error", finding_id=claims.finding_id, error=str(error))
        return _refused(verb, _unavailable(), claims.finding_id)
    _log(verb, "shown", claims.finding_id)
    page = confirm_page(stored.finding, claims.action, claims.expires_at)
    return Response(200, dict(HEADERS), "" if verb == "HEAD" else page)


def _approve(
    store: Store, stored: StoredFinding, claims: TokenClaims, now: datetime, approver: str
) -> Response:
    if not store.consume_token(claims.token_id, now):
        return _refused("POST", _used(), claims.finding_id)
    approval = Approval(
        id=_approval_id(claims),
        finding_id=claims.finding_id,
        action=claims.action,
        approver=approver,
        via="link",
        created_at=now,
        expires_at=claims.expires_at,
    )
    try:
        record_approval(store, approval)
    except StoreConflict:
        return _refused("POST", _used(), claims.finding_id)
    except StoreError as error:
        # The token is spent but nothing was recorded: fail closed and say how to recover.
        log.error("approval not recorded", finding_id=claims.finding_id, error=str(error))
        refusal = _Refusal(
            503,
            "not-recorded",
            "Approval not recorded",
            "The watchdog could not record the approval and this link is now used up. "
            f"Approve with `ai-watchdog approve {claims.finding_id}` or ask for a new link.",
        )
        return _refused("POST", refusal, claims.finding_id)
    _log("POST", "approved", claims.finding_id, approval_id=approval.id)
    return Response(200, dict(HEADERS), done_page(approval, stored.finding.resource.name))


def _mismatch(stored: StoredFinding, claims: TokenClaims) -> _Refusal | None:
    """Why the finding no longer matches what the token approves, if it does not."""
    if stored.state in FINISHED_STATES:
        return _Refusal(
            409,
            "finding-state",
            "Already handled",
            f"Finding {claims.finding_id} is already {stored.state}: there is nothing to approve.",
        )
    if stored.finding.action != claims.action:
        return _Refusal(
            409,
            "action-changed",
            "The finding changed",
            f"This link approves {claims.action}, but finding {claims.finding_id} now asks to "
            f"{stored.finding.action}. Use the latest message's link.",
        )
    return None


def _invalid(invalid: TokenInvalid) -> _Refusal:
    if invalid.reason == "expired":
        how = " Ask for a new link"
        if invalid.claims:
            how += f" or approve with `ai-watchdog approve {invalid.claims.finding_id}`"
        return _Refusal(410, "expired", "Link expired", f"{invalid.message}{how}.")
    return _Refusal(400, invalid.reason, "Invalid approval link", invalid.message)


def _unknown(claims: TokenClaims) -> _Refusal:
    return _Refusal(
        404,
        "unknown-finding",
        "Finding not found",
        f"The watchdog has no finding {claims.finding_id}; it may belong to another store.",
    )


def _used() -> _Refusal:
    return _Refusal(410, "used", "Link already used", "This approval link has already been used.")


def _unavailable() -> _Refusal:
    return _Refusal(
        503, "store-unavailable", "Try again later", "The watchdog's store is unavailable."
    )


def _approval_id(claims: TokenClaims) -> str:
    return f"ap-{claims.token_id}"


def _refused(
    verb: str,
    refusal: _Refusal,
    finding_id: str | None,
    extra: dict[str, str] | None = None,
) -> Response:
    _log(verb, refusal.outcome, finding_id)
    body = "" if verb == "HEAD" else error_page(refusal.title, refusal.message)
    return Response(refusal.status, HEADERS | (extra or {}), body)


def _log(verb: str, outcome: str, finding_id: str | None, **extra: str) -> None:
    # Never the token or the secret: a logged token is a usable approval until it expires.
    log.info("approval link", method=verb, outcome=outcome, finding_id=finding_id, **extra)
