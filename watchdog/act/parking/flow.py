"""Parking and resuming: each park finding's schedule, carried out as executor steps.

A park finding is approved once (a person's approval, consumed then kept as its standing plan,
or its policy's after the grace period) and then runs on its schedule. In each run, the latest
occurrence of the schedule (policies/parking.py) says what is due: its park, or, once `resume`
has fired, its resume. Both are steps keyed by the occurrence, so each happens once per
occurrence, a crashed run's step is finished by the next run without a second call, and a
resume a person asked for early is not undone by the same evening's park.

A resume is made only after a park the watchdog made itself: a resource someone else stopped,
started again or deleted while parked is left as it is (the step says why, and an audit entry
its owner is told of in Slack: act.executor.left_alone). A finding the
watchdog parked is in state "parked" until it is back, so a resume a run missed (the watchdog
was down all morning) still comes at the next occurrence's resume time, and a resource parked by
deleting it (an endpoint), which no scan sees, is still brought back: parked findings are
carried by every run, and only resumed, when their policy is disabled or removed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from watchdog.act.admission import finding_outcome
from watchdog.act.admission.select import automatic_approval
from watchdog.act.audit import audit_id
from watchdog.act.clock import Clock
from watchdog.act.executor import LEFT_ALONE, Job, StepRunner, execute
from watchdog.act.models import ExecOptions, FindingFate, FindingOutcome, StepOutcome
from watchdog.act.parking.occurrences import IN_FLIGHT, occurrence_of
from watchdog.act.parking.savings import occurrence_step_id
from watchdog.findings import TAG_APPROVAL, Finding, Step
from watchdog.kinds import BY_KIND
from watchdog.kinds._park import way_for
from watchdog.policies.parking import Occurrence
from watchdog.store.base import (
    AuditEntry,
    FindingState,
    Store,
    StoredFinding,
    TeardownPlan,
)


@dataclass
class Due:
    """What one park finding's schedule asks of this run."""

    finding: Finding
    approved_by: str
    occurrence: Occurrence
    jobs: list[Job] = field(default_factory=list)
    why_nothing: str = ""


def carried(
    findings: Sequence[Finding],
    previous: Mapping[str, StoredFinding],
    store: Store,
    now: datetime,
) -> list[Finding]:
    """Park findings this run did not make that still need it: parked ones (the resource is
    parked out of sight, or its policy is off), to be resumed; and ones whose park a crashed
    run left in flight (it deleted an endpoint, which no scan sees any more, and died before
    recording it), to be finished, or nothing would ever bring that endpoint back."""
    made = {f.id for f in findings}
    return [
        stored.finding
        for stored in previous.values()
        if stored.finding.id not in made
        and (stored.state == "parked" or _park_in_flight(stored, store, now))
    ]


def _park_in_flight(stored: StoredFinding, store: Store, now: datetime) -> bool:
    latest = latest_occurrence(stored.finding, store, now, stored.first_seen)
    if latest is None:
        return False
    step = store.get_step(latest[1].id)
    return step is not None and step.state in IN_FLIGHT


def latest_occurrence(
    finding: Finding, store: Store, now: datetime, first_seen: datetime | None = None
) -> tuple[Occurrence, Step, Step] | None:
    """A park finding's latest occurrence at `now` with its park and resume steps; None for
    another action, or before its schedule first fires."""
    if not finding.parks:
        return None
    when = occurrence_of(finding, store, now, first_seen)
    if when is None:
        return None
    return (when, *occurrence_steps(finding, when))


def park_and_resume(
    findings: Sequence[Finding],
    previous: Mapping[str, StoredFinding],
    store: Store,
    runner: StepRunner,
    clock: Clock,
    options: ExecOptions,
    resume_only: Sequence[Finding] = (),
) -> list[FindingOutcome]:
    """Carry out what the schedules of this run's park findings ask for now, and the resumes
    of `resume_only` (`carried`)."""
    now = clock.now()
    outcomes: list[FindingOutcome] = []
    due: list[Due] = []
    resuming = {f.id for f in resume_only}
    for finding in (*findings, *resume_only):
        if not finding.parks:
            continue
        if finding.blocked or any(s.blocked for s in finding.steps):
            why = finding.blocked or next(s.blocked for s in finding.steps if s.blocked)
            outcomes.append(finding_outcome(finding, "waiting", f"blocked: {why}"))
            continue
        approver, why = standing_approval(finding, previous.get(finding.id), store, now, options)
        if approver is None:
            outcomes.append(finding_outcome(finding, "needs-approval", why))
            continue
        stored = previous.get(finding.id)
        when = occurrence_of(finding, store, now, stored.first_seen if stored else None)
        if when is None:
            outcomes.append(finding_outcome(finding, "waiting", "its schedule has not fired yet"))
            continue
        parked = stored is not None and stored.state == "parked"
        due.append(_due(finding, approver, when, store, now, parked, finding.id not in resuming))
    return outcomes + run_due(due, runner, clock, options)


