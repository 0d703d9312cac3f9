"""The idle reading of a resource whose service measures its user's inactivity itself.

A kind declares an inactivity series (`MetricQuery.role == "inactivity"`): its value is how
long, in seconds, the user has been inactive, as the service sees it (SageMaker Canvas's
`TimeSinceLastActive`). It says more than a request count could: not "nothing happened in the
window" but "nothing happened for this long".

The reading is the newest datapoint in the policy's window, read with a statistic that keeps
any activity in its period (Minimum: one active moment in the hour pulls the hour's value
down). That value is a lower bound on the inactivity now, because the sample was taken at or
before now. Idle when it reaches the window; active when it does not. Unknown, never idle, when
there is no datapoint in the window (no data cannot be told from idle) or when the newest one
is more than two periods old (the service stopped publishing: activity since then would not be
seen).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from watchdog.findings import Evidence
from watchdog.signals.models import Datapoint, MetricSeries
from watchdog.words import span

# How many metric periods the newest datapoint may lag behind now before the reading is stale.
STALE_AFTER_PERIODS = 2


def inactivity_evidence(
    base: Evidence,
    series: Sequence[MetricSeries],
    window: timedelta,
    period_seconds: int,
    now: datetime,
) -> Evidence:
    """`base` (window, threshold) with state idle, active or unknown from inactivity series."""
    start = now - window
    newest = _newest(series, start)
    if newest is None:
        return _unknown(
            base,
            "no inactivity datapoints in the window (not published for it, or not running), "
            "so idle cannot be told from no data",
        )
    point, label = newest
    lag = now - point.at
    if lag > timedelta(seconds=STALE_AFTER_PERIODS * period_seconds):
        return _unknown(
            base,
            f"its {label} was last published {span(lag, 1)} ago, so activity since then "
            "would not be seen",
        )
    inactive = timedelta(seconds=point.value)
    state = "idle" if inactive >= window else "active"
    detail = (
        f"{label}: inactive for at least {span(inactive, 1)} at {point.at:%Y-%m-%d %H:%M} UTC "
        f"(idle once inactive for {span(window, 1)})"
    )
    return base.model_copy(
        update={
            "state": state,
            "load_datapoints": sum(1 for s in series for p in s.points if p.at >= start),
            "detail": detail,
            "facts": {**base.facts, "inactive_hours": f"{inactive.total_seconds() / 3600:.2f}"},
        }
    )


def _newest(series: Sequence[MetricSeries], start: datetime) -> tuple[Datapoint, str] | None:
    """The newest datapoint at or after `start` over every series, with its series' label; of
    points at the same time, the lowest value (the least inactive reading wins)."""
    candidates = [(p, s.query.label) for s in series for p in s.points if p.at >= start]
    if not candidates:
        return None
    return max(candidates, key=lambda c: (c[0].at, -c[0].value))


def _unknown(base: Evidence, detail: str) -> Evidence:
    return base.model_copy(
        update={
            "state": "unknown",
            "unknown_cause": "no-metrics",
            "load_datapoints": 0,
            "detail": detail,
        }
    )
