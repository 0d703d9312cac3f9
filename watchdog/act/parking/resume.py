"""`ai-watchdog resume`: bring parked resources back now, before their schedule would.

What is resumed is read from the store alone (no scan): each park finding's latest occurrence
whose park the watchdog made and whose resume has not happened. The resume is that
occurrence's resume step, the one the schedule would run later: claimed, re-verified and
recorded the same way, so it happens once whoever gets there first. The evening's park then
begins a new occurrence as usual.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from watchdog.act.clients import Clients
from watchdog.act.clock import Clock
from watchdog.act.executor import Breaker, Job, StepRunner, Verifier
from watchdog.act.models import ExecOptions, FindingOutcome
from watchdog.act.parking.flow import Due, latest_occurrence, parked_by_watchdog, plan_of, run_due
from watchdog.policies.parking import Occurrence
from watchdog.store.base import Store, StoredFinding


class NothingToResume(ValueError):
    """Nothing the request names is parked by the watchdog; the message says what is."""


def resume_now(
    store: Store,
    clients: Clients,
    clock: Clock,
    options: ExecOptions,
    run_id: str,
    arns: Iterable[str] | None,
) -> list[FindingOutcome]:
    """Resume the parked resources with these ARNs (all of them: None) now."""
    now = clock.now()
    wanted = None if arns is None else {arn.strip().lower() for arn in arns}
    due = [
        d
        for stored in store.list_findings()
        if (d := _parked(stored, store, now)) is not None
        and (wanted is None or stored.finding.resource.arn.lower() in wanted)
    ]
    if not due:
        raise NothingToResume(_nothing(store, now, wanted))
    breaker = Breaker(options.max_failures, options.max_throttles)
    verifier = Verifier(exemptions={}, fresh={}, now=clock.now)
    runner = StepRunner(store, clients, clock, options, run_id, breaker, verifier)
    return run_due(due, runner, clock, options)


def _parked(stored: StoredFinding, store: Store, now: datetime) -> Due | None:
    """The resume of its latest occurrence, if the watchdog parked it and it is still out."""
    finding = stored.finding
    found = latest_occurrence(finding, store, now, stored.first_seen)
    if found is None:
        return None
    latest, park, resume = found
    parked, resumed = store.get_step(park.id), store.get_step(resume.id)
    ours = parked is not None and parked.state == "done" and parked_by_watchdog(store, park.id)
    if stored.state != "parked" and not ours:
        return None
    if resumed is not None and resumed.state == "done":
        return None
    standing = store.get_plan(finding.id)
    approver = standing.approved_by if standing is not None else f"policy:{finding.policy}"
    now_due = Occurrence(latest.parks_at, resume_due=True, resumes_at=latest.resumes_at)
    due = Due(finding, approver, now_due)
    plan = plan_of(finding, approver, now)
    due.jobs += [Job(plan, park, finding.resource), Job(plan, resume, finding.resource)]
    return due


def _nothing(store: Store, now: datetime, wanted: set[str] | None) -> str:
    parks = [s for s in store.list_findings() if s.finding.action == "park"]
    if not parks:
        return "nothing is parked: no park finding in the store (see `ai-watchdog plan`)"
    if wanted is None:
        return "nothing is parked by the watchdog right now"
    names = ", ".join(sorted(wanted))
    return f"{names}: not parked by the watchdog right now (`ai-watchdog audit` shows its parks)"
