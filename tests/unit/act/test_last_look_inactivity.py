"""The last look at a service's own inactivity measure (Canvas's TimeSinceLastActive): held back
when its user was active since the look began, or when it said nothing in the look."""

from datetime import UTC, datetime, timedelta

from watchdog.act.executor.last_look import _in_use, look_window
from watchdog.signals.models import Datapoint, MetricQuery, MetricSeries

NOW = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)
QUERY = MetricQuery(
    resource_arn="arn:aws:sagemaker:us-east-1:123456789012:app/d-x/alice/canvas/default",
    role="inactivity",
    namespace="/aws/sagemaker/Canvas/AppActivity",
    metric="TimeSinceLastActive",
    stat="Minimum",
    dimensions=(("DomainId", "d-x"), ("UserProfileName", "alice")),
    label="Canvas's TimeSinceLastActive",
)


def reading(minutes_ago: float, inactive_for: timedelta) -> MetricSeries:
    at = NOW - timedelta(minutes=minutes_ago)
    return MetricSeries(query=QUERY, points=(Datapoint(at=at, value=inactive_for.total_seconds()),))


def test_inactive_since_before_the_look_lets_the_teardown_go() -> None:
    assert _in_use([reading(5, timedelta(hours=6))], look_window(NOW)) is None


def test_active_since_the_look_began_holds_it_back() -> None:
    why = _in_use([reading(5, timedelta(minutes=10))], look_window(NOW))
    assert why is not None and why.startswith("in use: Canvas's TimeSinceLastActive shows")
    assert "17:45 UTC" in why


def test_no_reading_in_the_look_holds_it_back() -> None:
    why = _in_use([MetricSeries(query=QUERY)], look_window(NOW))
    assert why is not None and "could not be confirmed" in why
