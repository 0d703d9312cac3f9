"""`/healthz` tells the truth: 503 with the reason once cycles keep failing, or once two
scheduled cycles have come and gone with none completed; 200 otherwise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apscheduler.triggers.interval import IntervalTrigger

from watchdog.daemon.health import Health
from watchdog.daemon.schedule import trigger_from

START = datetime(2026, 12, 2, 13, 5, tzinfo=UTC)
LOCK = timedelta(minutes=15)


def hourly() -> Health:
    trigger = IntervalTrigger(hours=1, start_date=START + timedelta(hours=1), timezone=UTC)
    return Health(trigger, started_at=START, max_failures=3, allowance=LOCK)


def test_a_fresh_daemon_is_healthy_until_two_cycles_are_overdue() -> None:
    health = hourly()

    assert health.verdict(START + timedelta(minutes=1)) == (
        True,
        "ok: started, no cycle has completed yet",
    )
    assert health.verdict(START + timedelta(hours=2, minutes=14))[0]
    healthy, why = health.verdict(START + timedelta(hours=2, minutes=16))
    assert not healthy
    assert why == "unhealthy: no cycle has completed; two scheduled cycles have come and gone"


def test_three_failed_cycles_in_a_row_are_unhealthy_with_the_last_error() -> None:
    health = hourly()
    health.cycle_failed(RuntimeError("first"))
    health.cycle_failed(RuntimeError("second"))
    assert health.verdict(START)[0]

    health.cycle_failed(ValueError("The config profile (nosuch)\ncould not be found"))

    healthy, why = health.verdict(START)
    assert not healthy
    assert why == (
        "unhealthy: the last 3 cycles failed; last error: "
        "ValueError: The config profile (nosuch) could not be found"
    )


def test_a_cycle_that_completes_clears_the_failures() -> None:
    health = hourly()
    for _ in range(3):
        health.cycle_failed(RuntimeError("down"))

    health.cycle_ran(START + timedelta(hours=1))

    assert health.verdict(START + timedelta(hours=1)) == (
        True,
        "ok: last cycle completed 2026-12-02 14:05:00 UTC",
    )


def test_a_long_error_is_cut_to_one_short_line() -> None:
    health = Health(hourly().trigger, started_at=START, max_failures=1, allowance=LOCK)
    health.cycle_failed(RuntimeError("x" * 5000))

    _, why = health.verdict(START)
    assert len(why) < 400 and "\n" not in why


def test_a_skipped_cycle_shows_the_daemon_alive_but_does_not_clear_failures() -> None:
    failing, waiting = hourly(), hourly()
    for _ in range(3):
        failing.cycle_failed(RuntimeError("down"))

    failing.cycle_skipped(START + timedelta(hours=3))
    waiting.cycle_skipped(START + timedelta(hours=3))

    assert not failing.verdict(START + timedelta(hours=3))[0]
    # Another daemon did the 16:05 cycle: due again at 17:05 and 18:05, plus the lock's time.
    assert waiting.verdict(START + timedelta(hours=5, minutes=14))[0]
    assert not waiting.verdict(START + timedelta(hours=5, minutes=16))[0]


def test_on_a_weekday_cron_schedule_a_weekend_is_not_overdue() -> None:
    trigger = trigger_from("0 7 * * mon-fri", "UTC")
    friday = datetime(2026, 12, 4, 7, 1, tzinfo=UTC)
    health = Health(trigger, started_at=friday, max_failures=3, allowance=LOCK)
    health.cycle_ran(friday)

    # Due Monday 07:00 and Tuesday 07:00: healthy all weekend and through Monday.
    assert health.verdict(datetime(2026, 12, 7, 12, tzinfo=UTC))[0]
    assert health.verdict(datetime(2026, 12, 8, 7, 14, tzinfo=UTC))[0]
    assert not health.verdict(datetime(2026, 12, 8, 7, 16, tzinfo=UTC))[0]
