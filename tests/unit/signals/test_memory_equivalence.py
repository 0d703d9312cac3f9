"""Querying only what can change a decision decides exactly as querying everything.

Over generated metric histories (traffic in bursts, zeros published or not, load metrics with
gaps, resources created during the runs, variants renamed, inference components whose traffic
counts for their endpoint) and policies (windows of 2 h to 7 d, thresholds, several policies on
one kind), a sequence of hourly runs (with hours missed, at times) is made twice at each hour
against the same emulated CloudWatch: once with the store's memory (signals/memory.py), once
fetching everything. Every run's findings (whole: evidence, reasons, confidence) and skip counts
must be equal. A finding read from a reading that still holds (signals/quiet.py) may only
word its evidence otherwise: it cannot count this run's load datapoints, so its count, detail
and reason are left out of the comparison; its state, invocations, action, confidence and cost
are not.

CloudWatch is emulated as it answers GetMetricData: one datapoint per period from StartTime,
holding what was published up to the run's time (a datapoint of the current period grows as
the hour goes on; nothing once published disappears); and as ListMetrics lists series, with
RecentlyActive those published to in the three hours before the run (a traffic event is
published at its time, a zero each hour its load is present), without it those published to
in two weeks.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from unittest.mock import patch

from hypothesis import HealthCheck, event, given, settings, target
from hypothesis import strategies as st

from tests.unit.evaluate.factories import endpoint, linked, prices, record
from watchdog.aws.clients import ClientFactory
from watchdog.aws.scope import Shard
from watchdog.evaluate import evaluate
from watchdog.kinds import BY_KIND
from watchdog.pipeline import lookback_for
from watchdog.policies.schema import Policy
from watchdog.records import ResourceRecord
from watchdog.signals import metrics as metrics_module
from watchdog.signals.collect import SignalOptions, fetch_metrics
from watchdog.signals.memory import Memory, skip_windows
from watchdog.signals.models import MetricSignals, Signals
from watchdog.store.sqlite import SqliteStore

T0 = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
RUNS = 30
HISTORY_HOURS = 8 * 24  # before T0: more than the longest window (7 d)
ENDPOINT, COMPONENT = "sagemaker-endpoint", "sagemaker-inference-component"
Key = tuple[str, str, tuple[tuple[str, str], ...]]


@dataclass
class Series:
    """One metric's history: traffic events (time, count), or load present but in gaps."""

    role: str
    events: list[tuple[datetime, float]] = field(default_factory=list)
    zeros: bool = False  # traffic: a 0 is published for each period its load is present
    gaps: list[tuple[datetime, datetime]] = field(default_factory=list)
    load: Series | None = None  # traffic: the load series that publishes its zeros
    since: datetime = T0 - HISTORY_HOURS * HOUR
    _by_time: tuple[list[datetime], list[float]] | None = field(default=None, repr=False)

    def published_since(self, since: datetime, now: datetime) -> bool:
        """Whether anything was published to it in [since, now]."""
        if self.role == "load":
            hours = int((now - since) / HOUR) + 1
            return any(self.value(since + i * HOUR, HOUR, now) is not None for i in range(hours))
        if any(since <= at <= now for at, _ in self.events):
            return True
        return self.zeros and self.load is not None and self.load.published_since(since, now)

    def _sorted(self) -> tuple[list[datetime], list[float]]:
        """The events by time, made once (a run reads every period of every series)."""
        if self._by_time is None or len(self._by_time[0]) != len(self.events):
            ordered = sorted(self.events)
            self._by_time = ([at for at, _ in ordered], [v for _, v in ordered])
        return self._by_time

    def value(self, start: datetime, period: timedelta, now: datetime) -> float | None:
        if self.role == "load":
            on = self.since <= start + period and start <= now
            return 10.0 if on and not any(a <= start < b for a, b in self.gaps) else None
        ats, values = self._sorted()
        first = bisect_left(ats, start)
        last = min(bisect_left(ats, start + period), bisect_right(ats, now))
        if first < last:
            return sum(values[first:last])
        loaded = self.load is not None and self.load.value(start, period, now) is not None
        return 0.0 if self.zeros and loaded else None


