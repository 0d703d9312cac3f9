"""The parking tick: what the schedules ask for now, from the store alone (no scan).

A cycle scans, evaluates and acts, hourly or so; a schedule's park and resume should happen
within minutes of their time. The tick runs more often (every 15 minutes, in the daemon and the
Lambda) and does only that: for each park finding the last cycle stored, of an enabled policy,
it runs what its occurrence asks for, with the same approval, steps and re-verification as a
cycle (every step reads the resource and its tags from AWS before it calls anything).
"""

from __future__ import annotations

from collections.abc import Sequence

from watchdog.act.clients import Clients
from watchdog.act.clock import Clock
from watchdog.act.executor import Breaker, StepRunner, Verifier
from watchdog.act.models import ExecOptions, FindingOutcome
from watchdog.act.parking.flow import carried, park_and_resume
from watchdog.policies.schema import Policy
from watchdog.store.base import Store

# A finding in another state is resolved, cancelled or done: its schedule no longer runs
# (a parked one's resume still comes, whatever became of its policy).
SCHEDULED_STATES = frozenset({"open", "approved", "parked"})


def parking_tick(
    store: Store,
    clients: Clients,
    clock: Clock,
    options: ExecOptions,
    run_id: str,
    policies: Sequence[Policy],
) -> list[FindingOutcome]:
    enabled = {p.name: p for p in policies if p.enabled}
    previous = {
        s.finding.id: s
        for s in store.list_findings(set(SCHEDULED_STATES))
        if s.finding.action == "park"
    }
    scheduled = [s.finding for s in previous.values() if s.finding.policy in enabled]
    resume_only = carried(scheduled, previous, store, clock.now())
    if not scheduled and not resume_only:
        return []
    verifier = Verifier(
        exemptions={name: p.exemptions for name, p in enabled.items()},
        fresh={},
        now=clock.now,
        approvals={name: p.approval for name, p in enabled.items()},
    )
    breaker = Breaker(options.max_failures, options.max_throttles)
    runner = StepRunner(store, clients, clock, options, run_id, breaker, verifier)
    return park_and_resume(scheduled, previous, store, runner, clock, options, resume_only)
