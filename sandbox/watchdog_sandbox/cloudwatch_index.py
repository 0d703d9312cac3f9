"""CloudWatch `GetMetricData` that scales to the benchmark's thousand endpoints.

moto answers each query by scanning every stored datapoint once per period (queries x periods
x datapoints): a week of hourly data for 1,000 endpoints takes minutes per call, so the
watchdog's one-call-per-500-series design could not be measured. This replacement groups the
datapoints by (namespace, metric, dimension set), cuts each queried series to the window and
buckets it by period, answering exactly as moto does (same periods, statistics and result
fields).

AWS matches a query's dimensions as an exact set, which is what the grouping key is. Queries
with metric-math or Metric Insights expressions are left to moto's own implementation.

The grouping is kept between calls and extended with what was put since (moto's `metric_data`
only grows), so a plan's four concurrent 500-query calls do not each regroup 400,000
datapoints: that was most of the sandbox's CPU in bench/plan.py (py-spy); and only the series
a call names are cut to its window. Metrics other services publish through moto's providers
are computed and grouped per call. moto's BaseBackend.reset re-initialises a backend in place,
with a new `metric_data` list: an index is of one list, and a new list starts a new index.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from moto.cloudwatch.models import CloudWatchBackend, MetricDatum, MetricDatumBase, Statistics

_ORIGINAL = CloudWatchBackend.get_metric_data
SeriesKey = tuple[str, str, frozenset[tuple[str | None, str | None]]]


class Series(NamedTuple):
    """A series cut to a window: its datapoints, their timestamps in microseconds and, when the
    datapoints are in time order and all plain ones, their values (else None)."""

    data: list[MetricDatumBase]
    micros: list[int]
    values: list[float] | None


_EPOCH = datetime(1970, 1, 1)  # moto hands the backend naive UTC times
_EPOCH_UTC = _EPOCH.replace(tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


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
    series = _window(self, start_time, end_time)
    # A period's start, by period and index: a call's series share them.
    starts: dict[int, dict[int, datetime]] = defaultdict(dict)
    results = []
    for query in queries:
        answer = _answer(query, series, start_time, starts, scan_by)
        if query.get("ReturnData", True):
            results.append(answer)
    return results


class _Index:
    """A backend's put datapoints by series, each series in time order, grown as moto's
    append-only `metric_data` grows.

    A series grown is replaced, never changed in place, so a reader needs no lock: under one
    lock per series read, four concurrent 500-query calls queued behind each other's
    interpreter switches (py-spy: most of the sandbox's GetMetricData time at 50 ms)."""

    def __init__(self, data: list[MetricDatumBase]) -> None:
        self.data = data  # the backend's list: a reset in place gives it a new one
        self.seen = 0
        # Per series: its datapoints, their timestamps (to cut a window) and the same in
        # microseconds since the epoch (to bucket them by period in integers).
        self.sorted: dict[SeriesKey, tuple[list[MetricDatumBase], list[datetime], list[int]]] = {}
        # Per series whose datapoints are all plain ones: their values.
        self.values: dict[SeriesKey, list[float]] = {}

    def catch_up(self) -> None:
        """Under the caller's lock: what was put since the last call, in its series."""
        added: dict[SeriesKey, list[MetricDatumBase]] = defaultdict(list)
        _add(added, self.data[self.seen :])
        self.seen = len(self.data)
        for key, more in added.items():
            kept, _, _ = self.sorted.get(key, ([], [], []))
            grown = sorted([*kept, *more], key=lambda datum: datum.timestamp)
            stamps = [datum.timestamp for datum in grown]
            self.sorted[key] = (grown, stamps, [_micros(at) for at in stamps])
            if all(type(datum) is MetricDatum for datum in grown):
                self.values[key] = [datum.value for datum in grown]  # type: ignore[attr-defined]
            else:
                self.values.pop(key, None)

    def between(self, key: SeriesKey, start: datetime, end: datetime) -> Series:
        data, stamps, micros = self.sorted.get(key, ([], [], []))
        first, last = bisect_left(stamps, start), bisect_left(stamps, end)
        values = self.values.get(key, [] if key not in self.sorted else None)
        return Series(
            data[first:last], micros[first:last], None if values is None else values[first:last]
        )


def _micros(at: datetime) -> int:
    """`at` in microseconds since the epoch: exact, as timedelta arithmetic is."""
    return (at - (_EPOCH if at.tzinfo is None else _EPOCH_UTC)) // _MICROSECOND


_INDEXES: WeakKeyDictionary[CloudWatchBackend, _Index] = WeakKeyDictionary()
_INDEX_LOCK = threading.Lock()


def _add(grouped: dict[SeriesKey, list[MetricDatumBase]], data: Iterable[MetricDatumBase]) -> None:
    for datum in data:
        key = (datum.namespace, datum.name, frozenset((d.name, d.value) for d in datum.dimensions))
        grouped[key].append(datum)


def _window(
    backend: CloudWatchBackend, start: datetime, end: datetime
) -> Callable[[SeriesKey], Series]:
    """A series' datapoints in the window: the kept index's, and the providers' of this call.
    Only the series a query names are cut (a call names 500 of the thousands kept)."""
    with _INDEX_LOCK:
        index = _INDEXES.get(backend)
        if index is None or index.data is not backend.metric_data:
            index = _INDEXES[backend] = _Index(backend.metric_data)
        index.catch_up()
    provided: dict[SeriesKey, list[MetricDatumBase]] = defaultdict(list)
    _add(provided, (d for d in backend.aws_metric_data if start <= d.timestamp < end))

    def series(key: SeriesKey) -> Series:
        kept = index.between(key, start, end)
        if key not in provided:
            return kept
        more = provided[key]  # not in time order with the kept ones: no values
        return Series(kept.data + more, kept.micros + [_micros(d.timestamp) for d in more], None)

    return series


# The statistics computed here directly, for plain values; moto's Statistics builds two lists
# per bucket, which was most of a 500-query answer's time once the grouping was kept.
_PLAIN: dict[str, Callable[[list[float]], Any]] = {
    "Sum": sum,
    "Average": lambda values: sum(values) / len(values),
    "Maximum": max,
    "Minimum": min,
    "SampleCount": len,
}


def _statistic(stat: str, data: list[MetricDatumBase]) -> Any:
    """`stat` of one period's datapoints, as moto computes it (same value, same type)."""
    plain = _PLAIN.get(stat)
    if plain is not None and all(type(datum) is MetricDatum for datum in data):
        return plain([datum.value for datum in data])  # type: ignore[attr-defined]
    stats = Statistics([stat], data[0].timestamp)
    stats.metric_data = data
    return stats.get_statistics_for_type(stat)


# Each plain statistic of one value, as _PLAIN computes it (sum starts from the integer 0).
_OF_ONE: dict[str, Callable[[float], Any]] = {
    "Sum": lambda value: 0 + value,
    "Average": lambda value: (0 + value) / 1,
    "Maximum": lambda value: value,
    "Minimum": lambda value: value,
    "SampleCount": lambda value: 1,
}


def _answer(
    query: dict[str, Any],
    series: Callable[[SeriesKey], Series],
    start: datetime,
    starts: dict[int, dict[int, datetime]],
    scan_by: str,
) -> dict[str, Any]:
    stat_spec = query["MetricStat"]
    metric = stat_spec["Metric"]
    dims = frozenset((d["Name"], d["Value"]) for d in metric.get("Dimensions", []))
    cut = series((metric["Namespace"], metric["MetricName"], dims))
    unit = stat_spec.get("Unit")
    seconds = int(stat_spec["Period"])
    period, origin = seconds * 1_000_000, _micros(start)
    stat = stat_spec["Stat"]
    indexes = [(at - origin) // period for at in cut.micros]
    if (
        stat in _OF_ONE
        and not unit
        and cut.values is not None
        and len(set(indexes)) == len(indexes)
    ):
        # A week of hourly data asked hourly, the common case: each datum alone in its period
        # (in time order, no index repeated) is its period's statistic. Without the buckets
        # (and with cloudwatch_answer's _Epochs), a 500-query answer of the 1,000-endpoint
        # sandbox took 151 ms of CPU instead of 245 (in-process, alternated; the same bytes).
        period_starts = _period_starts(starts[seconds], indexes, start, seconds)
        timestamps = list(map(period_starts.__getitem__, indexes))
        values = list(map(_OF_ONE[stat], cut.values))
    else:
        buckets: dict[int, list[MetricDatumBase]] = defaultdict(list)
        for datum, index in zip(cut.data, indexes, strict=True):
            if not unit or datum.unit == unit:
                buckets[index].append(datum)
        period_starts = _period_starts(starts[seconds], buckets, start, seconds)
        timestamps = [period_starts[index] for index in sorted(buckets)]
        values = [_statistic(stat, buckets[index]) for index in sorted(buckets)]
    if scan_by == "TimestampDescending":
        timestamps.reverse()
        values.reverse()
    return {
        "id": query["Id"],
        "label": query.get("Label") or f"{metric['MetricName']} {stat_spec['Stat']}",
        "values": values,
        "timestamps": timestamps,
        "status_code": "Complete",
    }


def _period_starts(
    known: dict[int, datetime], indexes: Iterable[int], start: datetime, seconds: int
) -> dict[int, datetime]:
    """`known` (a call's starts of periods of `seconds`, by index) with those of `indexes`."""
    for index in indexes:
        if index not in known:
            known[index] = start + index * timedelta(seconds=seconds)
    return known