class EmulatedCloudWatch:
    def __init__(self, series: Mapping[Key, Series]) -> None:
        self.series = series
        self.now = T0

    def get_paginator(self, operation: str) -> EmulatedCloudWatch:
        assert operation == "list_metrics"
        return self

    def paginate(self, **params: Any) -> Iterator[Mapping[str, Any]]:
        since = self.now - (3 * HOUR if params.get("RecentlyActive") == "PT3H" else 14 * DAY)
        listed = [
            {
                "Namespace": namespace,
                "MetricName": metric,
                "Dimensions": [{"Name": name, "Value": value} for name, value in dims],
            }
            for (namespace, metric, dims), history in self.series.items()
            if namespace == params["Namespace"]
            and metric == params["MetricName"]
            and history.published_since(since, self.now)
        ]
        yield {"Metrics": listed}

    def get_metric_data(self, **params: Any) -> Mapping[str, Any]:
        start, end = params["StartTime"], params["EndTime"]
        results = []
        for query in params["MetricDataQueries"]:
            stat = query["MetricStat"]
            metric = stat["Metric"]
            dims = tuple((d["Name"], d["Value"]) for d in metric["Dimensions"])
            history = self.series.get((metric["Namespace"], metric["MetricName"], dims))
            period = timedelta(seconds=stat["Period"])
            stamps, values = [], []
            at = start
            while history is not None and at < end:
                value = history.value(at, period, self.now)
                if value is not None:
                    stamps.append(at)
                    values.append(value)
                at += period
            results.append(
                {
                    "Id": query["Id"],
                    "Timestamps": stamps,
                    "Values": values,
                    "StatusCode": "Complete",
                }
            )
        return {"MetricDataResults": results}


