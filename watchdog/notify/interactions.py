"""Slack's button clicks: verified, parsed, and the Approve click recorded. Pure but for the
store; the HTTP layer (daemon or Lambda) acknowledges within Slack's 3 seconds and hands over.

A click is trusted only when its request signature verifies (slack_sdk's SignatureVerifier:
HMAC-SHA256 over `v0:{timestamp}:{raw body}` with the signing secret, at most 5 minutes old).
The button's value names the finding and action that were shown; the approval is for exactly
that, and only while the finding still asks for it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qs

from slack_sdk.signature import Clock, SignatureVerifier

from watchdog.approvals.person import NotAllowed, check_snooze_days
from watchdog.approvals.record import NotApprovable, check_approvable, record_approval
from watchdog.notify.blocks import APPROVE, EXEMPT, RESUME, SNOOZE
from watchdog.store.base import Approval, Store, StoreConflict

TIMESTAMP_HEADER = "x-slack-request-timestamp"
SIGNATURE_HEADER = "x-slack-signature"
BUTTONS = frozenset({APPROVE, SNOOZE, EXEMPT, RESUME})
MAX_FIELD = 200  # longer than any id, value or timestamp Slack sends in a click


class Rejected(Exception):
    """The request is not a genuine, well-formed click: answer `status`, do nothing. A signed
    click with a bad value carries its `response_url`, so the clicker can be told why."""

    def __init__(self, status: int, reason: str, response_url: str | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.response_url = response_url


class Refused(Exception):
    """A genuine click that must not take effect; the reason is shown to the clicker."""


@dataclass(frozen=True)
class Click:
    button: str  # approve | snooze | exempt | resume
    finding_id: str
    action: str  # the finding's action the message showed
    user_id: str
    team_id: str | None
    response_url: str | None
    snooze_days: int | None = None
    action_ts: str | None = None  # Slack's own stamp of this click: the same on a replay


class _At(Clock):
    """SignatureVerifier's clock, pinned to the time the caller passes (no clock reads here)."""

    def __init__(self, now: datetime) -> None:
        self._now = now.timestamp()

    def now(self) -> float:
        return self._now


def parse_click(
    headers: Mapping[str, str], body: str, signing_secret: str, now: datetime
) -> Click | None:
    """The click, or None for clicks that need nothing (the Review link button). Raises
    Rejected(401) for a missing, stale or wrong signature and Rejected(400) for a malformed
    payload."""
    lowered = {k.lower(): v for k, v in headers.items()}
    verifier = SignatureVerifier(signing_secret, clock=_At(now))
    try:
        valid = verifier.is_valid(
            body, lowered.get(TIMESTAMP_HEADER), lowered.get(SIGNATURE_HEADER)
        )
    except (ValueError, TypeError):  # a garbled timestamp or a non-ASCII signature
        valid = False
    if not valid:
        raise Rejected(401, "invalid or stale Slack signature")
    try:
        payload = json.loads(parse_qs(body)["payload"][0])
    except (KeyError, IndexError, TypeError, ValueError, RecursionError) as error:
        # Only the error's kind: its text can quote the payload back at length.
        raise Rejected(400, f"malformed interaction payload ({type(error).__name__})") from error
    return click_from_payload(payload)


def click_from_payload(payload: object) -> Click | None:
    """The click in a block_actions payload, however it arrived: a signed HTTP request (after
    `parse_click` verified it) or a Socket Mode envelope (an authenticated connection).

    Signed is not well-formed: every field is checked for its type and shape here, so a bad
    value is a Rejected(400) the clicker is told about, never an exception further in."""
    if not isinstance(payload, dict) or payload.get("type") != "block_actions":
        kind = payload.get("type") if isinstance(payload, dict) else type(payload).__name__
        raise Rejected(400, f"unexpected interaction type {str(kind)[:40]!r}")
    actions, user = payload.get("actions"), payload.get("user")
    if not (isinstance(actions, list) and actions and isinstance(actions[0], dict)):
        raise Rejected(400, "malformed interaction payload: no action")
    if not (isinstance(user, dict) and _text(user.get("id"))):
        raise Rejected(400, "malformed interaction payload: no user")
    clicked = actions[0]
    if clicked.get("action_id") not in BUTTONS:
        return None
    return _click(clicked, str(user["id"]), payload)


def _text(value: object) -> str | None:
    """A short string field, or None: ids and timestamps are never long or anything else."""
    return value if isinstance(value, str) and 0 < len(value) <= MAX_FIELD else None


def _click(clicked: Mapping[str, object], user: str, payload: Mapping[str, object]) -> Click:
    team = payload.get("team")
    url = payload.get("response_url")
    response_url = url if isinstance(url, str) and url else None
    value = _text(clicked.get("value")) or ""
    parts = value.split(":")
    if len(parts) < 2 or not parts[0].startswith("f-") or len(parts) > 3:
        raise Rejected(400, f"malformed button value {value[:80]!r}", response_url)
    days = None
    if clicked["action_id"] == SNOOZE and len(parts) == 3:
        days = _days(parts[2], response_url)
    return Click(
        button=str(clicked["action_id"]),
        finding_id=parts[0],
        action=parts[1],
        user_id=user,
        team_id=_text(team.get("id")) if isinstance(team, dict) else None,
        response_url=response_url,
        snooze_days=days,
        action_ts=_text(clicked.get("action_ts")),
    )


def _days(text: str, response_url: str | None) -> int:
    """The Snooze button's days, within the bounds every snooze has (approvals.person)."""
    # Digits only, and few: int() of thousands of digits is slow before it fails.
    if not re.fullmatch(r"[0-9]{1,6}", text):
        raise Rejected(400, f"malformed snooze length {text[:20]!r}", response_url)
    try:
        return check_snooze_days(int(text))
    except NotAllowed as error:
        raise Rejected(400, str(error), response_url) from error


def click_key(click: Click, fallback: str | None = None) -> str | None:
    """What makes a click this click and no other, to act on it once: Slack's `action_ts` with
    who clicked what (a replayed request, or Slack resending one, carries the same), or else
    `fallback` (the request's signature). None when there is nothing to tell clicks apart by."""
    if click.action_ts is not None:
        who = [click.team_id or "", click.user_id]
        parts = [*who, click.button, click.finding_id, click.action_ts]
    elif fallback:
        parts = ["signature", fallback]
    else:
        return None
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def approve(
    store: Store, click: Click, now: datetime, validity: timedelta = timedelta(hours=24)
) -> Approval:
    """Record the click's approval, or raise Refused saying why it cannot count. Whether the
    clicker may approve at all is the caller's to ask (approvals.authorize)."""
    try:
        stored = check_approvable(
            click.finding_id, store.get_finding(click.finding_id), click.action
        )
    except NotApprovable as error:
        raise Refused(str(error)) from error
    approval = Approval(
        id=f"ap-slack-{click.finding_id}-{click.user_id}-{int(now.timestamp())}",
        finding_id=click.finding_id,
        action=stored.finding.action,
        approver=f"slack:{click.user_id}",
        via="slack",
        created_at=now,
        expires_at=now + validity,
    )
    try:
        return record_approval(store, approval)
    except StoreConflict as error:  # the same person clicking twice in one second
        raise Refused(f"<@{click.user_id}> already approved it") from error
