"""evaluate: (resources, signals, policies, now) -> findings. Pure: no AWS, no clock, no I/O.

Safety lives here as much as in the executor: an exempt resource gets no finding at all; a stop
or delete is downgraded to notify when the evidence is unknown, when the resource costs nothing
while idle (serverless, scaled to zero) or when its kind cannot take that action.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from watchdog.evaluate.conditions import Outcome, check
from watchdog.evaluate.context import EvalContext
from watchdog.evaluate.idle import NO_IDLE_COST, too_young
from watchdog.evaluate.schedule import window_open
from watchdog.findings import Confidence, Evidence, Finding, finding_id
from watchdog.kinds import BY_KIND
from watchdog.kinds._park import Park, way_for
from watchdog.policies.exemptions import exempt_because
from watchdog.policies.parking import parked_hours_per_week
from watchdog.policies.schema import Action, Conditions, Policy
from watchdog.records import ResourceRecord
from watchdog.signals.models import Signals


@dataclass
class Evaluation:
    findings: list[Finding]
    # Resources a policy would have matched but left alone, by reason: "exempt", "too new".
    skipped: dict[str, int] = field(default_factory=dict)
    exempt: list[tuple[str, str, str]] = field(default_factory=list)  # (policy, arn, why)


def evaluate(
    resources: Sequence[ResourceRecord],
    signals: Signals,
    policies: Sequence[Policy],
    now: datetime,
) -> Evaluation:
    ctx = EvalContext(resources, signals, now)
    result = Evaluation(findings=[])
    for policy in policies:
        if not policy.enabled:
            continue
        for record in resources:
            if record.kind in policy.resource:
                _apply(policy, record, ctx, result)
    result.findings = _shared_bills(result.findings)
    result.findings.sort(key=lambda f: (-(f.monthly_cost_usd or 0.0), f.policy, f.resource.arn))
    return result


def _shared_bills(findings: list[Finding]) -> list[Finding]:
    """A stop or delete of a resource whose bill others share saves nothing unless every one
    of them has a finding that stops or deletes it too: say so, and count no saving."""
    ending = [
        (finding, shared)
        for finding in findings
        if finding.action in ("stop", "delete")
        and (shared := BY_KIND[finding.resource.kind].shares_bill(finding.resource)) is not None
    ]
    flagged: dict[str, set[str]] = {}
    for finding, shared in ending:
        flagged.setdefault(shared.group, set()).add(finding.resource.arn)
    updated: dict[str, Finding] = {}
    for finding, shared in ending:
        going = len(flagged[shared.group])
        if going >= shared.members:
            continue
        note = (
            f"it shares {shared.group}, and only {going} of them would go: deleting it saves "
            "nothing until the last of them is deleted"
        )
        reason = f"{finding.reason.rstrip('.')}; {note}."
        updated[finding.id] = finding.model_copy(update={"shared_bill": note, "reason": reason})
    return [updated.get(f.id, f) for f in findings]


def _apply(policy: Policy, record: ResourceRecord, ctx: EvalContext, out: Evaluation) -> None:
    conditions = policy.conditions
    if policy.idle_rule_beside_schedule:
        # The schedule parks what the other conditions choose, idle or not; the idle rule only
        # says whether it may also be parked between the schedule's parks (`_idle_now`).
        conditions = conditions.model_copy(update={"idle": None})
    outcome = _parked(policy, record) or check(conditions, record, ctx)
    if not outcome.matched:
        return
    if outcome.evidence is not None and too_young(outcome.evidence):
        out.skipped["too new to judge"] = out.skipped.get("too new to judge", 0) + 1
        return
    why_exempt = exempt_because(record, policy.exemptions, ctx.now)
    if why_exempt is not None:
        out.skipped["exempt"] = out.skipped.get("exempt", 0) + 1
        out.exempt.append((policy.name, record.arn, why_exempt))
        return
    out.findings.append(_finding(policy, record, outcome, ctx))


def _parked(policy: Policy, record: ResourceRecord) -> Outcome | None:
    """A resource parked (by its schedule, or by someone) stays on its park policy's schedule,
    whatever the conditions that picked it while it ran: its finding must live on for its
    resume. Whether the watchdog parked it, and so may resume it, is act's to check."""
    parking = way_for(BY_KIND[record.kind].park, record)
    if policy.action != "park" or parking is None:
        return None
    if record.status not in parking.park.settled:
        return None
    return Outcome(matched=True, phrases=[f"it is parked ({record.status})"])