class InlinePool:
    """A ThreadPoolExecutor that runs each task at once: the property is about what is asked
    and decided, and 2,400 fetches each starting threads would take the test past seconds."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __enter__(self) -> InlinePool:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        done: Future[Any] = Future()
        done.set_result(fn(*args))
        return done

    def map(self, fn: Callable[..., Any], items: Iterable[Any]) -> Iterator[Any]:
        return (fn(item) for item in items)


class Clients:
    def __init__(self, cloudwatch: EmulatedCloudWatch) -> None:
        self.cloudwatch = cloudwatch

    def client(self, service: str, region: str) -> EmulatedCloudWatch:
        return self.cloudwatch


def key(query: Any) -> Key:
    return (query.namespace, query.metric, query.dimensions)


minutes = st.integers(0, 59)
bursts = st.lists(
    st.tuples(
        st.integers(-HISTORY_HOURS, RUNS), st.integers(1, 200), minutes, st.sampled_from([1.0, 3.0])
    ),
    max_size=3,
)
# Load gaps near the runs, where they meet traffic a proof was read from; a load metric is
# sometimes never published at all (no traffic can then be told from no data).
gaps = st.one_of(
    st.lists(st.tuples(st.integers(-48, RUNS), st.integers(1, 80)), max_size=2),
    st.just([(-HISTORY_HOURS, HISTORY_HOURS + RUNS + 1)]),
)


@st.composite
def traffic_and_load(draw: st.DrawFn, since: datetime) -> tuple[Series, Series]:
    load = Series(role="load", since=since)
    load.gaps = [(T0 + a * HOUR, T0 + (a + n) * HOUR) for a, n in draw(gaps)]
    traffic = Series(role="traffic", zeros=draw(st.booleans()), load=load)
    traffic.events = [
        (T0 + (start + i) * HOUR + timedelta(minutes=minute), value)
        for start, hours, minute, value in draw(bursts)
        for i in range(hours)
    ]
    return traffic, load


@dataclass
class World:
    versions: list[tuple[int, list[ResourceRecord]]]  # from which run on, each inventory
    series: dict[Key, Series]
    policies: list[Policy]
    minute: int
    missed: frozenset[int] = frozenset()  # hours with no run (a daemon down, a deploy)


@st.composite
def endpoints(draw: st.DrawFn, i: int, series: dict[Key, Series]) -> list[list[ResourceRecord]]:
    """An endpoint as two inventories (before and after a possible variant rename), with an
    inference component on it or not, and every series its queries will read."""
    created = T0 + timedelta(minutes=draw(st.integers(-HISTORY_HOURS * 60, RUNS * 60)))
    age = (T0 - created).total_seconds() / 86400
    names = [draw(st.sampled_from([("a",), ("b",), ("a", "b")])) for _ in range(2)]
    component = draw(st.sampled_from([True, True, False]))
    inventories = []
    for variants in names:
        ep = endpoint(f"ep{i}", variants=variants, age_days=age)
        records = [ep]
        if component:
            records.append(
                record(
                    COMPONENT,
                    f"ic{i}",
                    f"inference-component/ic{i}",
                    status="InService",
                    created_at=created,
                    parent_arns=(ep.arn,),
                )
            )
        inventories.append(records)
        for rec in records:
            queries = BY_KIND[rec.kind].metric_queries(rec)
            for traffic_q, load_q in zip(queries[::2], queries[1::2], strict=True):
                if key(traffic_q) not in series:
                    traffic, load = draw(traffic_and_load(created))
                    series[key(traffic_q)], series[key(load_q)] = traffic, load
    return inventories


policy_specs = st.tuples(
    # One policy per kind, each with its own window, is the common case in which a component
    # is proven busy for longer than its endpoint is.
    st.sampled_from([[ENDPOINT], [COMPONENT], [ENDPOINT, COMPONENT]]),
    st.sampled_from(["2h", "5h", "1d", "7d"]),
    st.sampled_from([0, 0, 0, 2]),
    st.sampled_from(["notify", "delete"]),
    st.sampled_from([None, "1d"]),
)


@st.composite
def worlds(draw: st.DrawFn) -> World:
    series: dict[Key, Series] = {}
    count = draw(st.integers(1, 3))
    per_endpoint = [draw(endpoints(i, series)) for i in range(count)]
    rename_at = draw(st.integers(1, RUNS))  # the run from which the second inventory is seen
    versions = [
        (0, linked(*[r for before, _ in per_endpoint for r in before])),
        (rename_at, linked(*[r for _, after in per_endpoint for r in after])),
    ]
    policies = []
    for n, (kinds, window, threshold, action, older) in enumerate(
        draw(st.lists(policy_specs, min_size=2, max_size=3))
    ):
        conditions: dict[str, Any] = {"idle": {"window": window, "threshold": threshold}}
        if older:
            conditions["older_than"] = older
        policies.append(
            Policy.model_validate(
                {"name": f"p{n}", "resource": kinds, "conditions": conditions, "action": action}
            )
        )
    # Runs missed for hours on end break the chain of ListMetrics checks the idle hold
    # rests on: traffic published while nobody looked is older than three hours at the next run.
    outage = draw(st.one_of(st.just(()), st.tuples(st.integers(1, RUNS - 2), st.integers(1, 6))))
    missed = frozenset(range(outage[0], min(outage[0] + outage[1], RUNS - 1))) if outage else ()
    return World(versions, series, policies, draw(minutes), frozenset(missed))


def inventory(world: World, run: int, now: datetime) -> list[ResourceRecord]:
    records = [rs for start, rs in world.versions if start <= run][-1]
    present = [r for r in records if r.created_at is None or r.created_at <= now]
    return linked(*[r.model_copy(update={"child_arns": ()}) for r in present])


def decisions(records: list[ResourceRecord], metrics: MetricSignals, world: World, now: datetime):
    result = evaluate(records, Signals(metrics=metrics, prices=prices()), world.policies, now)
    whole = [(f.model_dump(), f.decision()) for f in result.findings]
    return whole, result.skipped, result.exempt


def assert_same_decisions(remembered: Any, everything: Any, held: bool, where: str) -> None:
    (found, skipped, exempt), (expected, skipped_all, exempt_all) = remembered, everything
    assert (skipped, exempt) == (skipped_all, exempt_all), where
    which = 1 if held else 0  # held: decisions (Finding.decision); otherwise whole findings
    assert [f[which] for f in found] == [f[which] for f in expected], where


def hourly_runs(world: World) -> int:
    """Run every hour with and without the memory; assert equal decisions; queries skipped."""
    cloudwatch = EmulatedCloudWatch(world.series)
    shards = [Shard("111122223333", "us-east-1", cast(ClientFactory, Clients(cloudwatch)))]
    options = SignalOptions(lookback=lookback_for(world.policies), max_workers=1)
    store = SqliteStore(":memory:")
    memory = Memory(store, skip_windows(world.policies))
    skipped = 0
    with closing(store), patch.object(metrics_module, "ThreadPoolExecutor", InlinePool):
        for run in (run for run in range(RUNS) if run not in world.missed):
            now = T0 + run * HOUR + timedelta(minutes=world.minute)
            cloudwatch.now = now
            records = inventory(world, run, now)
            remembered = fetch_metrics(shards, records, options, now, memory)
            everything = fetch_metrics(shards, records, options, now, None)
            assert_same_decisions(
                decisions(records, remembered, world, now),
                decisions(records, everything, world, now),
                held=bool(remembered.quiet),
                where=f"run {run} at {now:%Y-%m-%d %H:%M}",
            )
            skipped += remembered.queries_skipped
            if remembered.quiet:
                event("a reading held")
            assert remembered.queries + remembered.queries_skipped == everything.queries
    return skipped


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(worlds())
def test_the_memory_never_changes_a_decision(world: World) -> None:
    skipped = hourly_runs(world)
    event("queries skipped" if skipped else "nothing skipped")
    target(float(skipped))  # steer towards histories where the memory spares queries
