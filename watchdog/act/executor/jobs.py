"""What the executor works on: a `Job` (one step of a plan, with the record of the resource it
acts on, and the operation its kind declares for it) and an `InFlight` (a call AWS is still
carrying out, polled until it settles)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from watchdog.findings import Step
from watchdog.kinds import BY_KIND
from watchdog.kinds._park import all_ways
from watchdog.kinds.base import Operation, Teardown
from watchdog.records import ResourceRecord
from watchdog.store.base import TeardownPlan


@dataclass
class Job:
    """A step of one plan, with the record of the resource it acts on."""

    plan: TeardownPlan
    step: Step
    target: ResourceRecord

    @property
    def teardown(self) -> Teardown:
        return BY_KIND[self.step.target_kind].teardown

    @property
    def operation(self) -> Operation:
        spec = BY_KIND[self.step.target_kind]
        teardown = spec.teardown
        candidates = [teardown.stop, teardown.delete]
        # A park's delete is the park's (its own states), not the teardown's.
        parks = [op for way in all_ways(spec.park) for op in (way.park, way.resume)]
        parking_first = self.plan.finding.action == "park"
        candidates = [*parks, *candidates] if parking_first else [*candidates, *parks]
        for candidate in candidates:
            if candidate is not None and candidate.step_op == self.step.op:
                return candidate
        raise LookupError(f"{self.step.target_kind} has no operation {self.step.op}")


@dataclass
class InFlight:
    """A step whose call AWS is still carrying out; polled until it settles."""

    job: Job
    attempt: int
    described: dict[str, Any]
    called: bool
    started_at: datetime
    next_probe_at: datetime
    delay: timedelta
    last_status: str | None = None
    # The call waited for was made before this run (a crashed run's, or someone else's).
    inherited: bool = False
