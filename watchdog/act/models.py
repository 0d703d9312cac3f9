"""What an apply run reports: per step, per finding, and for the run. Plain pydantic models so
the CLI, the Lambda and the daemon render the same facts as tables or JSON."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field, SerializeAsAny

from watchdog.kinds.base import LeftoverReport
from watchdog.records import Kind, ScanError
from watchdog.settings import Settings
from watchdog.signals.self_cost import SelfCost

# What became of one step in this run.
#   would-run   dry-run: it passed every check and would be called now
#   done        called in this run and finished (AWS confirmed it)
#   already     nothing to call: done in an earlier run, or AWS already shows it done/gone
#   waiting     not run yet: a step before it is not done, or AWS's state does not allow it yet
#   parked      called, not finished when the run had to stop; the next run keeps waiting
#   busy        another run holds it
#   cancelled   re-verification said no; the reason says why
#   failed      AWS refused or errored
StepFate = Literal[
    "would-run", "done", "already", "waiting", "parked", "busy", "cancelled", "failed"
]
# What became of one finding in this run.
#   would-run    dry-run: approved, verified, its steps would run
#   done         every step is done
#   partial      some steps are left for the next run (waiting, parked, failed, busy)
#   cancelled    re-verification cancelled it (changed, no longer idle, exempt, ...)
#   needs-approval  not approved (or the policy's grace period has not passed)
#   waiting      approved but cannot start now (blocked steps, outside its action window)
FindingFate = Literal["would-run", "done", "partial", "cancelled", "needs-approval", "waiting"]
StopReason = Literal["deadline", "circuit-breaker", "interrupted"]
Verdict = Literal["nothing-to-do", "done", "partial", "refused"]
# Findings on which apply did (or, dry, would do) something.
ACTED = frozenset({"would-run", "done", "partial", "cancelled"})


class StepOutcome(BaseModel):
    step_id: str
    op: str
    target_arn: str
    target_kind: Kind
    target_name: str
    fate: StepFate
    detail: str = ""
    audit_id: str | None = None


class FindingOutcome(BaseModel):
    finding_id: str
    policy: str
    action: str
    resource_arn: str
    resource_kind: Kind
    resource_name: str
    account: str
    region: str
    fate: FindingFate
    reason: str = ""
    approved_by: str | None = None
    resumed: bool = False
    monthly_cost_usd: float | None = None
    # Its bill is shared with resources that stay (Finding.shared_bill): ending it saves nothing.
    shared_bill: bool = False
    steps: list[StepOutcome] = Field(default_factory=list)


class ExecOptions(BaseModel):
    """How carefully and how long the executor works."""

    execute: bool = False
    # A claimed step is held this long; a crashed run's steps are taken over after it. It
    # guards the seconds between reading a resource and calling AWS: a step whose call was
    # made is only ever polled by whoever holds it, never called again, so a short lease is safe.
    lease: timedelta = timedelta(minutes=5)
    # How long one step may take to settle before it is parked for the next run (DeleteApp
    # can take ~20 minutes).
    step_timeout: timedelta = timedelta(minutes=30)
    # Polling AWS for an asynchronous change: first wait, growth, ceiling.
    poll_initial: timedelta = timedelta(seconds=2)
    poll_factor: float = 1.6
    poll_max: timedelta = timedelta(seconds=30)
    # Stop acting for the run after this many failed steps, or this many throttling errors
    # that survived the SDK's own retries.
    max_failures: int = Field(default=3, ge=1)
    max_throttles: int = Field(default=5, ge=1)
    # A step that failed this many times is given up on (the finding is cancelled).
    max_attempts: int = Field(default=3, ge=1)
    # Stop starting steps this long before the deadline, and park what is in flight.
    deadline: datetime | None = None
    deadline_margin: timedelta = timedelta(seconds=20)
    # Asked to stop (the daemon got SIGTERM): stop starting steps and park what is in flight,
    # as at the deadline. Checked between steps and at least every second while waiting.
    interrupted: Callable[[], bool] | None = Field(default=None, exclude=True)

    @classmethod
    def from_settings(
        cls, settings: Settings, execute: bool, deadline: datetime | None = None
    ) -> ExecOptions:
        return cls(
            execute=execute,
            lease=timedelta(seconds=settings.step_lease_seconds),
            step_timeout=timedelta(minutes=settings.step_timeout_minutes),
            poll_initial=timedelta(seconds=settings.poll_seconds),
            poll_max=timedelta(seconds=max(settings.max_poll_seconds, settings.poll_seconds)),
            max_failures=settings.max_failed_steps,
            max_throttles=settings.max_throttles,
            deadline=deadline,
        )


class ApplySummary(BaseModel):
    findings: int
    by_fate: dict[str, int]
    steps_by_fate: dict[str, int]
    # Monthly cost of the resources whose teardown finished in this run.
    monthly_savings_usd: float


class ApplyResult(BaseModel):
    run_id: str
    mode: Literal["dry-run", "execute"]
    generated_at: datetime
    findings: list[FindingOutcome]
    summary: ApplySummary
    stopped: StopReason | None = None
    stopped_detail: str = ""
    # What deleted resources left behind on purpose (a Studio domain's EFS home and NFS
    # security groups), each kind's report with its own fields.
    leftovers: list[SerializeAsAny[LeftoverReport]] = Field(default_factory=list)
    errors: list[ScanError] = Field(default_factory=list)
    api_calls: int = 0
    api_calls_by_operation: dict[str, int] = Field(default_factory=dict)
    self_cost: SelfCost | None = None  # what the run's plan added to the AWS bill

    def verdict(self) -> Verdict:
        """What happened, in the four words the exit code distinguishes."""
        acted = [f for f in self.findings if f.fate in ACTED]
        if not acted and self.stopped is None:
            return "nothing-to-do"
        if not self.findings and self.stopped == "interrupted":
            return "partial"  # stopped while reading AWS: the run did not finish, refused nothing
        progressed = [f for f in acted if f.fate != "cancelled"]
        steps_done = any(s.fate == "done" for f in acted for s in f.steps)
        if not progressed or (self.stopped == "circuit-breaker" and not steps_done):
            return "refused"
        if self.stopped is not None or len(progressed) < len(acted):
            return "partial"
        if any(f.fate == "partial" for f in acted):
            return "partial"
        return "done"
