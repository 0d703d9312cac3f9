"""The idle reading of one resource over a policy's window, from already-fetched series.

The safe rule (aws-facts.md): absent Invocations datapoints count as zero traffic only when the
resource is older than the window and its load metrics exist (for kinds that have them); a
failed query, missing load metrics or a too-young resource make the reading unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from watchdog.evaluate.inactivity import inactivity_evidence
from watchdog.evaluate.utilization import utilization_evidence
from watchdog.findings import Evidence, UnknownCause
from watchdog.kinds import BY_KIND
from watchdog.policies.schema import IdleCondition
from watchdog.records import ResourceRecord
from watchdog.signals.models import MetricSeries, MetricSignals, QuietReading
from watchdog.words import amount, span

NO_IDLE_COST = frozenset({"serverless", "scaled-to-zero"})


def idle_evidence(
    record: ResourceRecord,
    series: Sequence[MetricSeries],
    condition: IdleCondition,
    metrics: MetricSignals,
    now: datetime,
) -> Evidence:
    """Evidence with state idle, active or unknown (and why) for one resource."""
    hours = condition.window.total_seconds() / 3600
    base = Evidence(window_hours=hours, threshold=condition.threshold)
    traffic = [s for s in series if s.query.role == "traffic"]
    load = [s for s in series if s.query.role == "load"]
    utilization = [s for s in series if s.query.role == "utilization"]
    inactivity = [s for s in series if s.query.role == "inactivity"]
    measured = traffic or utilization or inactivity
    remembered = metrics.active_at.get(record.arn.lower())
    if remembered is not None:  # not queried: an earlier run proved it in use
        return _remembered(record, base, remembered, condition, metrics, now)
    held = metrics.quiet.get(record.arn.lower())
    if held is not None:  # not queried: its last reading holds
        return held_evidence(record, base, held, condition, metrics, now)
    unknown = _unknown_because(record, measured, load, condition.window, metrics, now)
    if unknown:
        return _as_unknown(base, unknown)
    if not traffic and inactivity:  # the service's own inactivity measure (Canvas)
        assert metrics.window is not None  # _unknown_because returned unknown otherwise
        period = metrics.window.period_seconds
        return inactivity_evidence(base, inactivity, condition.window, period, now)
    if not traffic:  # measured by utilization, not requests (instances)
        return utilization_evidence(base, utilization, condition.window, now)
    return _traffic_evidence(record, base, traffic, load, condition, metrics, now)


def _traffic_evidence(
    record: ResourceRecord,
    base: Evidence,
    traffic: Sequence[MetricSeries],
    load: Sequence[MetricSeries],
    condition: IdleCondition,
    metrics: MetricSignals,
    now: datetime,
) -> Evidence:
    """Idle or active by the requests counted over the window (and unknown when the load
    metrics that would tell no traffic from no data are missing)."""
    start = now - condition.window
    invocations = sum(p.value for s in traffic for p in s.points if p.at >= start)
    load_points = sum(1 for s in load for p in s.points if p.at >= start)
    if load and load_points == 0:
        return base.model_copy(
            update={
                "state": "unknown",
                "unknown_cause": "no-metrics",
                "invocations": invocations,
                "load_datapoints": 0,
                "detail": "no instance metrics in the window, so no traffic cannot be told "
                "from no data",
            }
        )
    state = "idle" if invocations <= condition.threshold else "active"
    counted = " or ".join(dict.fromkeys(s.query.label for s in traffic))
    detail = f"{amount(invocations)} {counted} in the last {span(condition.window)}"
    if load:
        detail += f" (instance metrics present: {load_points} datapoints)"
    published = metrics.published.get(record.arn.lower())
    if state == "idle" and published is False:
        detail += (
            " (CloudWatch lists no series for it at all in two weeks: it was never called, "
            "or its calls are recorded under another id)"
        )
    return base.model_copy(
        update={
            "state": state,
            "invocations": invocations,
            "load_datapoints": load_points if load else None,
            "traffic_published": published,
            "detail": detail,
        }
    )


def _unknown_because(
    record: ResourceRecord,
    traffic: Sequence[MetricSeries],
    load: Sequence[MetricSeries],
    window: timedelta,
    metrics: MetricSignals,
    now: datetime,
) -> tuple[UnknownCause, str] | None:
    if not traffic:
        return "no-metrics", "no traffic metrics were fetched for it"
    failed = next((s for s in (*traffic, *load) if s.error), None)
    if failed is not None:
        return "query-failed", f"the {failed.query.metric} query failed: {failed.error}"
    return _unknown_by_age(record, window, metrics, now)


def _unknown_by_age(
    record: ResourceRecord, window: timedelta, metrics: MetricSignals, now: datetime
) -> tuple[UnknownCause, str] | None:
    """What makes a reading unknown whatever the series say: a fetched window too short, an
    unknown creation time, a resource younger than the window."""
    if metrics.window is None or metrics.window.end - metrics.window.start < window:
        return "no-metrics", f"metrics were fetched for less than the {span(window)} window"
    if record.created_at is None:
        return "no-metrics", "its creation time is unknown"
    age = now - record.created_at
    if age < window:
        return "too-new", f"it is {span(age)} old, younger than the {span(window)} window"
    return None


def _remembered(
    record: ResourceRecord,
    base: Evidence,
    since: datetime,
    condition: IdleCondition,
    metrics: MetricSignals,
    now: datetime,
) -> Evidence:
    """What its series would have read, had they been fetched: traffic above zero (and load)
    from `since` on, so active for a window reaching back to it - after the checks that make
    any reading unknown, in the order the fetched path makes them. The signals stage skips a
    query only when that holds for every policy; should it not (a policy it was not told of),
    the reading is unknown, never idle."""
    unknown = _unknown_by_age(record, condition.window, metrics, now)
    if unknown is None and (since < now - condition.window or condition.threshold > 0):
        unknown = ("no-metrics", "its metrics were not fetched this run")
    if unknown is not None:
        return _as_unknown(base, unknown)
    detail = f"traffic since {since:%Y-%m-%d %H:%M} UTC, seen by an earlier run"
    return base.model_copy(update={"state": "active", "detail": detail})


def held_evidence(
    record: ResourceRecord,
    base: Evidence,
    held: QuietReading,
    condition: IdleCondition,
    metrics: MetricSignals,
    now: datetime,
) -> Evidence:
    """What its series would read, from the reading that holds (signals/quiet.py): nothing
    was published to its traffic since `read_at`, so the window's traffic is what that reading
    saw in it, and its load is present if that reading's newest load datapoint is in the
    window. The signals stage holds it only when that settles every policy's reading; should
    it not (a threshold, a window it was not told of), the reading is unknown, never idle."""
    start = now - condition.window
    unknown = _unknown_by_age(record, condition.window, metrics, now)
    load_gone = held.load_at is not None and held.load_at < start  # None: no load series
    if unknown is None and (condition.threshold > 0 or load_gone):
        unknown = ("no-metrics", "its metrics were not fetched this run")
    if unknown is not None:
        return _as_unknown(base, unknown)
    seen = f"as fetched at {held.read_at:%Y-%m-%d %H:%M} UTC, with nothing published since"
    if held.traffic_at is not None and held.traffic_at >= start:
        detail = f"traffic at {held.traffic_at:%Y-%m-%d %H:%M} UTC ({seen})"
        return base.model_copy(update={"state": "active", "detail": detail})
    labels = [q.label for q in BY_KIND[record.kind].metric_queries(record) if q.role == "traffic"]
    detail = f"0 {' or '.join(dict.fromkeys(labels))} in the last {span(condition.window)} ({seen})"
    if held.load_at is not None:
        detail += f" (instance metrics present, the newest at {held.load_at:%H:%M} UTC)"
    published = metrics.published.get(record.arn.lower())
    if published is False:
        detail += " (CloudWatch lists no series for it at all in two weeks)"
    return base.model_copy(
        update={
            "state": "idle",
            "invocations": 0.0,
            "load_seen_at": held.load_at,
            "traffic_published": published,
            "detail": detail,
        }
    )


def _as_unknown(base: Evidence, unknown: tuple[UnknownCause, str]) -> Evidence:
    cause, detail = unknown
    return base.model_copy(update={"state": "unknown", "unknown_cause": cause, "detail": detail})


def too_young(evidence: Evidence) -> bool:
    """Unknown only because the resource is new: not worth telling anyone about yet."""
    return evidence.unknown_cause == "too-new"
