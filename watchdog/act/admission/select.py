"""Which findings may start a teardown now, and on whose approval. Pure: the store's answers
are passed in.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from watchdog.act.models import FindingFate
from watchdog.evaluate.schedule import next_opening
from watchdog.findings import Finding
from watchdog.store.base import StoredFinding

ACTIONS = frozenset({"stop", "delete"})


def actionable(finding: Finding) -> bool:
    """A stop/delete finding with steps: something apply could do. (No steps: already done.)"""
    return finding.action in ACTIONS and bool(finding.steps or finding.blocked)


def not_ready(
    finding: Finding, stored: StoredFinding | None, now: datetime | None = None
) -> tuple[FindingFate, str] | None:
    """Why the finding cannot start now, whatever its approval says; None when it can.
    With `now`, a closed action window says when it opens."""
    if finding.blocked:
        return "waiting", finding.blocked
    blocked = next((s for s in finding.steps if s.blocked), None)
    if blocked is not None:
        return "waiting", f"{blocked.op} on {blocked.target_name}: {blocked.blocked}"
    if not finding.actions_allowed_now:
        return "waiting", window_wait(finding, now)
    if stored is not None and stored.state == "snoozed":
        return "waiting", f"snoozed: {stored.state_detail}" if stored.state_detail else "snoozed"
    return None


def window_wait(finding: Finding, now: datetime | None) -> str:
    """`waits for its window, opens at 2025-06-02 20:00 UTC`: when the person can expect it."""
    opens = next_opening(finding.action_window, now) if finding.action_window and now else None
    if opens is None:
        return "waits for its policy's action window to open"
    return f"waits for its window, opens at {opens:%Y-%m-%d %H:%M} UTC"


def automatic_approval(
    finding: Finding, stored: StoredFinding | None, now: datetime
) -> tuple[str | None, str]:
    """(approver, "") once the policy's grace period has passed since the finding was first
    seen; (None, when it will be) before."""
    grace = timedelta(hours=finding.approval_grace_hours or 0)
    first_seen = stored.first_seen if stored is not None else now
    ready_at = first_seen + grace
    if now >= ready_at:
        return f"policy:{finding.policy}", ""
    return None, (
        f"policy {finding.policy} approves it automatically from "
        f"{ready_at.strftime('%Y-%m-%d %H:%M')} UTC (grace period)"
    )


def targets(finding: Finding) -> list[str]:
    return [step.target_arn for step in finding.steps]
