"""A resume the watchdog gives up because someone else changed the resource while it was parked.

The watchdog resumes only what it parked, as it parked it. When a resume finds the resource in
another state than its park left it in (started again, scaled up, deleted, recreated, or what
it would be created from deleted), it makes no call and leaves it as it is; the owner must
hear of it, since the schedule they rely on did not bring it back. That fact is written to the
audit log here, once per occurrence (the entry's id is the resume step's), before the step is
recorded: a run that dies in between writes it again next run, and the store keeps the first.
The report stage (watchdog.notify.notices) tells the owner in Slack from that entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import structlog

from watchdog.act.audit import (
    append_once,
    audit_id,
    description,
    recorded_description,
    step_entry,
)
from watchdog.kinds import BY_KIND
from watchdog.kinds._park import all_ways
from watchdog.store.base import AuditOutcome, Store

if TYPE_CHECKING:
    from watchdog.act.executor.jobs import Job

log = structlog.get_logger(__name__)

LEFT_ALONE: AuditOutcome = "left-alone"
# Where a left-alone entry's description keeps what its notice says: found, parked, why, todo.
NOTICE = "left_alone"
GONE = "gone"  # what the executor calls a resource AWS no longer has


def resumes(job: Job) -> bool:
    """The step is a park's resume (of any way its kind parks)."""
    return any(job.operation is way.resume for way in all_ways(BY_KIND[job.target.kind].park))


def parked_as(job: Job) -> str:
    """The state the resume expects, the one its park left the resource in."""
    states = sorted(job.operation.allowed_states or ())
    if job.operation.from_gone:
        return "deleted, its configuration kept to create it again"
    return " or ".join(states) or "parked"


def watchdog_called(store: Store, job: Job, attempt: int) -> bool:
    """An attempt of this resume made its call (its "started" entry is written first): what it
    finds may be the watchdog's own doing, which is no one else's change to report."""
    return recorded_description(store, job.step.id, attempt) is not None


@dataclass
class LeftAlone:
    """One resume step's attempt, as it gives up: each method writes the audit entry (once per
    occurrence) when the step is a resume the watchdog did not make its call for."""

    store: Store
    job: Job
    attempt: int
    run_id: str
    at: datetime

    def settled(self, found: str, described: dict[str, Any] | None) -> None:
        """Found out of its parked state (or gone) with no call of the watchdog's."""
        if found == GONE:
            why = "someone deleted it while it was parked"
            todo = (
                "nothing, if that was meant. If not, the watchdog cannot bring it back: its "
                "description before it was parked is in `ai-watchdog audit`"
            )
        else:
            why = "someone changed it while it was parked"
            todo = (
                "nothing, if that was meant: it is not parked now, and bills as it runs until "
                "its policy parks it again"
            )
        self._record(found, why, todo, described)

    def refused(self, found: str) -> None:
        """Found in a state its park never leaves it in: the resume waits, untouched."""
        why = f"someone changed it while it was parked ({self.job.operation.refused_because})"
        todo = (
            "look at what changed it. The watchdog resumes it at a later run only if it is "
            f"{parked_as(self.job)} again; until then it stays as it is"
        )
        self._record(found, why, todo, None)

    def source_gone(self, error: str, described: dict[str, Any] | None) -> str:
        """AWS refused to create it again: what it is created from is gone. Recorded whatever
        earlier attempts did (AWS answered that nothing was created); returns the step's words."""
        why = f"what it is created from was deleted while it was parked ({error})"
        todo = (
            "create it again yourself if it is still wanted (its description before it was "
            "parked is in `ai-watchdog audit`); the watchdog will not"
        )
        self._record("its configuration gone", why, todo, described, checked=False)
        return f"not created again: {why}"

    def _record(
        self,
        found: str,
        why: str,
        todo: str,
        described: dict[str, Any] | None,
        checked: bool = True,
    ) -> None:
        job = self.job
        if not resumes(job) or (checked and watchdog_called(self.store, job, self.attempt)):
            return
        parked = parked_as(job)
        record = described or description(job.target, None, job.target.tags)
        entry = step_entry(
            entry_id=audit_id(job.step.id, LEFT_ALONE),
            at=self.at,
            run_id=self.run_id,
            finding=job.plan.finding,
            step=job.step,
            target=job.target,
            outcome=LEFT_ALONE,
            approved_by=job.plan.approved_by,
            described={
                **record,
                NOTICE: {"found": found, "parked": parked, "why": why, "todo": todo},
            },
            detail=f"found {found} instead of {parked} at its resume: {why}; the watchdog "
            "made no call and left it as it is",
        )
        # No call of the watchdog's changed it, as a step done without one is marked.
        append_once(self.store, entry.model_copy(update={"unchanged": True}))
        log.warning("resume left alone", step_id=job.step.id, arn=job.step.target_arn, found=found)
