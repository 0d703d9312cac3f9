"""The daemon's schedule from its settings: `every <duration>` or a five-field cron expression,
and a message naming the setting when either cannot be used."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from watchdog.daemon.schedule import ScheduleError, digest_trigger, trigger_from

FRIDAY_NOON = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def next_fire(schedule: str, timezone: str = "UTC", after: datetime = FRIDAY_NOON) -> datetime:
    fire: datetime | None = trigger_from(schedule, timezone).get_next_fire_time(None, after)
    assert fire is not None
    return fire


@pytest.mark.parametrize(
    ("schedule", "seconds"),
    [("every 15m", 900), ("every 1h", 3600), ("  every 2d ", 172800), ("every 1w", 604800)],
)
def test_every_duration_is_an_interval(schedule: str, seconds: int) -> None:
    trigger = trigger_from(schedule, "UTC")

    assert isinstance(trigger, IntervalTrigger)
    assert trigger.interval == timedelta(seconds=seconds)


def test_a_cron_expression_is_a_cron_trigger_in_the_timezone() -> None:
    trigger = trigger_from("30 6 * * *", "Europe/Berlin")

    assert isinstance(trigger, CronTrigger)
    assert trigger.timezone == ZoneInfo("Europe/Berlin")
    # 06:30 in Berlin is 05:30 UTC in winter.
    assert next_fire("30 6 * * *", "Europe/Berlin") == datetime(2026, 11, 28, 5, 30, tzinfo=UTC)


def test_a_cron_schedule_fires_at_its_minutes() -> None:
    after = FRIDAY_NOON + timedelta(minutes=1)

    assert next_fire("*/20 * * * *", after=after) == datetime(2026, 11, 27, 12, 20, tzinfo=UTC)


def test_named_weekdays_skip_the_weekend() -> None:
    assert next_fire("0 9 * * mon-fri") == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_numeric_weekdays_mean_what_they_mean_in_cron() -> None:
    assert next_fire("0 9 * * 1-5") == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_weekday_zero_is_sunday() -> None:
    assert next_fire("0 9 * * 0") == datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("timezone", ["Mars/Olympus", "", "../etc/passwd", "utc"])
def test_an_unknown_timezone_names_its_setting(timezone: str) -> None:
    with pytest.raises(ScheduleError, match="WATCHDOG_DAEMON_TIMEZONE"):
        trigger_from("every 15m", timezone)


@pytest.mark.parametrize("schedule", ["every soon", "every 15", "every 15s", "every -5m"])
def test_a_bad_duration_names_the_schedule_setting(schedule: str) -> None:
    with pytest.raises(ScheduleError, match="WATCHDOG_DAEMON_SCHEDULE") as raised:
        trigger_from(schedule, "UTC")

    assert repr(schedule) in str(raised.value)


def test_a_zero_interval_is_refused() -> None:
    with pytest.raises(ScheduleError, match=r"WATCHDOG_DAEMON_SCHEDULE .*must be positive"):
        trigger_from("every 0m", "UTC")


@pytest.mark.parametrize(
    "schedule", ["0 * * *", "0 * * * * *", "61 * * * *", "hourly", "", "Every 15m"]
)
def test_anything_else_that_is_not_five_field_cron_is_refused(schedule: str) -> None:
    with pytest.raises(ScheduleError, match="WATCHDOG_DAEMON_SCHEDULE") as raised:
        trigger_from(schedule, "UTC")

    assert "five-field cron" in str(raised.value) and "every 15m" in str(raised.value)


def test_the_schedule_error_is_a_value_error() -> None:
    # Settings validation and the CLI report ValueErrors as configuration mistakes.
    assert issubclass(ScheduleError, ValueError)


def test_the_digest_schedule_can_be_off_and_a_bad_one_names_its_setting() -> None:
    assert digest_trigger("off", "UTC") is None
    assert digest_trigger("0 9 * * mon", "Europe/Paris") is not None
    with pytest.raises(ScheduleError, match=r"^WATCHDOG_DIGEST_SCHEDULE 'weekly': not"):
        digest_trigger("weekly", "UTC")
