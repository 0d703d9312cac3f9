"""Whether a policy's action window is open at a given time (pure: the time is passed in)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from watchdog.policies.schema import ALL_DAYS, ActionWindow


def window_open(window: ActionWindow | None, now: datetime) -> bool:
    if window is None:
        return True
    local = now.astimezone(ZoneInfo(window.timezone))
    clock = local.time().replace(tzinfo=None)
    if window.start <= window.end:
        inside, day = window.start <= clock <= window.end, local
    elif clock >= window.start:
        inside, day = True, local  # the evening part of a window that wraps midnight
    else:
        # The morning part belongs to the window that opened on the previous day.
        inside, day = clock <= window.end, local - timedelta(days=1)
    return inside and ALL_DAYS[day.weekday()] in window.days


def next_opening(window: ActionWindow, now: datetime) -> datetime | None:
    """When the window next opens after `now`, in UTC: its start time on the next listed day
    (a week ahead at most; None for a window with no days). Daylight-saving gaps are taken as
    the zone takes them."""
    zone = ZoneInfo(window.timezone)
    local = now.astimezone(zone)
    for ahead in range(8):
        day = (local + timedelta(days=ahead)).date()
        opening = datetime.combine(day, window.start, tzinfo=zone)
        if opening > local and ALL_DAYS[day.weekday()] in window.days:
            return opening.astimezone(UTC)
    return None
