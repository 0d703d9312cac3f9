"""The audit log's part in `ai-watchdog leftovers`: what it deleted is recorded, and whether
the watchdog ever knew a domain decides between "left nothing behind" and "unknown domain".

A domain that can no longer be described and of which nothing is found is either one whose
leftovers are gone (the watchdog deleted it without retaining its home, or `leftovers --execute`
removed them) or an id that never named a domain in this account and region (a typo, the wrong
--region). Only the audit log tells the two apart: it holds the watchdog's DeleteDomain and the
leftovers it deleted, each entry carrying the domain's ARN.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from watchdog.act.leftovers.domain import Deletion
from watchdog.kinds._domain_leftovers import DomainLeftovers
from watchdog.store.base import AuditEntry, Store

# Not a resource kind: what the entry describes, a piece a deleted Studio domain left behind.
LEFTOVER_KIND = "domain-leftover"
APPROVED_BY = "ai-watchdog leftovers --execute"
# How many entries, newest first, are searched for a domain's history: more than a year of any
# realistic use (the log keeps 400 days), and a bound on what one command reads.
HISTORY_SCAN_LIMIT = 100_000


def deletion_entries(
    found: DomainLeftovers, deletions: Sequence[Deletion], run_id: str, at: datetime
) -> list[AuditEntry]:
    """One "done" entry per executed deletion (an "already gone" one says so in its detail)."""
    return [
        AuditEntry(
            id=f"a-leftovers-{run_id}-{index}",
            at=at,
            run_id=run_id,
            finding_id="",
            op=deletion.op,
            target_arn=_target_arn(found, deletion),
            account=found.account,
            region=found.region,
            outcome="done",
            approved_by=APPROVED_BY,
            description={
                "kind": LEFTOVER_KIND,
                "domain_id": found.domain_id,
                "domain_arn": found.domain_arn,
                "resource_id": deletion.resource_id,
            },
            detail=deletion.detail
            + ("" if deletion.outcome == "done" else f" ({deletion.outcome})"),
        )
        for index, deletion in enumerate(deletions, start=1)
        if deletion.executed
    ]


def record_deletions(
    store: Store, found: DomainLeftovers, deletions: Sequence[Deletion], run_id: str, at: datetime
) -> None:
    for entry in deletion_entries(found, deletions, run_id, at):
        store.append_audit(entry)


def domain_history(store: Store, domain_arn: str) -> AuditEntry | None:
    """The newest audit entry about the domain: the watchdog deleting it or its leftovers."""
    for entry in store.list_audit(limit=HISTORY_SCAN_LIMIT):
        if entry.outcome != "done":
            continue
        if entry.target_arn == domain_arn or entry.description.get("domain_arn") == domain_arn:
            return entry
    return None


def _target_arn(found: DomainLeftovers, deletion: Deletion) -> str:
    """The deleted resource's ARN; a mount target has none of its own, so its file system's."""
    partition = found.domain_arn.split(":", 2)[1]
    prefix = f"arn:{partition}"
    if deletion.op.startswith("elasticfilesystem:") and found.file_system is not None:
        service, resource = "elasticfilesystem", f"file-system/{found.file_system.file_system_id}"
    else:
        service, resource = "ec2", f"security-group/{deletion.resource_id}"
    return f"{prefix}:{service}:{found.region}:{found.account}:{resource}"