def run_due(
    due: Sequence[Due], runner: StepRunner, clock: Clock, options: ExecOptions
) -> list[FindingOutcome]:
    """Run every due job at once (they are independent), then say what became of each."""
    jobs = [job for d in due for job in d.jobs]
    execution = execute(jobs, runner, clock, options, runner.breaker)
    concluded = []
    for d in due:
        steps = [execution.outcomes[j.step.id] for j in d.jobs]
        left = None
        if options.execute:
            _record_state(d, steps, runner.store, clock.now())
            left = _left_alone(d, runner.store)
        concluded.append(_concluded(d, steps, left))
    return concluded


def _left_alone(due: Due, store: Store) -> AuditEntry | None:
    """The occurrence's resume, given up: someone else changed the resource while parked."""
    if not due.occurrence.resume_due or len(due.jobs) != 2:
        return None
    return store.get_audit(audit_id(due.jobs[-1].step.id, LEFT_ALONE))


def _record_state(due: Due, steps: Sequence[StepOutcome], store: Store, now: datetime) -> None:
    """ "parked" from the watchdog's own park until the resume is done (or found done)."""
    if not steps:
        return
    last = steps[-1]
    if due.occurrence.resume_due and len(steps) == 2 and last.fate in ("done", "already"):
        standing = store.get_plan(due.finding.id)
        state: FindingState = "approved" if standing is not None else "open"
        store.set_finding_state(due.finding.id, state, f"back: {last.detail}", now)
    elif not due.occurrence.resume_due and last.fate == "done":
        store.set_finding_state(due.finding.id, "parked", f"parked: {last.detail}", now)


def standing_approval(
    finding: Finding,
    stored: StoredFinding | None,
    store: Store,
    now: datetime,
    options: ExecOptions,
) -> tuple[str | None, str]:
    """Who approved the schedule, or why it is not approved yet. A person's approval is used
    once, for the schedule as a whole, and kept as the finding's standing plan."""
    if finding.tag_approver is not None:
        # Its owner tagged it into the schedule: that is the approval (re-checked on AWS's
        # current tags right before each park, act.executor.verify).
        return finding.tag_approver, ""
    if finding.approval == "automatic":
        return automatic_approval(finding, stored, now)
    standing = store.get_plan(finding.id)
    if stored is not None and stored.state in ("approved", "parked") and standing is not None:
        return standing.approved_by, ""
    if stored is not None and stored.state == "parked":
        # Parked on its owner's tags, removed since: it still comes back, as whatever the
        # watchdog parked does. A park on that approval is refused while they are gone
        # (act.executor.verify), so the next one is a person's to approve.
        return _tags_it_was_parked_on(stored, store, now), ""
    approval = store.pending_approval(finding.id, "park", now)
    if approval is None:
        return None, f"waiting for approval of its schedule (ai-watchdog approve {finding.id})"
    approver = f"{approval.approver} via {approval.via}"
    if options.execute:
        if store.consume_approval(finding.id, "park", now) is None:
            return None, "its approval was used by another run"
        store.save_plan(plan_of(finding, approver, now))
        store.set_finding_state(finding.id, "approved", f"parked on its schedule: {approver}", now)
    return approver, ""


def _tags_it_was_parked_on(stored: StoredFinding, store: Store, now: datetime) -> str:
    """The approver its latest park recorded ("tag:..."): the resume's too."""
    found = latest_occurrence(stored.finding, store, now, stored.first_seen)
    entry = store.get_audit(audit_id(found[1].id, "done")) if found is not None else None
    if entry is not None and entry.approved_by and entry.approved_by.startswith(TAG_APPROVAL):
        return entry.approved_by
    return stored.finding.tag_approver or f"{TAG_APPROVAL}(removed since it was parked)"


