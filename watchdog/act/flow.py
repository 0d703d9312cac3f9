"""`apply`: one run of the whole flow, inventory -> signals -> evaluate -> plan -> act.

The plan is always made afresh, so a teardown only ever starts on what AWS and the metrics say
now. Without `execute` the same code runs up to the point of changing anything and reports what
would run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

import boto3
import structlog
from botocore.exceptions import BotoCoreError, ClientError

from watchdog.act.admission import Admission, finding_outcome, transitions
from watchdog.act.clients import Clients, ScopeClients
from watchdog.act.clock import Clock, SystemClock
from watchdog.act.executor import (
    CLEARED,
    Breaker,
    Execution,
    Job,
    StepRunner,
    Verifier,
    execute,
    last_look,
)
from watchdog.act.models import (
    ApplyResult,
    ApplySummary,
    ExecOptions,
    FindingFate,
    FindingOutcome,
    StepOutcome,
)
from watchdog.act.parking import carried, park_and_resume
from watchdog.aws.clients import RunInterrupted
from watchdog.aws.errors import describe_error
from watchdog.aws.scope import Scope
from watchdog.findings import Finding
from watchdog.inventory import Progress, ScanRequest, open_scope
from watchdog.kinds import BY_KIND
from watchdog.kinds.base import LeftoverReport
from watchdog.pipeline import PlanResult, lookback_for, run_plan
from watchdog.policies.exemptions import exempt_because
from watchdog.policies.schema import Policy
from watchdog.signals.collect import SignalOptions
from watchdog.store.base import Store, StoredFinding, TeardownPlan

log = structlog.get_logger(__name__)


class ApplyRefused(ValueError):
    """The request itself cannot be carried out (an --only ARN with no finding)."""


def apply(
    request: ScanRequest,
    policies: Sequence[Policy],
    store: Store,
    options: ExecOptions,
    *,
    session: boto3.Session | None = None,
    clock: Clock | None = None,
    only: Iterable[str] = (),
    signal_options: SignalOptions | None = None,
    progress: Progress | None = None,
    clients: Callable[[Scope], Clients] | None = None,
) -> ApplyResult:
    """`clients` makes the clients steps act through from the run's scope (tests wrap them to
    inject failures); by default, the accounts the scan entered."""
    clock = clock or SystemClock()
    now = clock.now()
    enabled = [p for p in policies if p.enabled]
    scope = open_scope(request, session)
    # Plan afresh: inventory -> signals -> evaluate -> plan.
    planned = _plan(request, enabled, scope, options, signal_options, progress, now, store)
    if planned is None:
        return _interrupted_while_planning(scope, options, now)
    # Remember the findings, follow their lifecycle, admit what may act now.
    previous = {s.finding.id: s for s in store.list_findings()}
    store.save_findings(planned.run_id, planned.findings, now)
    previous = _follow_lifecycle(store, previous, planned, scope, now)
    wanted = _only(only, planned, previous, enabled, now)
    admission = _admit(planned, previous, wanted, store, options, now, {p.name for p in enabled})
    resumed = {s for s in previous if previous[s].state == "executing"}
    act_through = (clients or ScopeClients)(scope)
    # A last look at the metrics, then the steps in dependency order.
    if options.execute:
        _last_look(admission, resumed, act_through, clock.now())
    breaker = Breaker(options.max_failures, options.max_throttles)
    runner = _runner(store, act_through, clock, options, planned, enabled, breaker)
    execution = execute(_jobs(admission.plans), runner, clock, options, breaker)
    # Conclude each finding; report what the deleted domains left behind.
    finished = [
        _conclude(p, execution, store, options, clock, p.finding_id in resumed)
        for p in admission.plans
    ]
    # Parking schedules: what each one's occurrence asks for now.
    parks = [f for f in planned.findings if wanted is None or f.resource.arn.lower() in wanted]
    out = carried(planned.findings, previous, store, now)
    out = [f for f in out if wanted is None or f.resource.arn.lower() in wanted]
    finished += park_and_resume(parks, previous, store, runner, clock, options, out)
    left = _leftovers(admission.plans, execution, runner.clients)
    return _result(planned, options, now, admission.outcomes + finished, execution, left, scope)


def _plan(
    request: ScanRequest,
    enabled: Sequence[Policy],
    scope: Scope,
    options: ExecOptions,
    signal_options: SignalOptions | None,
    progress: Progress | None,
    now: datetime,
    store: Store,
) -> PlanResult | None:
    """The run's plan, or None when told to stop while reading AWS. The store remembers
    which resources were seen in use, so their metrics are read only when they could matter."""
    signal_options = signal_options or SignalOptions(lookback=lookback_for(enabled))
    scope.counter.stop_when(options.interrupted)
    try:
        return run_plan(
            request,
            enabled,
            signal_options,
            now=now,
            progress=progress,
            scope=scope,
            activity=store,
        )
    except RunInterrupted:
        return None
    finally:
        scope.counter.stop_when(None)


def _last_look(admission: Admission, resumed: set[str], clients: Clients, now: datetime) -> None:
    """Hold back a starting teardown whose resource is no longer idle. Only what was judged
    idle: the look checks that reading. A policy that asks for a teardown on other grounds (an
    expiry tag, a budget) gets what it asked for; a resumed teardown is finished."""
    starting = [
        p
        for p in admission.plans
        if p.finding_id not in resumed and p.finding.evidence.state == "idle"
    ]
    for finding_id, why in last_look(starting, clients, now).items():
        admission.hold_back(finding_id, why)


def _result(
    planned: PlanResult,
    options: ExecOptions,
    now: datetime,
    outcomes: Sequence[FindingOutcome],
    execution: Execution,
    left: list[LeftoverReport],
    scope: Scope,
) -> ApplyResult:
    ordered = sorted(outcomes, key=lambda o: (o.account, o.region, o.resource_arn))
    counter = scope.counter
    return ApplyResult(
        run_id=planned.run_id,
        mode="execute" if options.execute else "dry-run",
        generated_at=now,
        findings=ordered,
        summary=_summary(ordered),
        stopped=execution.stopped,
        stopped_detail=execution.stopped_detail,
        leftovers=left,
        errors=planned.errors,
        api_calls=counter.total,
        api_calls_by_operation=counter.by_operation(),
        self_cost=planned.stats.self_cost,
    )


def _runner(
    store: Store,
    clients: Clients,
    clock: Clock,
    options: ExecOptions,
    planned: PlanResult,
    enabled: Sequence[Policy],
    breaker: Breaker,
) -> StepRunner:
    return StepRunner(
        store=store,
        clients=clients,
        clock=clock,
        options=options,
        run_id=planned.run_id,
        breaker=breaker,
        verifier=Verifier(
            exemptions={p.name: p.exemptions for p in enabled},
            fresh={r.arn.lower(): r for r in planned.resources},
            now=clock.now,
            approvals={p.name: p.approval for p in enabled},
        ),
    )


def _interrupted_while_planning(scope: Scope, options: ExecOptions, now: datetime) -> ApplyResult:
    """Told to stop before anything was decided: nothing is saved (a half-read inventory
    would resolve the findings it did not reach), nothing changed in AWS."""
    detail = "the watchdog is shutting down: stopped while reading AWS; nothing was changed"
    log.warning("run stopped before planning finished", run_id=scope.run_id, detail=detail)
    counter = scope.counter
    return ApplyResult(
        run_id=scope.run_id,
        mode="execute" if options.execute else "dry-run",
        generated_at=now,
        findings=[],
        summary=_summary([]),
        stopped="interrupted",
        stopped_detail=detail,
        api_calls=counter.total,
        api_calls_by_operation=counter.by_operation(),
    )


def _follow_lifecycle(
    store: Store,
    previous: dict[str, StoredFinding],
    planned: PlanResult,
    scope: Scope,
    now: datetime,
) -> dict[str, StoredFinding]:
    """Reopen, un-snooze and resolve findings as this run's plan says, in dry runs too (they
    change what Slack shows, not AWS); the returned view is what admission then sees."""
    scanned = {(shard.account_id, shard.region) for shard in scope.shards}
    current = {f.id for f in planned.findings}
    changes = transitions(previous.values(), current, scanned, planned.errors, now)
    for change in changes:
        store.set_finding_state(change.finding_id, change.state, change.detail, now)
    if not changes:
        return previous
    return {s.finding.id: s for s in store.list_findings()}


def _only(
    only: Iterable[str],
    planned: PlanResult,
    previous: dict[str, StoredFinding],
    policies: Sequence[Policy],
    now: datetime,
) -> set[str] | None:
    """The resource ARNs `--only` names (lower-case), refusing any with nothing to apply and
    saying why when the reason is an exemption (a tag added after the approval, say)."""
    wanted = {arn.strip().lower() for arn in only if arn.strip()}
    if not wanted:
        return None
    acting = ("stop", "delete", "park")
    known = {f.resource.arn.lower() for f in planned.findings if f.action in acting}
    known |= {s.finding.resource.arn.lower() for s in previous.values() if s.state == "executing"}
    unknown = sorted(wanted - known)
    scanned = {r.arn.lower(): r for r in planned.resources}
    for arn in unknown:
        record = scanned.get(arn)
        if record is None:
            continue
        reasons = (exempt_because(record, p.exemptions, now) for p in policies)
        if why := next((r for r in reasons if r), None):
            raise ApplyRefused(f"nothing to apply for {record.arn}: exempt: {why}")
    if unknown:
        raise ApplyRefused(
            f"no stop, delete or park finding for {', '.join(unknown)}; "
            "`ai-watchdog plan` lists them"
        )
    return wanted


def _admit(
    planned: PlanResult,
    previous: dict[str, StoredFinding],
    wanted: set[str] | None,
    store: Store,
    options: ExecOptions,
    now: datetime,
    enabled: set[str],
) -> Admission:
    admission = Admission(
        store=store,
        run_id=planned.run_id,
        now=now,
        execute=options.execute,
        fresh={r.arn.lower(): r for r in planned.resources},
        fresh_findings={f.id: f for f in planned.findings},
        scan_errors=planned.errors,
        enabled_policies=frozenset(enabled),
    )

    def chosen(finding: Finding) -> bool:
        return wanted is None or finding.resource.arn.lower() in wanted

    executing = {fid for fid, s in previous.items() if s.state == "executing"}
    for fid in sorted(executing):
        if chosen(previous[fid].finding):
            admission.resume(previous[fid])
    for finding in planned.findings:
        # A park finding runs on its schedule (act/parking), not as a one-off teardown.
        if finding.id not in executing and chosen(finding) and finding.action != "park":
            admission.admit(finding, previous.get(finding.id))
    return admission


def _jobs(plans: Sequence[TeardownPlan]) -> list[Job]:
    jobs: list[Job] = []
    for plan in plans:
        by_arn = {t.arn: t for t in plan.targets}
        jobs.extend(Job(plan, step, by_arn[step.target_arn]) for step in plan.finding.steps)
    return jobs


def _conclude(
    plan: TeardownPlan,
    execution: Execution,
    store: Store,
    options: ExecOptions,
    clock: Clock,
    resumed: bool,
) -> FindingOutcome:
    steps = [execution.outcomes[s.id] for s in plan.finding.steps]
    fate: FindingFate
    if all(s.fate in CLEARED for s in steps):
        fate = "would-run" if not options.execute else "done"
        why = "every step would run" if fate == "would-run" else "every step is done"
        if not options.execute and all(s.fate == "already" for s in steps):
            fate, why = "done", "nothing left to do"
    elif cancelled := next((s for s in steps if s.fate == "cancelled"), None):
        fate, why = "cancelled", f"{cancelled.op} on {cancelled.target_name}: {cancelled.detail}"
    else:
        left = next(s for s in steps if s.fate not in CLEARED)
        fate = "partial"
        why = f"{left.op} on {left.target_name} is {left.fate}: {left.detail}"
    if options.execute and fate in ("done", "cancelled"):
        store.set_finding_state(plan.finding_id, fate, why, clock.now())
    outcome = finding_outcome(plan.finding, fate, why, plan.approved_by, resumed)
    return outcome.model_copy(update={"steps": steps})


def _ends_billing(step: StepOutcome, outcome: FindingOutcome) -> bool:
    """A done step that deleted the finding's resource: on it, or on what AWS deletes it with
    (`Teardown.deletes_used`: a SageMaker endpoint through its Bedrock Marketplace endpoint)."""
    through = outcome.resource_kind in BY_KIND[step.target_kind].teardown.deletes_used
    return step.fate == "done" and (step.target_arn == outcome.resource_arn or through)


def _summary(outcomes: Sequence[FindingOutcome]) -> ApplySummary:
    by_fate: dict[str, int] = {}
    steps_by_fate: dict[str, int] = {}
    saved: dict[str, float] = {}
    for outcome in outcomes:
        by_fate[outcome.fate] = by_fate.get(outcome.fate, 0) + 1
        for step in outcome.steps:
            steps_by_fate[step.fate] = steps_by_fate.get(step.fate, 0) + 1
        ends = any(_ends_billing(s, outcome) for s in outcome.steps)
        if outcome.fate == "done" and outcome.action != "park" and ends:
            shared = outcome.shared_bill  # its bill goes on for the resources sharing it
            saved[outcome.resource_arn] = 0.0 if shared else outcome.monthly_cost_usd or 0.0
    return ApplySummary(
        findings=len(outcomes),
        by_fate=by_fate,
        steps_by_fate=steps_by_fate,
        monthly_savings_usd=round(sum(saved.values()), 2),
    )


def _leftovers(
    plans: Sequence[TeardownPlan], execution: Execution, clients: Clients
) -> list[LeftoverReport]:
    """What each resource deleted in this run left behind on purpose, for the kinds that
    declare it (a domain's retained EFS home volume)."""
    found = []
    for plan in plans:
        for step in plan.finding.steps:
            outcome = execution.outcomes.get(step.id)
            spec = BY_KIND[step.target_kind]
            if outcome is None or outcome.fate != "done" or spec.leftovers is None:
                continue
            if spec.teardown.delete is None or step.op != spec.teardown.delete.op:
                continue
            deleted = next(t for t in plan.targets if t.arn == step.target_arn)
            try:
                left = spec.leftovers.find(clients, deleted)
            except (ClientError, BotoCoreError) as error:
                # The teardown is done either way; a report that cannot be made says so in logs.
                log.warning("leftovers not checked", arn=deleted.arn, error=describe_error(error))
                continue
            if not left.empty:
                found.append(left)
    return found
