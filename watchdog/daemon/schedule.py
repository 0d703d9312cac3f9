"""The daemon's schedule from settings: `every 15m` (an interval) or a cron expression."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from watchdog.policies.schema import parse_duration


class ScheduleError(ValueError):
    """WATCHDOG_DAEMON_SCHEDULE or WATCHDOG_DAEMON_TIMEZONE cannot be used; says why."""


def trigger_from(
    schedule: str, timezone: str, setting: str = "WATCHDOG_DAEMON_SCHEDULE"
) -> BaseTrigger:
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ScheduleError(f"WATCHDOG_DAEMON_TIMEZONE: unknown timezone {timezone!r}") from error
    text = schedule.strip()
    if text.startswith("every "):
        try:
            every = parse_duration(text.removeprefix("every ").strip())
        except ValueError as error:
            raise ScheduleError(f"{setting} {schedule!r}: {error}") from error
        if every.total_seconds() <= 0:
            raise ScheduleError(f"{setting} {schedule!r}: must be positive")
        return IntervalTrigger(seconds=every.total_seconds(), timezone=zone)
    try:
        return _cron(text, zone)
    except ValueError as error:
        raise ScheduleError(
            f"{setting} {schedule!r}: not `every <duration>` (e.g. every 15m) "
            f"nor a five-field cron expression ({error})"
        ) from error


def digest_trigger(schedule: str, timezone: str) -> BaseTrigger | None:
    """The weekly digest's trigger; None when WATCHDOG_DIGEST_SCHEDULE is `off`."""
    if schedule.strip().lower() == "off":
        return None
    return trigger_from(schedule, timezone, "WATCHDOG_DIGEST_SCHEDULE")


_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _cron(expression: str, zone: ZoneInfo) -> CronTrigger:
    """A crontab line as cron means it. APScheduler 3 numbers weekdays from Monday = 0, so
    `1-5` would run Tuesday to Saturday; numbers become day names first (0 and 7: Sunday)."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"wrong number of fields; got {len(fields)}, expected 5")
    minute, hour, day, month, weekday = fields
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=_weekday_names(weekday),
        timezone=zone,
    )


def _weekday_names(field: str) -> str:
    """Cron's day-of-week field with day names; a range through Sunday is split in two,
    since APScheduler's week ends on Sunday (`0-5` is `sun,mon-fri`)."""
    return ",".join(_weekday_part(part) for part in field.split(","))


def _weekday_part(part: str) -> str:
    days, slash, step = part.partition("/")
    bounds = days.split("-")
    if not all(b.isdigit() for b in bounds) or len(bounds) > 2:
        return part  # names, `*`, or something CronTrigger will refuse itself
    numbers = [int(b) for b in bounds]
    if any(n > 7 for n in numbers):
        raise ValueError(f"day of week {max(numbers)} is not 0-7")
    if len(numbers) == 1:
        return _WEEKDAYS[numbers[0] % 7] + slash + step
    first, last = numbers
    if first > last:
        raise ValueError(f"day-of-week range {days} runs backwards")
    if first in (0, 7) or last == 7:
        if slash:
            raise ValueError(f"write {part} with day names: a step through Sunday is ambiguous")
        inner = [n for n in range(max(first, 1), min(last, 6) + 1)]
        names = [_WEEKDAYS[n] for n in inner]
        middle = f"{names[0]}-{names[-1]}" if len(names) > 1 else "".join(names)
        return ",".join(p for p in ("sun", middle) if p)
    return f"{_WEEKDAYS[first]}-{_WEEKDAYS[last]}{slash}{step}"