def _finding(policy: Policy, record: ResourceRecord, outcome: Outcome, ctx: EvalContext) -> Finding:
    action, downgraded_because = _safe_action(policy.action, record, outcome)
    cost = ctx.cost(record)
    idle_now = _idle_now(policy, record, outcome, ctx) if action == "park" else None
    reason = _sentence(outcome.phrases, downgraded_because, cost.usd)
    evidence = outcome.evidence or Evidence()
    evidence = evidence.model_copy(update={"facts": {**evidence.facts, **outcome.facts}})
    return Finding(
        id=finding_id(policy.name, record.arn, action),
        resource=record,
        policy=policy.name,
        action=action,
        requested_action=policy.action if action != policy.action else None,
        reason=reason,
        evidence=evidence,
        monthly_cost_usd=cost.usd,
        cost_basis=cost.basis,
        cost_source=cost.source,
        confidence=_confidence(outcome, evidence),
        approval=policy.approval.mode,
        approved_by_tags=policy.approval.consent(record.tags) if action == "park" else None,
        approval_grace_hours=(
            policy.approval.grace.total_seconds() / 3600
            if policy.approval.mode == "automatic"
            else None
        ),
        action_window=policy.action_window,
        actions_allowed_now=window_open(policy.action_window, ctx.now),
        park=policy.park if action == "park" else None,
        park_when_idle_hours=(
            policy.park_when_idle.total_seconds() / 3600
            if action == "park" and policy.park_when_idle is not None
            else None
        ),
        idle_now=idle_now,
        parked_hours_per_week=(
            parked_hours_per_week(policy.park, ctx.now)
            if action == "park" and policy.park is not None
            else None
        ),
        owner=_owner(policy, record),
    )


def _idle_now(
    policy: Policy, record: ResourceRecord, outcome: Outcome, ctx: EvalContext
) -> bool | None:
    """Beside a schedule, whether the idle rule may park it now: only on evidence that says
    idle (never unknown, never too new to judge). Its phrase joins the finding's reason."""
    if not policy.idle_rule_beside_schedule:
        return None
    idle = check(Conditions(idle=policy.conditions.idle), record, ctx)
    trusted = idle.evidence is not None and not too_young(idle.evidence)
    if not (idle.matched and not idle.unknown and trusted):
        return False
    outcome.phrases.extend(idle.phrases)
    return True


def _safe_action(action: Action, record: ResourceRecord, outcome: Outcome) -> tuple[Action, str]:
    if action == "notify":
        return action, ""
    if outcome.unknown:
        return "notify", "so it is only reported, never stopped or deleted automatically"
    if record.billing.mode in NO_IDLE_COST:
        return "notify", f"it is {record.billing.mode} and costs nothing while unused"
    if action == "park":
        parking = BY_KIND[record.kind].park
        if not isinstance(parking, Park):
            return "notify", f"a {record.kind} cannot be parked: {parking.why}"
        return action, ""
    if not BY_KIND[record.kind].teardown.can(action):
        verb = "deleted" if action == "delete" else "stopped"
        return "notify", f"a {record.kind} cannot be {verb}"
    return action, ""


def _sentence(phrases: list[str], downgraded: str, monthly: float | None) -> str:
    text = "; ".join(phrases) if phrases else "it matches the policy"
    if monthly:
        text += f", costing about ${monthly:,.0f} a month"
    if downgraded:
        text += f" ({downgraded})"
    return text[0].upper() + text[1:] + "."


def _confidence(outcome: Outcome, evidence: Evidence) -> Confidence:
    if outcome.unknown:
        return "low"
    if evidence.weak:
        return "medium"  # CPU and network only: a GPU job can leave both low
    if evidence.state == "idle" and evidence.traffic_published is False:
        return "low"  # not one datapoint in two weeks: idle rests on an absence alone
    no_load = evidence.load_datapoints is None and evidence.load_seen_at is None
    if evidence.state == "idle" and no_load:
        return "medium"  # no load metric proves the traffic metric would have been emitted
    if outcome.estimated:
        return "medium"
    return "high"


def _owner(policy: Policy, record: ResourceRecord) -> str | None:
    for tag in policy.owner.tags:
        if record.tags.get(tag):
            return record.tags[tag]
    return policy.owner.default
