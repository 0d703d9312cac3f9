"""Where a parking schedule stands at a given time (pure: the time is passed in).

Each firing of `at` begins an occurrence: the resource is parked once, then resumed once, when
`resume` next fires (or when a person asks, for `resume: on-demand`). Steps are keyed by their
occurrence, so a run that crashed is finished by the next one, and a resume a person asked for
early is not undone by the evening's park (that occurrence's park is already done).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from watchdog.policies.cron import Cron
from watchdog.policies.schema import ParkSchedule


@dataclass(frozen=True)
class Occurrence:
    """The latest parking of a schedule at some time."""

    parks_at: datetime  # the firing of `at` that began it (UTC)
    resume_due: bool  # `resume` has fired since: it should be running again
    resumes_at: datetime | None  # when `resume` fires after `parks_at`; None: on-demand

    @property
    def key(self) -> str:
        """Suffix of its step ids: the minute it began, in UTC."""
        return self.parks_at.strftime("%Y%m%dT%H%MZ")


def occurrence(schedule: ParkSchedule, now: datetime) -> Occurrence | None:
    """The occurrence under way or last ended at `now`; None before the first `at` (within a
    year)."""
    zone = ZoneInfo(schedule.timezone)
    began = Cron.parse(schedule.at).last_at_or_before(now, zone)
    if began is None:
        return None
    if schedule.resume == "on-demand":
        return Occurrence(began, resume_due=False, resumes_at=None)
    resume = Cron.parse(schedule.resume)
    resumed = resume.last_at_or_before(now, zone)
    return Occurrence(
        began,
        resume_due=resumed is not None and resumed > began,
        resumes_at=resume.next_after(began, zone),
    )


def next_park(schedule: ParkSchedule, now: datetime) -> datetime | None:
    """When `at` next fires after `now` (UTC)."""
    return Cron.parse(schedule.at).next_after(now, ZoneInfo(schedule.timezone))


WEEK = timedelta(days=7)


def parked_hours_per_week(schedule: ParkSchedule, start: datetime) -> float | None:
    """How many hours a week the schedule keeps a resource parked, over the week from
    `start`; None when it resumes on demand (that depends on people)."""
    if schedule.resume == "on-demand":
        return None
    zone = ZoneInfo(schedule.timezone)
    park, resume = Cron.parse(schedule.at), Cron.parse(schedule.resume)
    end, moment, parked = start + WEEK, start, timedelta()
    current = occurrence(schedule, start)
    if current is not None and not current.resume_due:
        moment = resume.next_after(start, zone) or end  # parked when the week begins
        parked += min(moment, end) - start
    while moment < end:
        began = park.next_after(moment, zone)
        if began is None or began >= end:
            break
        ended = resume.next_after(began, zone) or end
        parked += min(ended, end) - began
        moment = ended
    return round(parked.total_seconds() / 3600, 2)
