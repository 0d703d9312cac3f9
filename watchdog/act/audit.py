"""Audit entries the executor writes: one before each change (with the resource's full
description) and one after (what happened, on whose approval, what it saves).

Ids are derived from the step, so a resumed run finds the description its crashed predecessor
recorded, and writing the same fact twice is refused by the store instead of duplicated.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from watchdog.findings import Finding, Step
from watchdog.kinds import BY_KIND
from watchdog.kinds._park import all_ways
from watchdog.records import ResourceRecord
from watchdog.store.base import AuditEntry, AuditOutcome, Store, StoreConflict


def audit_id(step_id: str, outcome: AuditOutcome, attempt: int | None = None) -> str:
    """`a-<step>-done` for final outcomes (a step ends once); per attempt for the others."""
    stem = step_id.removeprefix("s-")
    return f"a-{stem}-{attempt}-{outcome}" if attempt is not None else f"a-{stem}-{outcome}"


def finding_audit_id(finding_id: str, run_id: str, outcome: AuditOutcome) -> str:
    return f"a-{finding_id.removeprefix('f-')}-{run_id}-{outcome}"


def finding_entry(
    finding: Finding, run_id: str, at: datetime, outcome: AuditOutcome, detail: str
) -> AuditEntry:
    """A decision about a whole finding (cancelled before any step ran), not about one call."""
    return AuditEntry(
        id=finding_audit_id(finding.id, run_id, outcome),
        at=at,
        run_id=run_id,
        finding_id=finding.id,
        op=f"watchdog:{finding.action}",
        target_arn=finding.resource.arn,
        account=finding.resource.account,
        region=finding.resource.region,
        outcome=outcome,
        detail=detail,
    )


def description(
    record: ResourceRecord, described: dict[str, Any] | None, tags: dict[str, str]
) -> dict[str, Any]:
    """What restore needs to recreate the resource, and what a person needs to understand it."""
    return {"kind": record.kind, "name": record.name, "describe": described or {}, "tags": tags}


def step_entry(
    *,
    entry_id: str,
    at: datetime,
    run_id: str,
    finding: Finding,
    step: Step,
    target: ResourceRecord,
    outcome: AuditOutcome,
    approved_by: str,
    described: dict[str, Any],
    detail: str = "",
) -> AuditEntry:
    saves = finding.monthly_cost_usd if _ends_its_billing(step, target, finding) else None
    if saves is not None and finding.shared_bill:
        saves = 0.0  # its bill goes on for the resources that share it
    parked_cost = None
    if finding.action == "park":
        # A park saves for as long as it lasts: its hours are priced at this (act.parking).
        saves, parked_cost = None, finding.monthly_cost_usd if not _resumes(step) else None
    return AuditEntry(
        id=entry_id,
        at=at,
        run_id=run_id,
        finding_id=finding.id,
        step_id=step.id,
        op=step.op,
        target_arn=step.target_arn,
        account=target.account,
        region=target.region,
        outcome=outcome,
        approved_by=approved_by,
        description=described,
        monthly_cost_saved_usd=saves if outcome == "done" else None,
        parked_monthly_cost_usd=parked_cost if outcome == "done" else None,
        detail=detail,
    )


def _resumes(step: Step) -> bool:
    ways = all_ways(BY_KIND[step.target_kind].park)
    return any(step.op == way.resume.step_op for way in ways)


def _ends_its_billing(step: Step, target: ResourceRecord, finding: Finding) -> bool:
    """The step deletes the finding's resource: it targets it, or AWS deletes it with the
    target (`Teardown.deletes_used`: a SageMaker endpoint with its Bedrock Marketplace one)."""
    if step.target_arn == finding.resource.arn:
        return True
    resource = finding.resource
    return resource.kind in BY_KIND[target.kind].teardown.deletes_used and resource.arn.lower() in {
        a.lower() for a in target.uses_arns
    }


def append_once(store: Store, entry: AuditEntry) -> None:
    """Append; an entry a crashed run already wrote under the same id is kept as it was."""
    with contextlib.suppress(StoreConflict):
        store.append_audit(entry)


def recorded_description(store: Store, step_id: str, attempts: int) -> dict[str, Any] | None:
    """The description the latest earlier attempt recorded before its call, if any."""
    for attempt in range(attempts, 0, -1):
        entry = store.get_audit(audit_id(step_id, "started", attempt))
        if entry is not None:
            return dict(entry.description)
    return None
