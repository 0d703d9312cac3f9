"""The webhook's event: one JSON object per change a finding goes through (outbound.Change).

The shape is a contract with receivers (PagerDuty and Opsgenie bridges, ticketing): fields are
only ever added under the same `schema_version`; a field renamed, removed or changing meaning
bumps it. README "Webhooks" documents every field; tests/unit/notify/test_webhook_events.py holds
the exact key sets, so a drift fails there first.

The event id is a digest of the finding, the stage and the moment the finding entered its
state: the same change told twice (retried, re-sent next cycle after a lost answer, told again
after a crash) keeps its id, so a receiver can drop the repeat; a finding reaching a stage again
later (approved, revoked, approved again) is a new change with a new id.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from watchdog.notify.outbound import ESCALATED, REMINDER, Change
from watchdog.notify.weekly import Digest
from watchdog.store.base import StoredFinding

SCHEMA_VERSION = 1
# The event type of each stage a change can be at (a finding's state, or reminder/escalated).
EVENT_TYPES = {
    "open": "finding.opened",
    "approved": "finding.approved",
    "executing": "finding.executing",
    "done": "finding.done",
    "snoozed": "finding.snoozed",
    "resolved": "finding.resolved",
    "parked": "finding.parked",
    "cancelled": "finding.cancelled",
    REMINDER: "finding.reminder",
    ESCALATED: "finding.escalated",
}


def event_type(stage: str) -> str:
    return EVENT_TYPES.get(stage, f"finding.{stage}")


def event_id(change: Change) -> str:
    """Stable for one change: the finding, its stage, and when it entered its state."""
    stored = change.stored
    entered = stored.state_changed_at.astimezone(UTC).isoformat()
    digest = hashlib.sha256(f"{stored.finding.id}|{change.stage}|{entered}".encode()).hexdigest()
    return f"evt-{digest[:32]}"


def event_of(change: Change, now: datetime) -> dict[str, Any]:
    """The event telling `change`. A state change occurred when the finding entered the state;
    a reminder or an escalation when it is told (`now`)."""
    stored = change.stored
    reminding = change.stage in (REMINDER, ESCALATED)
    return {
        "schema_version": SCHEMA_VERSION,
        "id": event_id(change),
        "type": event_type(change.stage),
        "occurred_at": _time(now if reminding else stored.state_changed_at),
        "previous_type": None if change.shown is None else event_type(change.shown),
        "finding": finding_of(stored),
        "links": {"review": change.review_url, "resume": change.resume_url},
        "escalate_to": list(change.escalate_to),
    }


def finding_of(stored: StoredFinding) -> dict[str, Any]:
    finding, resource = stored.finding, stored.finding.resource
    return {
        "id": finding.id,
        "policy": finding.policy,
        "kind": resource.kind,
        "arn": resource.arn,
        "name": resource.name,
        "account": resource.account,
        "region": resource.region,
        "action": finding.action,
        "requested_action": finding.requested_action,
        "reason": finding.reason,
        "evidence": {
            "state": finding.evidence.state,
            "detail": finding.evidence.detail,
            "window_hours": finding.evidence.window_hours,
            "facts": dict(finding.evidence.facts),
        },
        "confidence": finding.confidence,
        "monthly_cost_usd": finding.monthly_cost_usd,
        "monthly_savings_usd": round(finding.monthly_savings_usd(), 2),
        "cost_basis": finding.cost_basis,
        "owner": finding.owner,
        "state": stored.state,
        "state_detail": stored.state_detail,
        "state_until": _time(stored.state_until) if stored.state_until else None,
        "first_seen": _time(stored.first_seen),
        "last_seen": _time(stored.last_seen),
    }


def digest_event(digest: Digest) -> dict[str, Any]:
    """The weekly digest (`digest.weekly`): one per week, its id stable for the week."""
    digest_id = hashlib.sha256(f"digest|{digest.period}".encode()).hexdigest()
    return {
        "schema_version": SCHEMA_VERSION,
        "id": f"evt-{digest_id[:32]}",
        "type": "digest.weekly",
        "occurred_at": _time(digest.generated_at),
        "digest": digest.model_dump(mode="json"),
    }


def event_body(event: dict[str, Any]) -> bytes:
    """The request body: compact, ASCII-only JSON with sorted keys (the bytes that are signed)."""
    return json.dumps(event, separators=(",", ":"), sort_keys=True).encode()


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
