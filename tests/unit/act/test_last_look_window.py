from datetime import UTC, datetime, timedelta

from watchdog.act.executor import LOOK, look_window


def test_the_look_reaches_now_on_whole_minutes_at_one_minute() -> None:
    now = datetime(2026, 12, 2, 18, 14, 30, tzinfo=UTC)
    window = look_window(now)
    assert window.period_seconds == 60
    assert window.end == datetime(2026, 12, 2, 18, 15, tzinfo=UTC)  # the minute under way too
    assert window.end - window.start == LOOK == timedelta(hours=3)
    # 180 points a series: 500 series in one call stay one page (100,800 datapoints).
    assert 500 * (LOOK // timedelta(minutes=1)) <= 100_800
