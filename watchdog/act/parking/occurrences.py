"""Which occurrence of its parking a park finding is in: its schedule's (policies/parking.py),
one read from the store for a policy that parks when idle, or, for a policy with both, the
schedule's and the idle rule's in turn.

A finding parked when idle has no schedule to say when an occurrence begins: the first begins
when the finding is first seen, and each next one once the previous one's resume is done and the
resource has stood idle for the policy's time since (its idle window then covers none of the
time it was parked, so a resume a person asked for is not undone by the next run). The begin is
read back from the steps the store keeps, so every run, and a run after a crash, finds the same
occurrence and the same step ids.

With a schedule and an idle rule, the schedule parks at its `at` and the idle rule in between,
whenever the resource has stood idle that long (as the last scan saw it) since it last came
back; whichever parked it, it comes back at the schedule's next `resume` (or on demand). An
occurrence the watchdog parked stays the current one until it is back: a schedule's park that
fires meanwhile does not begin another (the resource is parked already, and its spell of savings
runs on unbroken).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from watchdog.act.audit import audit_id
from watchdog.act.parking.savings import OCCURRENCE_STEP
from watchdog.findings import Finding
from watchdog.kinds import BY_KIND
from watchdog.kinds._park import all_ways
from watchdog.policies.cron import Cron
from watchdog.policies.parking import Occurrence, occurrence
from watchdog.policies.schema import ParkSchedule
from watchdog.store.base import StepRecord, Store

MINUTE = timedelta(minutes=1)
KEY_FORMAT = "%Y%m%dT%H%MZ"
# A step a run claimed or called and did not see finish (a crash, a stop, a timeout).
IN_FLIGHT = frozenset({"claimed", "started", "parked"})


@dataclass(frozen=True)
class _Stored:
    """The latest occurrence the store has steps of, as far as they went."""

    began: datetime
    parked_at: datetime | None  # its park done by the watchdog's own call
    park_in_flight: bool
    resumed_at: datetime | None  # its resume done

    @property
    def out(self) -> bool:
        """Parked by the watchdog (or on its way to be) and not back yet."""
        return (self.parked_at is not None or self.park_in_flight) and self.resumed_at is None


def occurrence_of(
    finding: Finding, store: Store, now: datetime, first_seen: datetime | None = None
) -> Occurrence | None:
    """The occurrence under way or last ended at `now`; None before the first begins."""
    if finding.park_when_idle_hours is None:
        return occurrence(finding.park, now) if finding.park is not None else None
    if finding.park is None:
        return _idle_occurrence(finding, store, now, first_seen or now)
    return _between_parks(finding, finding.park, store, now, first_seen or now)


def _idle_occurrence(
    finding: Finding, store: Store, now: datetime, first_seen: datetime
) -> Occurrence:
    latest = _stored_latest(finding, store)
    if latest is None:
        return Occurrence(_minute(first_seen), resume_due=False, resumes_at=None)
    if latest.resumed_at is None:
        return Occurrence(latest.began, resume_due=False, resumes_at=None)
    if now < latest.resumed_at + _idle_for(finding):
        return Occurrence(latest.began, resume_due=True, resumes_at=None)  # back, not idle yet
    begins = max(_minute(latest.resumed_at), latest.began + MINUTE)
    return Occurrence(begins, resume_due=False, resumes_at=None)


def _between_parks(
    finding: Finding, schedule: ParkSchedule, store: Store, now: datetime, first_seen: datetime
) -> Occurrence | None:
    """A schedule and an idle rule: the one under way, else the newest that is due."""
    latest = _stored_latest(finding, store)
    if latest is not None and latest.out:
        return _until_resume(latest, schedule, now)
    scheduled = occurrence(schedule, now)
    newer = scheduled
    if scheduled is not None and latest is not None and scheduled.parks_at <= latest.began:
        newer = None
    if newer is not None and not newer.resume_due:
        return newer  # the schedule's park is due
    idle = _idle_begins(finding, latest, scheduled, now, first_seen)
    if idle is not None:
        return Occurrence(idle, resume_due=False, resumes_at=_next_resume(schedule, now))
    if newer is not None or latest is None:
        return newer
    if scheduled is not None and latest.began == scheduled.parks_at:
        return scheduled  # the schedule's own, never parked by the watchdog
    return Occurrence(latest.began, resume_due=latest.resumed_at is not None, resumes_at=None)


def _until_resume(latest: _Stored, schedule: ParkSchedule, now: datetime) -> Occurrence:
    """An occurrence the watchdog parked, whoever began it, is back at the first `resume`
    after its park (none: on demand)."""
    parked_at = latest.parked_at or latest.began
    if schedule.resume == "on-demand":
        return Occurrence(latest.began, resume_due=False, resumes_at=None)
    zone, resume = ZoneInfo(schedule.timezone), Cron.parse(schedule.resume)
    fired = resume.last_at_or_before(now, zone)
    return Occurrence(
        latest.began,
        resume_due=fired is not None and fired > parked_at,
        resumes_at=resume.next_after(parked_at, zone),
    )


def _idle_begins(
    finding: Finding,
    latest: _Stored | None,
    scheduled: Occurrence | None,
    now: datetime,
    first_seen: datetime,
) -> datetime | None:
    """When an idle rule's occurrence begins, if one is due: the last scan found it idle, and it
    has stood that long since the latest occurrence ended (its resume, or the schedule's
    resume of one never parked). The begin is made of stored times only, so each run finds the
    same one, and it comes after the schedule's latest park so that one is not taken for it."""
    if not finding.idle_now:
        return None
    begins = _minute(first_seen)
    if latest is not None:
        ended = latest.resumed_at
        if ended is None and scheduled is not None and latest.began == scheduled.parks_at:
            ended = scheduled.parks_at if scheduled.resume_due else None
        if ended is None or now < ended + _idle_for(finding):
            return None
        begins = max(_minute(ended), latest.began + MINUTE)
    if scheduled is not None:
        begins = max(begins, scheduled.parks_at + MINUTE)
    return begins


