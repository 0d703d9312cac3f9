"""CloudWatch `GetMetricData` that scales to the benchmark's thousand endpoints.

moto answers each query by scanning every stored datapoint once per period (queries x periods
x datapoints): a week of hourly data for 1,000 endpoints takes minutes per call, so the
watchdog's one-call-per-500-series design could not be measured. This replacement groups the
window's datapoints by (namespace, metric, dimension set) once per call and buckets each series
by period, answering exactly as moto does (same periods, statistics and result fields).

AWS matches a query's dimensions as an exact set, which is what the grouping key is. Queries
with metric-math or Metric Insights expressions are left to moto's own implementation.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from moto.cloudwatch.models import CloudWatchBackend, MetricDatumBase, Statistics

_ORIGINAL = CloudWatchBackend.get_metric_data
SeriesKey = tuple[str, str, frozenset[tuple[str | None, str | None]]]


def install() -> None:
    CloudWatchBackend.get_metric_data = _indexed_get_metric_data  # type: ignore[method-assign]


def _indexed_get_metric_data(
    self: CloudWatchBackend,
    queries: list[dict[str, Any]],
    start_time: datetime,
    end_time: datetime,
    scan_by: str = "TimestampAscending",
) -> list[dict[str, Any]]:
    if any("Expression" in q for q in queries) or start_time >= end_time:
        return _ORIGINAL(self, queries, start_time, end_time, scan_by)  # moto's validation too
    start_time = start_time.replace(microsecond=0)
    end_time = end_time.replace(microsecond=0)
    series = _group(self, start_time, end_time)
    results = []
    for query in queries:
        answer = _answer(query, series, start_time, end_time, scan_by)
        if query.get("ReturnData", True):
            results.append(answer)
    return results


def _group(
    backend: CloudWatchBackend, start: datetime, end: datetime
) -> dict[SeriesKey, list[MetricDatumBase]]:
    grouped: dict[SeriesKey, list[MetricDatumBase]] = defaultdict(list)
    for datum in backend.get_all_metrics():
        if start <= datum.timestamp < end:
            dims = frozenset((d.name, d.value) for d in datum.dimensions)
            grouped[(datum.namespace, datum.name, dims)].append(datum)
    return grouped


def _answer(
    query: dict[str, Any],
    series: dict[SeriesKey, list[MetricDatumBase]],
    start: datetime,
    end: datetime,
    scan_by: str,
) -> dict[str, Any]:
    stat_spec = query["MetricStat"]
    metric = stat_spec["Metric"]
    dims = frozenset((d["Name"], d["Value"]) for d in metric.get("Dimensions", []))
    data = series.get((metric["Namespace"], metric["MetricName"], dims), [])
    unit = stat_spec.get("Unit")
    if unit:
        data = [d for d in data if d.unit == unit]
    period = timedelta(seconds=int(stat_spec["Period"]))
    buckets: dict[int, list[MetricDatumBase]] = defaultdict(list)
    for datum in data:
        buckets[int((datum.timestamp - start) / period)].append(datum)
    timestamps, values = [], []
    for index in sorted(buckets):
        stats = Statistics([stat_spec["Stat"]], start + index * period)
        stats.metric_data = buckets[index]
        timestamps.append(stats.timestamp)
        values.append(stats.get_statistics_for_type(stat_spec["Stat"]))
    if scan_by == "TimestampDescending":
        timestamps.reverse()
        values.reverse()
    del end
    return {
        "id": query["Id"],
        "label": query.get("Label") or f"{metric['MetricName']} {stat_spec['Stat']}",
        "values": values,
        "timestamps": timestamps,
        "status_code": "Complete",
    }
