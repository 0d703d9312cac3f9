"""One step at a time: claim it, read AWS, re-verify, record, call, and wait for it to settle.

Every decision is made on what AWS says now, not on what an earlier run believed: a step whose
resource is already gone (or already stopped) is done without a call, and a step a crashed run
had started is polled, not repeated. The same code decides a dry run, which stops short of the
claim and the call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from botocore.exceptions import BotoCoreError, ClientError

from watchdog.act.audit import (
    append_once,
    audit_id,
    description,
    recorded_description,
    step_entry,
)
from watchdog.act.clients import Clients
from watchdog.act.clock import Clock
from watchdog.act.executor.breaker import Breaker, is_throttling
from watchdog.act.executor.claims import claim_step, held_by
from watchdog.act.executor.jobs import InFlight, Job
from watchdog.act.executor.left_alone import LeftAlone
from watchdog.act.executor.reads import describe, invoke, status_of
from watchdog.act.executor.verify import Verifier
from watchdog.act.models import ExecOptions, StepFate, StepOutcome
from watchdog.aws.errors import describe_error
from watchdog.kinds._calls import is_gone
from watchdog.store.base import AuditOutcome, MarkState, Store, StoreConflict

log = structlog.get_logger(__name__)

IN_USE = "ResourceInUse"


@dataclass
class StepRunner:
    store: Store
    clients: Clients
    clock: Clock
    options: ExecOptions
    run_id: str
    breaker: Breaker
    verifier: Verifier

    # Starting.
    def start(self, job: Job, after_dry_steps: bool = False) -> StepOutcome | InFlight:
        """`after_dry_steps`: a step before it would run (dry run), so AWS's state now is not
        the state it would meet (a notebook that would be stopped first)."""
        earlier = self._earlier(job)
        if earlier is not None:
            return earlier
        if not self.options.execute:
            return self._dry_run(job, after_dry_steps)
        step_id, now = job.step.id, self.clock.now()
        claim = claim_step(
            self.store, step_id, job.plan.finding_id, self.run_id, now, self.options.lease
        )
        if claim is None:
            return self.outcome(job, "busy", held_by(self.store.get_step(step_id)))
        try:
            return self._claimed(job, claim.attempts, claim.previous_state)
        except (ClientError, BotoCoreError) as error:
            return self._fail(job, claim.attempts, error)

    def _earlier(self, job: Job) -> StepOutcome | None:
        record = self.store.get_step(job.step.id)
        if record is None:
            return None
        if record.state == "done":
            return self.outcome(job, "already", f"done in run {record.run_id}")
        if record.state == "cancelled":
            return self.outcome(job, "cancelled", record.detail)
        if record.state == "failed" and record.attempts >= self.options.max_attempts:
            # Final for this teardown: the finding is cancelled and a person looks at it.
            return self.outcome(
                job, "cancelled", f"gave up after {record.attempts} attempts: {record.detail}"
            )
        return None

    def _dry_run(self, job: Job, after_dry_steps: bool) -> StepOutcome:
        try:
            status = self._probe(job)
            settled = self._settled_fate(job, status)
            if settled is not None and not after_dry_steps:
                return self.outcome(job, "already", settled)
            if not after_dry_steps and not job.operation.allows(status):
                return self.outcome(job, "waiting", self._refused(job, status))
            reason, _ = self.verifier.check(job, self.clients)
        except (ClientError, BotoCoreError) as error:
            return self.outcome(job, "failed", f"cannot read it now: {describe_error(error)}")
        if reason is not None:
            return self.outcome(job, "cancelled", reason)
        return self.outcome(job, "would-run", "")

    def _claimed(self, job: Job, attempt: int, previous: str | None) -> StepOutcome | InFlight:
        # One read gives both the status and the description the audit log keeps.
        current = self._describe(job)
        status = status_of(job, current)
        # An earlier attempt recorded the resource right before making its call: what AWS is
        # doing or has done may be that call. Without one, it is someone else's doing (its
        # saving is not the watchdog's, and a resume it did not make tells the owner).
        recorded = recorded_description(self.store, job.step.id, attempt)
        ours = recorded is not None
        settled = self._settled_fate(job, status)
        if settled is not None:
            return self._finish(job, attempt, settled, called=ours)
        if not job.operation.allows(status):
            if self._on_its_way(job, status, previous):
                # Ours or someone else's call is under way: wait for it, never call twice.
                flight = self._in_flight(job, attempt, recorded or {}, called=ours)
                flight.inherited = True
                return flight
            self._given_up(job, attempt).refused(str(status))
            return self._park(job, "waiting", self._refused(job, status))
        reason, tags = self.verifier.check(job, self.clients)
        if reason is not None:
            return self._cancel(job, attempt, reason)
        described = description(job.target, current, tags)
        self._audit(job, audit_id(job.step.id, "started", attempt), "started", described)
        try:
            self.store.mark_step(job.step.id, self.run_id, "started", "", self.clock.now())
        except StoreConflict:
            # The claim ran out and another run took the step: it is that run's to call.
            return self.outcome(job, "busy", "another run took it over; it is left to that run")
        try:
            self._invoke(job, current)
        except ClientError as error:
            if _error_code(error) == IN_USE:
                # Something inside is still going away (a profile AWS is deleting): AWS
                # changed nothing, so the next run simply tries again.
                why = f"AWS says it is still in use ({describe_error(error)}); tried again next run"
                return self._park(job, "waiting", why)
            if not is_gone(error):
                raise
            if job.operation.from_gone:
                # AWS created nothing: what it would be created from is gone.
                how = self._given_up(job, attempt).source_gone(describe_error(error), described)
                return self._finish(job, attempt, how, called=False)
        if job.teardown.status_field is None and job.operation is job.teardown.delete:
            # Kinds without a status (configs, models) are deleted synchronously: AWS's yes
            # is the confirmation, and reading it back would cost a call per step.
            return self._finish(job, attempt, "deleted", called=True, described=described)
        return self._in_flight(job, attempt, described, called=True)

    def _in_flight(
        self, job: Job, attempt: int, described: dict[str, Any], called: bool
    ) -> InFlight:
        now = self.clock.now()
        return InFlight(job, attempt, described, called, now, now, self.options.poll_initial)

    # Waiting.
    def poll(self, flight: InFlight) -> StepOutcome | InFlight | None:
        """The outcome once AWS has settled the step; None while it is still under way; a new
        flight once this run has made the rest of an inherited call (`_take_over`)."""
        now = self.clock.now()
        if now < flight.next_probe_at:
            return None
        job = flight.job
        try:
            status = self._probe(job)
        except (ClientError, BotoCoreError) as error:
            if is_throttling(error):
                self.breaker.record_throttle()
                self._reschedule(flight, now)
                return None
            return self._fail(job, flight.attempt, error)
        settled = self._settled_fate(job, status)
        if settled is not None:
            return self._finish(job, flight.attempt, settled, flight.called, flight.described)
        if flight.inherited and self._left_short(job, status):
            return self._take_over(flight)
        flight.last_status = status
        if now - flight.started_at >= self.options.step_timeout:
            minutes = int(self.options.step_timeout.total_seconds() // 60)
            return self.park(flight, f"still {status} after {minutes} min")
        self._reschedule(flight, now)
        return None

    def _left_short(self, job: Job, status: str | None) -> bool:
        """The call waited for has ended short of settling the step: AWS is at nothing, and the
        state is still one the call starts from. A call made of several (`acts_on`: each
        component's copies, then the minimums) whose run died between them ends so; waiting
        for it would only end at the step timeout."""
        operation = job.operation
        return (
            operation.acts_on is not None
            and operation.allows(status)
            and not self._on_its_way(job, status, None)
        )

    def _take_over(self, flight: InFlight) -> StepOutcome | InFlight:
        """The rest of an inherited call, made by this run the way a next run would make it:
        re-read, re-verified, recorded, and `acts_on` changes only what is still unchanged,
        so nothing the earlier call changed is called again."""
        job = flight.job
        try:
            return self._claimed(job, flight.attempt, None)
        except (ClientError, BotoCoreError) as error:
            return self._fail(job, flight.attempt, error)

    def _reschedule(self, flight: InFlight, now: datetime) -> None:
        flight.next_probe_at = now + flight.delay
        grown = flight.delay * self.options.poll_factor
        flight.delay = min(grown, self.options.poll_max)

    def park(self, flight: InFlight, why: str) -> StepOutcome:
        """Leave a started step for the next run, which will poll it rather than call again."""
        return self._park(flight.job, "parked", f"{why}; the next run keeps waiting for it")

    def _park(self, job: Job, fate: StepFate, why: str) -> StepOutcome:
        self._mark(job, "parked", why)
        return self.outcome(job, fate, why)

    # Ending.
    def _finish(
        self,
        job: Job,
        attempt: int,
        how: str,
        called: bool,
        described: dict[str, Any] | None = None,
    ) -> StepOutcome:
        recorded = described or recorded_description(self.store, job.step.id, attempt)
        if recorded is None:
            recorded = description(job.target, None, job.target.tags)
        detail = f"AWS confirms: {how}" if called else f"{how}; not changed by the watchdog"
        if not called:
            self._given_up(job, attempt).settled(how, recorded)
        entry_id = audit_id(job.step.id, "done")
        self._audit(job, entry_id, "done", recorded, detail, saved=called)
        self._mark(job, "done", detail)
        fate: StepFate = "done" if called else "already"
        return self.outcome(job, fate, detail, entry_id)

    def _cancel(self, job: Job, attempt: int, reason: str) -> StepOutcome:
        described = description(job.target, None, job.target.tags)
        entry_id = audit_id(job.step.id, "cancelled")
        self._audit(job, entry_id, "cancelled", described, reason)
        self._mark(job, "cancelled", reason)
        return self.outcome(job, "cancelled", reason, entry_id)

    def _given_up(self, job: Job, attempt: int) -> LeftAlone:
        return LeftAlone(self.store, job, attempt, self.run_id, self.clock.now())

    def _fail(self, job: Job, attempt: int, error: BaseException) -> StepOutcome:
        self.breaker.record_failure(error)
        why = describe_error(error)
        entry_id = audit_id(job.step.id, "failed", attempt)
        self._audit(job, entry_id, "failed", description(job.target, None, job.target.tags), why)
        self._mark(job, "failed", why)
        log.warning("step failed", step_id=job.step.id, op=job.step.op, error=why)
        return self.outcome(job, "failed", why, entry_id)

    # AWS.
    def _probe(self, job: Job) -> str | None:
        return status_of(job, self._describe(job))

    def _describe(self, job: Job) -> dict[str, Any] | None:
        return describe(job, self.clients, self.store)

    def _invoke(self, job: Job, current: dict[str, Any] | None) -> None:
        log.info(
            "calling",
            op=job.step.op,
            arn=job.step.target_arn,
            account=job.target.account,
            region=job.target.region,
            run_id=self.run_id,
        )
        invoke(job, self.clients, current)

    def _settled_fate(self, job: Job, status: str | None) -> str | None:
        """Why nothing (more) needs doing, or None when the step still has work."""
        if status is None:
            return None if job.operation.from_gone else "gone"
        if status in job.operation.settled:
            return status
        # "Deleting" is a done state for planning (nothing to call) but not for the executor:
        # what depends on it must wait until it is gone.
        if status in job.teardown.done_states and not self._on_its_way(job, status, None):
            return status
        return None

    @staticmethod
    def _on_its_way(job: Job, status: str | None, previous: str | None) -> bool:
        """After our call (a crashed or parked run's), or someone else's, AWS is still at it."""
        if previous in ("started", "parked"):
            return True
        return status in job.teardown.in_progress or status in job.operation.underway

    @staticmethod
    def _refused(job: Job, status: str | None) -> str:
        return f"it is {status}: {job.operation.refused_because}"

    # Records.
    def _mark(self, job: Job, state: MarkState, detail: str) -> None:
        try:
            self.store.mark_step(job.step.id, self.run_id, state, detail, self.clock.now())
        except StoreConflict as conflict:
            # Our claim ran out during a long wait and another run took the step over. What
            # AWS did is recorded in the audit log either way; the other run records the step.
            log.warning("step taken over", step_id=job.step.id, state=state, detail=str(conflict))

    def _audit(
        self,
        job: Job,
        entry_id: str,
        outcome: AuditOutcome,
        described: dict[str, Any],
        detail: str = "",
        saved: bool = True,
    ) -> None:
        entry = step_entry(
            entry_id=entry_id,
            at=self.clock.now(),
            run_id=self.run_id,
            finding=job.plan.finding,
            step=job.step,
            target=job.target,
            outcome=outcome,
            approved_by=job.plan.approved_by,
            described=described,
            detail=detail,
        )
        if not saved:
            entry = entry.model_copy(
                update={
                    "monthly_cost_saved_usd": None,
                    "parked_monthly_cost_usd": None,
                    "unchanged": True,
                }
            )
        append_once(self.store, entry)

    def outcome(
        self, job: Job, fate: StepFate, detail: str, entry_id: str | None = None
    ) -> StepOutcome:
        step = job.step
        return StepOutcome(
            step_id=step.id,
            op=step.op,
            target_arn=step.target_arn,
            target_kind=step.target_kind,
            target_name=step.target_name,
            fate=fate,
            detail=detail,
            audit_id=entry_id,
        )


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