def _next_resume(schedule: ParkSchedule, now: datetime) -> datetime | None:
    if schedule.resume == "on-demand":
        return None
    return Cron.parse(schedule.resume).next_after(now, ZoneInfo(schedule.timezone))


def _stored_latest(finding: Finding, store: Store) -> _Stored | None:
    # Every occurrence's steps, whatever their plan ids: a resumed endpoint is a new resource
    # (its creation time, and so its step ids, change), yet the same finding's next occurrence.
    keyed = [
        (match["key"], step)
        for step in store.list_steps(finding.id)
        if (match := OCCURRENCE_STEP.match(step.step_id))
    ]
    if not keyed:
        return None
    key = max(k for k, _ in keyed)
    began = datetime.strptime(key, KEY_FORMAT).replace(tzinfo=UTC)
    steps = [step for k, step in keyed if k == key]
    parked_at, resumed_at = _done_at(finding, store, steps)
    in_flight = parked_at is None and any(step.state in IN_FLIGHT for step in steps)
    return _Stored(began, parked_at, in_flight, resumed_at)


def _done_at(
    finding: Finding, store: Store, steps: list[StepRecord]
) -> tuple[datetime | None, datetime | None]:
    """When the occurrence's park was done by the watchdog's own call, and when its resume
    was done, read off their audit entries' operations."""
    ways = all_ways(BY_KIND[finding.resource.kind].park)
    parks = {way.park.step_op for way in ways}
    resumes = {way.resume.step_op for way in ways}
    parked_at = resumed_at = None
    for step in steps:
        if step.state != "done":
            continue
        entry = store.get_audit(audit_id(step.step_id, "done"))
        if entry is None:
            continue
        if entry.op in resumes:
            resumed_at = step.updated_at
        elif entry.op in parks and not entry.unchanged:
            parked_at = step.updated_at
    return parked_at, resumed_at


def _idle_for(finding: Finding) -> timedelta:
    return timedelta(hours=finding.park_when_idle_hours or 0)


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)
