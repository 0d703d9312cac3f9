"""Re-verification right before a step changes anything, on what AWS says now.

The finding was verified as a whole when its execution started (same resource, still idle,
approved); what can change between steps of a long teardown is checked here, per target: an
exemption tag someone just added, and a shared config or model that something outside the
teardown started using.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from watchdog.act.clients import Clients
from watchdog.act.executor.left_alone import resumes
from watchdog.act.tags import current_tags
from watchdog.findings import TAG_APPROVAL
from watchdog.kinds import BY_KIND
from watchdog.kinds._park import way_for
from watchdog.policies.exemptions import exempt_because
from watchdog.policies.schema import Approval, Exemptions
from watchdog.records import ResourceRecord
from watchdog.words import some_of

if TYPE_CHECKING:
    from watchdog.act.executor.jobs import Job


@dataclass
class Verifier:
    # Exemption rules of each policy by name (a finding is exempt by its own policy's rules).
    exemptions: Mapping[str, Exemptions]
    # The resources this run's scan saw, by lower-case ARN: who uses a config or model now.
    fresh: Mapping[str, ResourceRecord]
    now: Callable[[], datetime]
    # Approval rules of each policy by name: a park its tags approved needs them still there.
    approvals: Mapping[str, Approval] = field(default_factory=dict)

    def check(self, job: Job, clients: Clients) -> tuple[str | None, dict[str, str]]:
        """Why the step must not run (None: it may), and the target's tags now."""
        if job.operation.from_gone:
            # Nothing exists to be tagged exempt: it comes back with the tags it had.
            return None, job.target.tags
        refusal = self._refused_now(job, clients)
        if refusal is not None:
            return refusal, job.target.tags
        tags = current_tags(clients, job.target)
        if resumes(job):
            # An exemption keeps a resource from being stopped or deleted, not from coming back.
            return None, tags
        untagged = self._consent_withdrawn(job, tags)
        if untagged is not None:
            return untagged, tags
        now_tagged = job.target.model_copy(update={"tags": tags})
        rules = self.exemptions.get(job.plan.finding.policy, Exemptions())
        why = exempt_because(now_tagged, rules, self.now())
        if why is not None:
            return f"{job.target.kind} {job.target.name} is exempt now ({why})", tags
        return self._still_unused(job), tags

    @staticmethod
    def _refused_now(job: Job, clients: Clients) -> str | None:
        """A park its kind refuses on what AWS says now (an endpoint's auto scaling)."""
        parking = way_for(BY_KIND[job.target.kind].park, job.target)
        if parking is None or job.operation is not parking.park:
            return None
        if parking.refuses_now is None:
            return None
        why = parking.refuses_now(clients, job.target)
        return f"{job.target.kind} {job.target.name} is not parked: {why}" if why else None

    def _consent_withdrawn(self, job: Job, tags: Mapping[str, str]) -> str | None:
        """A park its tags approved, and they no longer say so: a person approves it now."""
        finding = job.plan.finding
        if not job.plan.approved_by.startswith(TAG_APPROVAL):
            return None
        approval = self.approvals.get(finding.policy)
        if approval is not None and approval.consent(tags) is not None:
            return None
        # The policy's pairs as they stand now; its plan's when the policy is gone.
        pairs = approval.consent_pairs() if approval is not None else None
        pairs = pairs or job.plan.approved_by.removeprefix(TAG_APPROVAL)
        return (
            f"{job.target.kind} {job.target.name} is no longer tagged "
            f"{pairs}: a person approves its parking instead"
        )

    def _still_unused(self, job: Job) -> str | None:
        target = job.target
        if (
            not BY_KIND[target.kind].deleted_with_users
            or target.arn == job.plan.finding.resource.arn
        ):
            return None
        record = self.fresh.get(target.arn.lower(), target)
        in_teardown = {a.lower() for t in job.plan.targets for a in (t.arn, *self._gone_with(t))}
        others = [u for u in record.used_by_arns if u.lower() not in in_teardown]
        if others:
            return f"{target.kind} {target.name} is now also used by {some_of(others)}"
        return None

    def _gone_with(self, target: ResourceRecord) -> list[str]:
        """What AWS deletes together with a target (`Teardown.deletes_used`): a Bedrock
        Marketplace endpoint's SageMaker endpoint is in the teardown, not another user."""
        kinds = BY_KIND[target.kind].teardown.deletes_used
        used = (self.fresh.get(arn.lower()) for arn in target.uses_arns)
        return [u.arn for u in used if u is not None and u.kind in kinds]
