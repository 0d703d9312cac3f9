"""What a person may do to a finding besides approving it (snooze, revoke an approval),
whichever door they came through (a Slack button, a link, the CLI). Whether they may at all is
watchdog.approvals.authorize's one rule. Pure but for the store, so Slack's clicks and the CLI
share every line of it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from watchdog.approvals.authorize import NotAllowed
from watchdog.approvals.record import FINISHED_STATES
from watchdog.settings import MAX_SNOOZE_DAYS
from watchdog.store.base import Approval, AuditEntry, Store, StoredFinding
from watchdog.words import plural

__all__ = ["MAX_SNOOZE_DAYS", "NotAllowed", "check_snooze_days", "open_finding", "revoke", "snooze"]

# The audit log's op for a withdrawn approval: not an AWS call, so no service prefix of AWS's.
REVOKE_OP = "watchdog:RevokeApproval"


def open_finding(store: Store, finding_id: str) -> StoredFinding:
    """The stored finding, while a person may still change its course."""
    stored = store.get_finding(finding_id)
    if stored is None:
        raise NotAllowed(f"finding {finding_id} is no longer known")
    if stored.state in FINISHED_STATES:
        raise NotAllowed(f"finding {finding_id} is already {stored.state}")
    return stored


def check_snooze_days(days: int) -> int:
    """`days`, when it is a snooze length anyone may ask for; NotAllowed otherwise."""
    if not 1 <= days <= MAX_SNOOZE_DAYS:
        raise NotAllowed(f"a snooze lasts 1 to {MAX_SNOOZE_DAYS} days, not {days}")
    return days


def snooze(store: Store, finding_id: str, who: str, days: int, now: datetime) -> datetime:
    """No reminders and no action on the finding for `days`; returns when the snooze ends."""
    check_snooze_days(days)
    if open_finding(store, finding_id).state == "parked":
        # A snooze would hold back its resume too: what is parked stays out until it is back.
        raise NotAllowed(f"finding {finding_id} is parked; snooze it once it is back")
    detail = f"snoozed by {who} for {plural(days, 'day')}"
    until = now + timedelta(days=days)
    store.set_finding_state(finding_id, "snoozed", detail, now, until=until)
    return until


def revoke(store: Store, finding_id: str, who: str, now: datetime) -> list[Approval]:
    """Withdraw every pending approval of the finding's action; each is audited.

    The store's atomic consume is the withdrawal: a revoked approval can then never be used,
    and a run racing this one either took it first (and it is no longer pending) or never will.
    """
    stored = open_finding(store, finding_id)
    action = stored.finding.action
    if store.pending_approval(finding_id, action, now) is None:
        raise NotAllowed(f"finding {finding_id} has no pending approval to revoke")
    revoked: list[Approval] = []
    while (approval := store.consume_approval(finding_id, action, now)) is not None:
        revoked.append(approval)
        store.append_audit(_revoke_entry(stored, approval, who, now))
    if stored.state == "approved":
        names = ", ".join(sorted({a.approver for a in revoked}))
        detail = f"approval by {names} revoked by {who}"
        store.set_finding_state(finding_id, "open", detail, now)
    return revoked


def _revoke_entry(stored: StoredFinding, approval: Approval, who: str, now: datetime) -> AuditEntry:
    resource = stored.finding.resource
    return AuditEntry(
        id=f"revoke-{approval.id}",
        at=now,
        run_id="revoke",
        finding_id=stored.finding.id,
        op=REVOKE_OP,
        target_arn=resource.arn,
        account=resource.account,
        region=resource.region,
        outcome="cancelled",
        approved_by=approval.approver,
        detail=f"{approval.action} approval {approval.id} revoked by {who}",
    )
