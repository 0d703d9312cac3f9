"""What the delivery tests share: stored findings and the messages that show them."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.unit.act.test_admission_rules import finding
from tests.unit.evaluate.factories import NOW, endpoint
from watchdog.notify.deliver import (
    status_line,
)
from watchdog.store.base import FindingState, PostedMessage, StoredFinding

RUN = "run-2"
DEFAULT = "C0DEFAULT1"
# Channels an owner tag may name (settings.slack_channels).
ALLOWED = frozenset({"ml-team", "C0123ABCD"})


def stored(
    name: str = "llm",
    state: FindingState = "open",
    *,
    run_id: str = RUN,
    detail: str = "",
    owner: str | None = None,
    changed_at: datetime = NOW,
    until: datetime | None = None,
) -> StoredFinding:
    return StoredFinding(
        finding=finding(id=f"f-{name}", resource=endpoint(name), owner=owner),
        first_seen=NOW - timedelta(days=1),
        last_seen=NOW,
        last_run_id=run_id,
        state=state,
        state_detail=detail,
        state_changed_at=changed_at,
        state_until=until,
    )


def shown(
    of: StoredFinding,
    state: str = "open",
    *,
    channel: str = DEFAULT,
    ts: str = "1700000000.000100",
    detail: str = "",
) -> PostedMessage:
    return PostedMessage(
        finding_id=of.finding.id,
        channel=channel,
        ts=ts,
        posted_at=NOW - timedelta(days=1),
        shown_state=state,
        shown_detail=detail,
        updated_at=NOW - timedelta(days=1),
    )


def showing_now(of: StoredFinding, **where: str) -> PostedMessage:
    """The message as the notifier leaves it after posting or updating `of`."""
    return shown(of, of.state, detail=status_line(of) or "", **where)


def messages(*posted: PostedMessage) -> dict[str, PostedMessage]:
    return {m.finding_id: m for m in posted}


def ids(findings: tuple[StoredFinding, ...]) -> list[str]:
    return [s.finding.id for s in findings]
