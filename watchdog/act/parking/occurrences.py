"""Which occurrence of its parking a park finding is in: its schedule's (policies/parking.py),
or, for a policy that parks when idle, one read from the store.

A finding parked when idle has no schedule to say when an occurrence begins: the first begins
when the finding is first seen, and each next one once the previous one's resume is done and the
resource has stood idle for the policy's time since (its idle window then covers none of the
time it was parked, so a resume a person asked for is not undone by the next run). The begin is
read back from the steps the store keeps, so every run, and a run after a crash, finds the same
occurrence and the same step ids.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from watchdog.act.audit import audit_id
from watchdog.act.parking.savings import OCCURRENCE_STEP
from watchdog.findings import Finding
from watchdog.kinds import BY_KIND
from watchdog.kinds._park import all_ways
from watchdog.policies.parking import Occurrence, occurrence
from watchdog.store.base import StepRecord, Store

MINUTE = timedelta(minutes=1)
KEY_FORMAT = "%Y%m%dT%H%MZ"


def occurrence_of(
    finding: Finding, store: Store, now: datetime, first_seen: datetime | None = None
) -> Occurrence | None:
    """The occurrence under way or last ended at `now`; None before the first begins."""
    if finding.park is not None:
        return occurrence(finding.park, now)
    if finding.park_when_idle_hours is None:
        return None
    return _idle_occurrence(finding, store, now, first_seen or now)


def _idle_occurrence(
    finding: Finding, store: Store, now: datetime, first_seen: datetime
) -> Occurrence:
    # Every occurrence's steps, whatever their plan ids: a resumed endpoint is a new resource
    # (its creation time, and so its step ids, change), yet the same finding's next occurrence.
    keyed = [
        (match["key"], step)
        for step in store.list_steps(finding.id)
        if (match := OCCURRENCE_STEP.match(step.step_id))
    ]
    if not keyed:
        return Occurrence(_minute(first_seen), resume_due=False, resumes_at=None)
    key = max(k for k, _ in keyed)
    latest = datetime.strptime(key, KEY_FORMAT).replace(tzinfo=first_seen.tzinfo)
    resumed_at = _resumed_at(finding, store, [step for k, step in keyed if k == key])
    if resumed_at is None:
        return Occurrence(latest, resume_due=False, resumes_at=None)
    idle_for = timedelta(hours=finding.park_when_idle_hours or 0)
    if now < resumed_at + idle_for:
        return Occurrence(latest, resume_due=True, resumes_at=None)  # back, and not idle yet
    begins = max(_minute(resumed_at), latest + MINUTE)
    return Occurrence(begins, resume_due=False, resumes_at=None)


def _resumed_at(finding: Finding, store: Store, steps: list[StepRecord]) -> datetime | None:
    """When the occurrence's resume was done, read off its audit entry's operation."""
    resumes = {way.resume.step_op for way in all_ways(BY_KIND[finding.resource.kind].park)}
    for step in steps:
        if step.state != "done":
            continue
        entry = store.get_audit(audit_id(step.step_id, "done"))
        if entry is not None and entry.op in resumes:
            return step.updated_at
    return None


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)
