"""Slack's button clicks: verified, parsed, and the Approve click recorded. Pure but for the
store; the HTTP layer (daemon or Lambda) acknowledges within Slack's 3 seconds and hands over.

A click is trusted only when its request signature verifies (slack_sdk's SignatureVerifier:
HMAC-SHA256 over `v0:{timestamp}:{raw body}` with the signing secret, at most 5 minutes old).
The button's value names the finding and action that were shown; the approval is for exactly
that, and only while the finding still asks for it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qs

from slack_sdk.signature import Clock, SignatureVerifier

from watchdog.approvals.record import NotApprovable, check_approvable, record_approval
from watchdog.notify.blocks import APPROVE, EXEMPT, SNOOZE
from watchdog.store.base import Approval, Store, StoreConflict

TIMESTAMP_HEADER = "x-slack-request-timestamp"
SIGNATURE_HEADER = "x-slack-signature"
BUTTONS = frozenset({APPROVE, SNOOZE, EXEMPT})


class Rejected(Exception):
    """The request is not a genuine, well-formed click: answer `status`, do nothing."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


class Refused(Exception):
    """A genuine click that must not take effect; the reason is shown to the clicker."""


@dataclass(frozen=True)
class Click:
    button: str  # approve | snooze | exempt
    finding_id: str
    action: str  # the finding's action the message showed
    user_id: str
    team_id: str | None
    response_url: str | None
    snooze_days: int | None = None


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
    except (KeyError, IndexError, TypeError, ValueError) as error:
        raise Rejected(400, f"malformed interaction payload: {error}") from error
    return click_from_payload(payload)


def click_from_payload(payload: object) -> Click | None:
    """The click in a block_actions payload, however it arrived: a signed HTTP request (after
    `parse_click` verified it) or a Socket Mode envelope (an authenticated connection)."""
    try:
        if not isinstance(payload, dict) or payload.get("type") != "block_actions":
            kind = payload.get("type") if isinstance(payload, dict) else type(payload).__name__
            raise Rejected(400, f"unexpected interaction type {kind!r}")
        clicked = payload["actions"][0]
        user = payload["user"]["id"]
    except (KeyError, IndexError, TypeError) as error:
        raise Rejected(400, f"malformed interaction payload: {error}") from error
    if clicked.get("action_id") not in BUTTONS:
        return None
    return _click(clicked, str(user), payload)


def _click(clicked: Mapping[str, object], user: str, payload: Mapping[str, object]) -> Click:
    parts = str(clicked.get("value", "")).split(":")
    if len(parts) < 2 or not parts[0].startswith("f-"):
        raise Rejected(400, f"malformed button value {clicked.get('value')!r}")
    days = int(parts[2]) if clicked["action_id"] == SNOOZE and len(parts) > 2 else None
    team = payload.get("team")
    return Click(
        button=str(clicked["action_id"]),
        finding_id=parts[0],
        action=parts[1],
        user_id=user,
        team_id=str(team["id"]) if isinstance(team, dict) and "id" in team else None,
        response_url=str(payload["response_url"]) if payload.get("response_url") else None,
        snooze_days=days,
    )


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
