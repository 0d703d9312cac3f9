"""CloudWatch `ListMetrics` with `RecentlyActive`: only the series published to in three hours.

AWS (CloudWatch API reference, ListMetrics, RecentlyActive): "To filter the results to show only
metrics that have had data points published in the past three hours, specify this parameter with
a value of PT3H. This is the only valid value for this parameter. The results that are returned
are an approximation of the value you specify. There is a low probability that the returned
results include metrics with last published data as much as 50 minutes more than the specified
time interval." (the wording of botocore 1.44's model; earlier revisions said 40 minutes). The
service model declares it an enum of that one value and botocore does not check enums, so any
other value reaches the server, which refuses it with a 400 ValidationError, as here.

moto ignores the parameter and lists every metric. Here a series (namespace, metric name, exact
dimension set, per account and region: moto keeps one backend for each) is published when a
PutMetricData carries a datapoint for it, at the server's wall clock (`clock`, which tests
replace), whatever the datapoint's own timestamp: a datapoint put now for last week is published
now. The cutoff is exactly three hours; AWS's approximation could only list more.

What moto computes itself (its metric providers: S3's storage metrics) and datapoints put before
`install()` count as published at their newest timestamp, as a live publisher's would be. A seed
puts a week of history at once: `backdate_published` then dates each series' publication back to
its newest datapoint (seed_metrics.MetricWriter.flush calls it), so seeded series look published
live, the way backdate.py gives seeded resources their creation times.

With RecentlyActive each series is listed once (as AWS does), in first-publish order, 500 a page
with moto's NextToken. Without it moto answers as before, one entry per datapoint for a series
with no dimension or with two or more: moto's duplicate check compares every dimension with every
other one.
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from weakref import WeakKeyDictionary

from moto.cloudwatch.exceptions import ValidationError
from moto.cloudwatch.models import CloudWatchBackend, MetricDatumBase
from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.responses import ActionResult

from watchdog_sandbox.cloudwatch_index import SeriesKey

RECENTLY_ACTIVE = "PT3H"  # the only value the service model's enum allows
WINDOW = timedelta(hours=3)

_ORIGINAL_PUT = CloudWatchBackend.put_metric_data
_ORIGINAL_LIST = CloudWatchResponse.list_metrics


def install() -> None:
    CloudWatchBackend.put_metric_data = _recorded_put  # type: ignore[method-assign]
    CloudWatchResponse.list_metrics = _list_metrics  # type: ignore[method-assign]


def clock() -> datetime:
    """The server's wall clock (aware UTC): when a put is published, and what "the past three
    hours" count back from. A module function so that tests can replace it."""
    return datetime.now(UTC)


def series_key(datum: MetricDatumBase) -> SeriesKey:
    """What AWS tells series apart by; the dimension set is unordered, as on AWS."""
    dims = frozenset((d.name, d.value) for d in datum.dimensions)
    return datum.namespace, datum.name, dims


@dataclass
class _Series:
    listed: MetricDatumBase  # the first datapoint put: what ListMetrics answers, as moto's does
    newest: datetime  # the newest datapoint's timestamp (aware UTC)
    published: datetime  # the last PutMetricData that carried a datapoint (aware UTC)


class _Published:
    """One backend's series, kept as moto's append-only `metric_data` grows."""

    def __init__(self, data: list[MetricDatumBase]) -> None:
        # moto's reset re-initialises a backend in place, with a new list: then this is stale.
        self.data = data
        self.seen = 0
        self.series: dict[SeriesKey, _Series] = {}

    def catch_up(self, published: datetime | None) -> None:
        """Take in the datapoints put since, published at `published`; None for those put
        without the wrapper (before install), dated by their own timestamps."""
        for datum in self.data[self.seen :]:
            stamp = _utc(datum.timestamp)
            at = published or stamp
            key = series_key(datum)
            known = self.series.get(key)
            if known is None:
                self.series[key] = _Series(datum, stamp, at)
            else:
                known.newest = max(known.newest, stamp)
                known.published = max(known.published, at)  # a publication never goes back
        self.seen = len(self.data)

    def backdate(self, only: Collection[SeriesKey] | None, since: datetime | None) -> int:
        now = clock()
        moved = 0
        for key, series in self.series.items():
            if only is not None and key not in only:
                continue
            if since is not None and series.published < since:
                continue
            # Back only: a future datapoint, or one published before it, leaves the time alone.
            if series.newest < now and series.newest < series.published:
                series.published = series.newest
                moved += 1
        return moved


