"""Recording a person's approval, the same way whichever door it came through (the CLI, a Slack
button, an approval link): the finding must still ask for exactly that action, and once the
approval is stored the finding shows as approved, with who, so its Slack message can say so.
"""

from __future__ import annotations

from watchdog.store.base import Approval, Store, StoredFinding

# A finding in one of these states has nothing left to approve.
FINISHED_STATES = frozenset({"done", "executing"})


class NotApprovable(Exception):
    """The finding cannot take this approval; the message says why, in a person's words."""


def check_approvable(finding_id: str, stored: StoredFinding | None, action: str) -> StoredFinding:
    """The stored finding, when it may be approved for `action`; NotApprovable otherwise."""
    if stored is None:
        raise NotApprovable(f"no finding {finding_id} in the store")
    if stored.finding.action == "notify":
        raise NotApprovable(f"finding {finding_id} only notifies: there is nothing to approve")
    if stored.state in FINISHED_STATES:
        raise NotApprovable(f"finding {finding_id} is already {stored.state}: nothing to approve")
    if stored.finding.action != action:
        raise NotApprovable(
            f"finding {finding_id} now asks to {stored.finding.action}, not to {action}: "
            "nothing was approved"
        )
    return stored


def record_approval(store: Store, approval: Approval) -> Approval:
    """Store `approval` (StoreConflict if its id exists) and mark the finding approved.

    The caller has checked the finding with `check_approvable`. The state is only what a
    reader (and the Slack message) sees; the executor goes by the approval itself.
    """
    store.add_approval(approval)
    store.set_finding_state(
        approval.finding_id,
        "approved",
        f"approved by {approval.approver} via {approval.via}",
        approval.created_at,
    )
    return approval
