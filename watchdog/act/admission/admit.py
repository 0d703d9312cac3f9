"""Admission: which teardowns run in this apply, re-verified as a whole before any step.

A new teardown needs its approval (a person's, consumed once, or the policy's after its grace
period) and must be the resource that was approved: same identity, nothing new inside. A teardown
an earlier run started is resumed from its stored plan, after the same checks against this run's
scan; its resource may already be gone, when only what it used is left to delete.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from watchdog.act.admission.identity import changes, fingerprint
from watchdog.act.admission.select import actionable, automatic_approval, not_ready, targets
from watchdog.act.audit import append_once, finding_entry
from watchdog.act.models import FindingFate, FindingOutcome
from watchdog.findings import Finding
from watchdog.kinds import BY_KIND
from watchdog.records import ResourceRecord, ScanError
from watchdog.store.base import StepState, Store, StoredFinding, TeardownPlan

# Step states after which its call may have been made (it is marked started right before).
CALLED_STATES: frozenset[StepState] = frozenset({"started", "parked", "done", "failed"})


@dataclass
class Admission:
    store: Store
    run_id: str
    now: datetime
    execute: bool
    fresh: Mapping[str, ResourceRecord]  # this run's scan, by lower-case ARN
    fresh_findings: Mapping[str, Finding]  # this run's findings, by id
    scan_errors: Sequence[ScanError]
    enabled_policies: frozenset[str]
    plans: list[TeardownPlan] = field(default_factory=list)
    outcomes: list[FindingOutcome] = field(default_factory=list)

    # Resumed teardowns.
    def resume(self, stored: StoredFinding) -> None:
        plan = self.store.get_plan(stored.finding.id)
        if plan is None:
            self._refuse(stored.finding, "cancelled", "its teardown plan was not recorded")
            return
        root = plan.finding.resource
        fresh_root = self.fresh.get(root.arn.lower())
        if fresh_root is None:
            if self._unscanned(root):
                self._report(
                    plan.finding,
                    "waiting",
                    "cannot re-verify it: the scan of its "
                    f"account {root.account} in {root.region} failed",
                )
            else:
                self.plans.append(plan)  # the resource is gone; what it used is verified per step
            return
        fresh = self.fresh_findings.get(plan.finding_id)
        acted_on = self._acted_on_root(plan)
        if plan.finding.policy not in self.enabled_policies:
            # Left as it is, not cancelled: a run with its policy enabled again resumes it.
            why = f"policy {plan.finding.policy} is not enabled in this run; left as it is"
            self._report(plan.finding, "waiting", why)
            return
        if fresh is None and not acted_on:
            why = f"its policy no longer asks to {plan.finding.action} it"
            self._refuse(plan.finding, "cancelled", why)
            return
        # A resource this teardown already stopped no longer matches a policy that asks for
        # running ones: that change is ours, and the rest of its plan still runs.
        found = changes(
            root,
            [t.arn for t in plan.targets],
            fresh_root,
            _not_freed(fresh) if fresh is not None else [],
            acted_on=acted_on,
        )
        if found:
            self._refuse(
                plan.finding, "cancelled", "changed since it was approved: " + "; ".join(found)
            )
            return
        self.plans.append(plan)

    def _acted_on_root(self, plan: TeardownPlan) -> bool:
        """Whether an earlier run got as far as calling a step on the resource itself (a
        notebook's stop, an endpoint's delete): its instances and bill then changed by our hand.
        A step is marked started right before its call, so a claimed-only step has not."""
        root = plan.finding.resource.arn
        for step in plan.finding.steps:
            if step.target_arn == root:
                record = self.store.get_step(step.id)
                if record is not None and record.state in CALLED_STATES:
                    return True
        return False

    # New teardowns.
    def admit(self, finding: Finding, stored: StoredFinding | None) -> None:
        if not actionable(finding):
            return
        waiting = not_ready(finding, stored, self.now)
        if waiting is not None:
            self._wait(finding, *waiting)
            return
        approver = self._approver(finding, stored)
        if approver is None:
            return
        if stored is not None:
            found = changes(
                stored.finding.resource, targets(stored.finding), finding.resource, targets(finding)
            )
            if found:
                self._changed(finding, found)
                return
        if self.execute and finding.approval == "required":
            taken = self.store.consume_approval(finding.id, finding.action, self.now)
            if taken is None:
                self._report(finding, "needs-approval", "its approval was used by another run")
                return
        self._start(finding, approver)

    def hold_back(self, finding_id: str, why: str) -> None:
        """A teardown admitted in this run that must not go after all (its last look saw
        traffic): cancelled before any step, its approval already used, back to its owner."""
        plan = next(p for p in self.plans if p.finding_id == finding_id)
        self.plans.remove(plan)
        self._refuse(plan.finding, "cancelled", why)

    def _wait(self, finding: Finding, fate: FindingFate, why: str) -> None:
        """A finding that cannot start yet says whether it is approved (by whom) or still
        needs it, so a person knows whether anything is left for them to do."""
        approved = None
        if finding.approval == "required":
            approval = self.store.pending_approval(finding.id, finding.action, self.now)
            if approval is not None:
                approved = f"{approval.approver} via {approval.via}"
                why = f"approved by {approved}; {why}"
            else:
                why = f"{why}; it needs approval too (ai-watchdog approve {finding.id})"
        self.outcomes.append(finding_outcome(finding, fate, why, approved))

    def _approver(self, finding: Finding, stored: StoredFinding | None) -> str | None:
        if finding.approval == "automatic":
            approver, why = automatic_approval(finding, stored, self.now)
            if approver is None:
                self._report(finding, "needs-approval", why)
            return approver
        approval = self.store.pending_approval(finding.id, finding.action, self.now)
        if approval is None:
            self._report(
                finding,
                "needs-approval",
                f"waiting for approval (ai-watchdog approve {finding.id})",
            )
            return None
        return f"{approval.approver} via {approval.via}"

    def _changed(self, finding: Finding, found: list[str]) -> None:
        why = "changed since it was found: " + "; ".join(found)
        if finding.approval == "automatic":
            # The next run compares against this one: the policy's approval carries over.
            self._report(finding, "waiting", why + "; checked again next run")
            return
        if self.execute:
            # The approval was for what the approver saw: it is used up, not carried over.
            self.store.consume_approval(finding.id, finding.action, self.now)
        self._refuse(finding, "cancelled", why + "; approve it again if it should still go")

    def _start(self, finding: Finding, approver: str) -> None:
        records = [self.fresh[arn.lower()] for arn in targets(finding)]
        plan = TeardownPlan(
            finding_id=finding.id,
            run_id=self.run_id,
            created_at=self.now,
            finding=finding,
            targets=tuple(records),
            approved_by=approver,
            fingerprint=fingerprint(finding.resource, targets(finding)),
        )
        if self.execute:
            self.store.save_plan(plan)
            self.store.set_finding_state(
                finding.id, "executing", f"approved by {approver}", self.now
            )
        self.plans.append(plan)

    # Reporting.
    def _unscanned(self, record: ResourceRecord) -> bool:
        return any(
            e.account == record.account and e.region in (record.region, "*")
            for e in self.scan_errors
        )

    def _refuse(self, finding: Finding, fate: FindingFate, why: str) -> None:
        if self.execute:
            self.store.set_finding_state(finding.id, "cancelled", why, self.now)
            entry = finding_entry(finding, self.run_id, self.now, "cancelled", why)
            append_once(self.store, entry)
        self._report(finding, fate, why)

    def _report(self, finding: Finding, fate: FindingFate, why: str) -> None:
        self.outcomes.append(finding_outcome(finding, fate, why))


def _not_freed(fresh: Finding) -> list[str]:
    """The fresh plan's targets, less the configs and models it adds because they have become
    unused meanwhile (other teardowns deleted what else used them). Those are not new inside the
    resource; the resumed plan leaves them, as the uninterrupted run would have."""
    return [s.target_arn for s in fresh.steps if not BY_KIND[s.target_kind].deleted_with_users]


def finding_outcome(
    finding: Finding,
    fate: FindingFate,
    why: str,
    approved_by: str | None = None,
    resumed: bool = False,
) -> FindingOutcome:
    resource = finding.resource
    return FindingOutcome(
        finding_id=finding.id,
        policy=finding.policy,
        action=finding.action,
        resource_arn=resource.arn,
        resource_kind=resource.kind,
        resource_name=resource.name,
        account=resource.account,
        region=resource.region,
        fate=fate,
        reason=why,
        approved_by=approved_by,
        resumed=resumed,
        monthly_cost_usd=finding.monthly_cost_usd,
        shared_bill=finding.shared_bill is not None,
    )