_STATES: WeakKeyDictionary[CloudWatchBackend, _Published] = WeakKeyDictionary()
# Held across moto's own put, so that a datapoint is dated by the put that carried it when the
# threaded server serves two at once.
_LOCK = threading.Lock()


def _state(backend: CloudWatchBackend) -> _Published:
    """The backend's kept series, caught up with what reached it without the wrapper. The
    caller holds _LOCK."""
    state = _STATES.get(backend)
    if state is None or state.data is not backend.metric_data:
        state = _STATES[backend] = _Published(backend.metric_data)
    state.catch_up(None)
    return state


def _recorded_put(
    self: CloudWatchBackend, namespace: str, metric_data: list[dict[str, Any]]
) -> None:
    with _LOCK:
        state = _state(self)
        try:
            _ORIGINAL_PUT(self, namespace, metric_data)
        finally:
            # moto validates the whole request before it appends: what it appended was put.
            state.catch_up(clock())


def backdate_published(
    account_id: str | None = None,
    region: str | None = None,
    *,
    series: Collection[SeriesKey] | None = None,
    published_since: datetime | None = None,
) -> int:
    """Date each series' last publication back to its newest datapoint's timestamp, as a live
    publisher would have published it; for one account and/or region, or all. Return how many
    series moved.

    Only ever back: a series whose newest datapoint is not in the past keeps its time. `series`
    and `published_since` narrow it to what a seed has just put (a writer knows its region and
    series, not its account). Reaches this process's emulator only (mock_aws, or the sandbox
    server running here); elsewhere nothing is found and nothing moves.
    """
    moved = 0
    with _LOCK:
        for backend in list(_STATES.keys()):
            if account_id is not None and backend.account_id != account_id:
                continue
            if region is not None and backend.region_name != region:
                continue
            moved += _state(backend).backdate(series, published_since)
    return moved


def recently_active(
    backend: CloudWatchBackend,
    namespace: str | None,
    metric_name: str | None,
    dimensions: list[dict[str, str]],
) -> list[MetricDatumBase]:
    """One datapoint per series published to in the past three hours that the filters match
    (moto's own matching), put series first, then the providers', as moto lists them."""
    cutoff = clock() - WINDOW
    with _LOCK:
        kept = list(_state(backend).series.items())
    listed: dict[SeriesKey, MetricDatumBase] = {
        key: series.listed for key, series in kept if series.published >= cutoff
    }
    # Providers' series are computed per call and published by AWS as they happen.
    for datum in backend.aws_metric_data:
        if _utc(datum.timestamp) >= cutoff:
            listed.setdefault(series_key(datum), datum)
    return [
        datum
        for datum in listed.values()
        if datum.filter(namespace=namespace, name=metric_name, dimensions=dimensions)
    ]


def _list_metrics(self: CloudWatchResponse) -> ActionResult:
    asked = self._get_param("RecentlyActive")
    if asked is None:
        return _ORIGINAL_LIST(self)
    if asked != RECENTLY_ACTIVE:
        raise ValidationError(
            f"1 validation error detected: Value '{asked}' at 'recentlyActive' failed to "
            f"satisfy constraint: Member must satisfy enum value set: [{RECENTLY_ACTIVE}]"
        )
    backend = self.cloudwatch_backend
    next_token = self._get_param("NextToken")
    if next_token:
        # The rest of the first page's listing, which moto keeps under the token.
        token, page = backend.list_metrics(next_token, "", "", [])
    else:
        found = recently_active(
            backend,
            self._get_param("Namespace"),
            self._get_param("MetricName"),
            self._get_params().get("Dimensions", []),
        )
        token, page = backend._get_paginated(found)
    return ActionResult({"Metrics": page, "NextToken": token})


def _utc(moment: datetime) -> datetime:
    """moto keeps naive UTC timestamps."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