def plan_of(finding: Finding, approver: str, now: datetime) -> TeardownPlan:
    return TeardownPlan(
        finding_id=finding.id,
        run_id="parking",
        created_at=now,
        finding=finding,
        targets=(finding.resource,),
        approved_by=approver,
        fingerprint="",
    )


def occurrence_steps(finding: Finding, when: Occurrence) -> tuple[Step, Step]:
    """The park and resume steps of one occurrence: the plan's, keyed by the occurrence."""
    parking = way_for(BY_KIND[finding.resource.kind].park, finding.resource)
    if parking is None:
        raise LookupError(f"{finding.resource.kind} cannot be parked")
    by_op = {step.op: step for step in finding.steps}
    park = by_op[parking.park.step_op]
    park = park.model_copy(update={"id": occurrence_step_id(park.id, when.key), "depends_on": ()})
    resume = by_op[parking.resume.step_op]
    resume_id = occurrence_step_id(resume.id, when.key)
    resume = resume.model_copy(update={"id": resume_id, "depends_on": (park.id,)})
    return park, resume


def parked_by_watchdog(store: Store, park_step_id: str) -> bool:
    """The occurrence's park was done by a call of the watchdog's own."""
    entry = store.get_audit(audit_id(park_step_id, "done"))
    return entry is not None and not entry.unchanged


def _due(
    finding: Finding,
    approver: str,
    when: Occurrence,
    store: Store,
    now: datetime,
    parked_before: bool,
    may_park: bool,
) -> Due:
    """`parked_before`: the finding is "parked", by this occurrence's park or an earlier one's
    whose resume never came; `may_park`: its policy still parks (not only carried)."""
    due = Due(finding, approver, when)
    plan = plan_of(finding, approver, now)
    park, resume = occurrence_steps(finding, when)
    parked = store.get_step(park.id)
    if not when.resume_due:
        if parked is not None and parked.state == "done":
            due.why_nothing = f"parked for this occurrence ({parked.detail})"
        elif may_park or (parked is not None and parked.state in IN_FLIGHT):
            # A park in flight is finished even when its policy no longer parks: its call
            # may have been made, and the resource must then be known to be parked.
            due.jobs.append(Job(plan, park, finding.resource))
        else:
            due.why_nothing = "parked; its policy no longer parks it, and its resume comes"
        return due
    resumed = store.get_step(resume.id)
    ours = parked_before or (parked is not None and parked_by_watchdog(store, park.id))
    if resumed is not None and resumed.state == "done":
        due.why_nothing = f"resumed for this occurrence ({resumed.detail})"
    elif ours or (parked is not None and parked.state in IN_FLIGHT):
        # Parked by the watchdog (or a crashed run's park to finish first): bring it back.
        due.jobs += [Job(plan, park, finding.resource), Job(plan, resume, finding.resource)]
    elif parked is None:
        due.why_nothing = "its resume time has come; it was not parked in this occurrence"
    elif parked.state == "done":
        due.why_nothing = "it was not parked by the watchdog, so it is not resumed by it"
    else:
        due.why_nothing = f"its park was {parked.state} ({parked.detail}); nothing to resume"
    return due


def _concluded(due: Due, steps: list[StepOutcome], left: AuditEntry | None) -> FindingOutcome:
    finding = due.finding
    if not steps:
        outcome = finding_outcome(finding, "waiting", due.why_nothing, due.approved_by)
        return outcome
    last = steps[-1]
    fates: dict[str, FindingFate] = {
        "done": "done",
        "already": "done",
        "would-run": "would-run",
        "cancelled": "cancelled",
    }
    fate = fates.get(last.fate, "partial")
    why = f"left alone, not resumed: {left.detail}" if left is not None else _said(due, last)
    outcome = finding_outcome(finding, fate, why, due.approved_by)
    return outcome.model_copy(update={"steps": steps})


def _said(due: Due, last: StepOutcome) -> str:
    when = due.occurrence
    resuming = when.resume_due
    verb = "resume" if resuming else "park"
    if last.fate in ("done", "already"):
        if resuming:
            return f"resumed: {last.detail}"
        until = when.resumes_at.strftime("%Y-%m-%d %H:%M UTC") if when.resumes_at else None
        return f"parked until {until}: {last.detail}" if until else f"parked: {last.detail}"
    if last.fate == "would-run":
        return f"would {verb} it now (occurrence of {when.parks_at:%Y-%m-%d %H:%M} UTC)"
    return f"{verb} is {last.fate}: {last.detail}"
