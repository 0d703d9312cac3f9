"""The idle reading of a resource measured by utilization rather than requests (an instance).

A kind declares utilization series (`MetricQuery.role == "utilization"`, each with the value
at or under which it is idle, and whether it is only `weak` evidence). Over the policy's window:
the strong series with data are read if there are any, else the weak ones; idle when every
datapoint of every series read is at most its `idle_below`. No datapoints at all is unknown
(a stopped instance publishes nothing; nothing cannot be told from idle), never idle.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from watchdog.findings import Evidence
from watchdog.signals.models import MetricSeries


def utilization_evidence(
    base: Evidence, series: Sequence[MetricSeries], window: timedelta, now: datetime
) -> Evidence:
    """`base` (window, threshold) with state idle, active or unknown from utilization series."""
    start = now - window
    values = {id(s): [p.value for p in s.points if p.at >= start] for s in series}
    strong = [s for s in series if not s.query.weak and values[id(s)]]
    weak = not strong
    read = strong or [s for s in series if s.query.weak and values[id(s)]]
    points = sum(len(values[id(s)]) for s in read)
    if not read:
        return base.model_copy(
            update={
                "state": "unknown",
                "unknown_cause": "no-metrics",
                "load_datapoints": 0,
                "detail": "no utilization datapoints in the window (stopped, or not "
                "monitored), so idle cannot be told from no data",
            }
        )
    busy = [s for s in read if max(values[id(s)]) > (s.query.idle_below or 0.0)]
    state = "active" if busy else "idle"
    peaks = ", ".join(
        f"{s.query.label} peaked at {_number(max(values[id(s)]))} "
        f"(idle at or under {_number(s.query.idle_below or 0.0)})"
        for s in read
    )
    detail = f"{peaks} over the last {window.total_seconds() / 86400:g} days"
    if weak:
        detail += (
            "; no GPU utilization is published for it (CloudWatch agent), so this rests on "
            "CPU and network alone, which a GPU job can leave low"
        )
    return base.model_copy(
        update={
            "state": state,
            "load_datapoints": points,
            "weak": weak,
            "detail": detail,
        }
    )


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 or value == int(value) else f"{value:,.1f}"
