"""Five-field cron expressions (minute hour day-of-month month day-of-week), read in a time zone:
when a parking schedule last fired and next fires. Pure: the time is passed in.

The fields take what crontab(5) takes: `*`, numbers, ranges `a-b`, lists `a,b`, steps `*/n` and
`a-b/n`, and names for months (`jan`) and days (`mon`; 0 and 7 are both Sunday). As in cron,
when both day fields are restricted a day matches either. A local time that does not exist
(the hour skipped when daylight saving starts) does not fire, and one that happens twice fires
once, at its first occurrence - what EventBridge Scheduler does with time zones
(https://repost.aws/knowledge-center/eventbridge-scheduler-adjust-dst).
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
# (name, lowest, highest, names for lowest, lowest+1...)
_FIELDS: tuple[tuple[str, int, int, tuple[str, ...]], ...] = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    ("month", 1, 12, _MONTHS),
    ("day of week", 0, 7, _DAYS),
)
# How far back or ahead a firing is looked for: a yearly expression fires within this.
_SEARCH_DAYS = 400


def _value(text: str, field: str, low: int, high: int, names: tuple[str, ...]) -> int:
    word = text.lower()
    if word in names:
        return low + names.index(word)
    if not word.isdigit() or not low <= int(word) <= high:
        raise ValueError(f"{field}: {text!r} is not a value from {low} to {high}")
    return int(word)


def _field_values(text: str, field: str, low: int, high: int, names: tuple[str, ...]) -> set[int]:
    values: set[int] = set()
    for part in text.split(","):
        span, _, step_text = part.partition("/")
        step = 1
        if step_text:
            if not step_text.isdigit() or int(step_text) == 0:
                raise ValueError(f"{field}: {part!r} needs a step of at least 1")
            step = int(step_text)
        if span == "*":
            first, last = low, high
        elif "-" in span:
            start, _, end = span.partition("-")
            first = _value(start, field, low, high, names)
            last = _value(end, field, low, high, names)
            if first > last:
                raise ValueError(f"{field}: {part!r} runs backwards")
        else:
            first = _value(span, field, low, high, names)
            last = high if step_text else first
        values.update(range(first, last + 1, step))
    return values


@dataclass(frozen=True)
class Cron:
    """A parsed expression; `text` is what the policy said."""

    text: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # Python's: Monday 0 ... Sunday 6
    any_day: bool  # day of month is `*`
    any_weekday: bool  # day of week is `*`

    @classmethod
    def parse(cls, text: str) -> Cron:
        parts = text.split()
        if len(parts) != 5:
            raise ValueError(
                f"{text!r}: a cron expression has five fields "
                "(minute hour day-of-month month day-of-week), e.g. '0 20 * * mon-fri'"
            )
        found = [_field_values(part, *spec) for part, spec in zip(parts, _FIELDS, strict=True)]
        minutes, hours, days, months, cron_days = found
        return cls(
            text=text,
            minutes=frozenset(minutes),
            hours=frozenset(hours),
            days=frozenset(days),
            months=frozenset(months),
            # cron: 0 and 7 are Sunday, 1 Monday; Python: 0 Monday, 6 Sunday.
            weekdays=frozenset((day - 1) % 7 for day in cron_days),
            any_day=parts[2] == "*",
            any_weekday=parts[4] == "*",
        )

    def fires_on(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        by_date, by_weekday = day.day in self.days, day.weekday() in self.weekdays
        if self.any_day or self.any_weekday:
            return by_date and by_weekday
        return by_date or by_weekday  # both restricted: either matches, as in cron

    def _times(self) -> list[time]:
        return sorted(time(h, m) for h in self.hours for m in self.minutes)

    def _firings_on(self, day: date, zone: ZoneInfo) -> tuple[datetime, ...]:
        """Its firings on local `day`, in UTC, earliest first; skipped local times left out.
        Remembered: a schedule every other minute fires 720 times a day, and pricing a week of
        it asks for each day's firings thousands of times."""
        return _firings(self, day, zone)

    def last_at_or_before(self, moment: datetime, zone: ZoneInfo) -> datetime | None:
        """The latest firing at or before `moment` (UTC), None if none in the last year."""
        today = moment.astimezone(zone).date()
        for back in range(_SEARCH_DAYS):
            firings = self._firings_on(today - timedelta(days=back), zone)
            at = bisect.bisect_right(firings, moment)
            if at:
                return firings[at - 1]
        return None

    def next_after(self, moment: datetime, zone: ZoneInfo) -> datetime | None:
        """The earliest firing after `moment` (UTC), None if none in the next year."""
        today = moment.astimezone(zone).date()
        for ahead in range(_SEARCH_DAYS):
            firings = self._firings_on(today + timedelta(days=ahead), zone)
            at = bisect.bisect_right(firings, moment)
            if at < len(firings):
                return firings[at]
        return None


@functools.lru_cache(maxsize=1024)
def _firings(cron: Cron, day: date, zone: ZoneInfo) -> tuple[datetime, ...]:
    if not cron.fires_on(day):
        return ()
    found = []
    for clock in cron._times():
        local = datetime.combine(day, clock, tzinfo=zone)
        moment = local.astimezone(UTC)
        if moment.astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None):
            found.append(moment)  # exists (a skipped hour round-trips to another time)
    return tuple(found)


def parse_cron(text: str) -> str:
    """`text` if it is a valid expression (for pydantic: the error says what is wrong)."""
    Cron.parse(text)
    return text
