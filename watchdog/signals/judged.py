"""Which series a resource is judged by, and what they prove about its use. Pure, shared by
evaluate (which reads the series) and the signals stage (which decides what to fetch), so the
two can never disagree about either.

A resource is judged by its own series plus the traffic of its children whose kind counts it
for their parents (an endpoint serves through its inference components). What those series
prove for later runs (`active_since`): a traffic datapoint above zero starting at `a` makes
every idle reading over a window reaching back to `a` show traffic (CloudWatch counts are never
negative, and a published datapoint stays); with a load datapoint at `b`, one reaching back to
min(a, b) also finds the load metrics that tell no traffic from no data.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import datetime

from watchdog.kinds import BY_KIND
from watchdog.records import ResourceRecord
from watchdog.signals.models import MetricQuery, MetricSeries, MetricSignals


def counted_children(
    record: ResourceRecord, by_arn: Mapping[str, ResourceRecord]
) -> list[ResourceRecord]:
    """Its children (in `by_arn`, by lower-cased ARN) whose traffic is traffic on it."""
    return [
        child
        for arn in record.child_arns
        if (child := by_arn.get(arn.lower())) is not None
        and BY_KIND[child.kind].traffic_counts_for_parents
    ]


def judged_series(
    record: ResourceRecord, by_arn: Mapping[str, ResourceRecord], metrics: MetricSignals
) -> tuple[MetricSeries, ...]:
    """The fetched series evaluate reads for it: its own, its counted children's traffic."""
    own = metrics.for_resource(record.arn)
    children = tuple(
        s
        for child in counted_children(record, by_arn)
        for s in metrics.for_resource(child.arn)
        if s.query.role == "traffic"
    )
    return own + children


def judged_queries(
    record: ResourceRecord, by_arn: Mapping[str, ResourceRecord]
) -> tuple[MetricQuery, ...]:
    """The queries whose series evaluate reads for it: its own, its counted children's traffic."""
    own = BY_KIND[record.kind].metric_queries(record)
    children = tuple(
        query
        for child in counted_children(record, by_arn)
        for query in BY_KIND[child.kind].metric_queries(child)
        if query.role == "traffic"
    )
    return own + children


def queries_digest(queries: Sequence[MetricQuery]) -> str:
    """A name for a set of queries: a moment of use read from one set proves nothing about
    another (a variant renamed, a component added reads other series)."""
    texts = sorted(json.dumps(q.model_dump(mode="json"), sort_keys=True) for q in queries)
    return hashlib.sha256("\n".join(texts).encode()).hexdigest()[:32]


def active_since(series: Sequence[MetricSeries]) -> datetime | None:
    """The latest moment from which any idle reading of these series shows use: the start of
    the newest traffic datapoint above zero, or the newest load datapoint if that is older
    (only where there are load series). None: they prove nothing (no traffic, no load)."""
    traffic = [p.at for s in series if s.query.role == "traffic" for p in s.points if p.value > 0]
    if not traffic:
        return None
    load_series = [s for s in series if s.query.role == "load"]
    if not load_series:
        return max(traffic)
    load = [p.at for s in load_series for p in s.points]
    return min(max(traffic), max(load)) if load else None
