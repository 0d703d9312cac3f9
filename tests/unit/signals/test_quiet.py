"""The idle hold's rules, one by one (signals/quiet.py; the equivalence over generated
histories is test_memory_equivalence.py)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from tests.unit.evaluate.factories import endpoint, prices
from watchdog.aws.clients import ClientFactory
from watchdog.aws.scope import Shard
from watchdog.evaluate import evaluate
from watchdog.policies.schema import Policy
from watchdog.records import ResourceRecord
from watchdog.signals import quiet
from watchdog.signals.judged import judged_queries, queries_digest
from watchdog.signals.memory import Choice, Memory, choose, hold_windows, learnt
from watchdog.signals.models import (
    Datapoint,
    MetricSeries,
    MetricSignals,
    MetricWindow,
    QuietReading,
    Signals,
)
from watchdog.store.activity import LastActive, QuietCheck
from watchdog.store.sqlite import SqliteStore

NOW = datetime(2026, 11, 24, 12, 34, tzinfo=UTC)
HOUR = timedelta(hours=1)
WEEK = 7 * 24 * HOUR
WINDOW = MetricWindow(start=NOW - WEEK - HOUR, end=NOW, period_seconds=3600)
WINDOWS = {"sagemaker-endpoint": WEEK}


class ListingCloudWatch:
    """ListMetrics with RecentlyActive: the series named in `recent`, or an error."""

    def __init__(self, recent: list[dict[str, Any]] | None) -> None:
        self.recent = recent
        self.asked: list[Mapping[str, Any]] = []

    def client(self, service: str, region: str) -> ListingCloudWatch:
        return self

    def get_paginator(self, operation: str) -> ListingCloudWatch:
        return self

    def paginate(self, **params: Any) -> Iterator[Mapping[str, Any]]:
        self.asked.append(params)
        if self.recent is None:
            raise RuntimeError("throttled")
        yield {"Metrics": [m for m in self.recent if m["MetricName"] == params["MetricName"]]}


def shard(cloudwatch: ListingCloudWatch) -> Shard:
    return Shard("111122223333", "us-east-1", cast(ClientFactory, cloudwatch))


def invocations_of(ep: ResourceRecord) -> dict[str, Any]:
    query = next(q for q in judged_queries(ep, {}) if q.role == "traffic")
    dims = [{"Name": n, "Value": v} for n, v in query.dimensions]
    return {"Namespace": query.namespace, "MetricName": query.metric, "Dimensions": dims}


def read(ep: ResourceRecord, when: datetime, **fields: Any) -> LastActive:
    """A reading of `ep` at `when` that saw no traffic, and load up to its end."""
    return LastActive.model_validate(
        {
            "arn": ep.arn.lower(),
            "account": ep.account,
            "region": ep.region,
            "at": None,
            "queries": queries_digest(judged_queries(ep, {ep.arn.lower(): ep})),
            "recorded_at": when,
            "observed_from": when - WEEK - HOUR,
            "traffic_at": None,
            "load_at": when - HOUR,
            **fields,
        }
    )


def store_with(*entries: LastActive, checks: tuple[QuietCheck, ...] = ()) -> SqliteStore:
    store = SqliteStore(":memory:")
    store.remember_activity(list(entries))
    store.remember_checks(list(checks))
    return store


def chain(covered_from: datetime, checked_at: datetime) -> QuietCheck:
    return QuietCheck(
        account="111122223333",
        region="us-east-1",
        namespace="AWS/SageMaker",
        metric="Invocations",
        covered_from=covered_from,
        checked_at=checked_at,
    )


def pick(ep: ResourceRecord, store: SqliteStore, cloudwatch: ListingCloudWatch) -> Choice:
    return choose([shard(cloudwatch)], [ep], Memory(store, WINDOWS), WINDOW, WEEK, NOW)


def test_a_reading_holds_while_its_traffic_is_not_listed_and_the_chain_reaches_it() -> None:
    ep = endpoint("ep")
    store = store_with(read(ep, NOW - 5 * HOUR), checks=(chain(NOW - 6 * HOUR, NOW - HOUR),))

    choice = pick(ep, store, ListingCloudWatch([]))

    assert choice.query == []
    assert choice.quiet == {
        ep.arn.lower(): QuietReading(
            read_at=NOW - 5 * HOUR, traffic_at=None, load_at=quiet.floor(NOW - 6 * HOUR, 3600)
        )
    }
    assert choice.list_metrics_calls == 1
    # The chain is extended to this run.
    assert store.recall_checks("111122223333", "us-east-1") == [chain(NOW - 6 * HOUR, NOW)]


def test_traffic_listed_since_the_reading_is_queried() -> None:
    ep = endpoint("ep")
    store = store_with(read(ep, NOW - 5 * HOUR), checks=(chain(NOW - 6 * HOUR, NOW - HOUR),))

    assert pick(ep, store, ListingCloudWatch([invocations_of(ep)])).query == [ep]


def test_a_chain_broken_by_missed_runs_holds_nothing_read_before_the_break() -> None:
    ep = endpoint("ep")
    # The last check was 4 h ago: traffic published 3.5 h ago was never listed to anyone.
    store = store_with(read(ep, NOW - 5 * HOUR), checks=(chain(NOW - 9 * HOUR, NOW - 4 * HOUR),))

    assert pick(ep, store, ListingCloudWatch([])).query == [ep]
    # The new chain covers what this check alone covers: a reading within it would hold.
    fresh = chain(NOW - quiet.CHAIN_GAP, NOW)
    assert store.recall_checks("111122223333", "us-east-1") == [fresh]


def test_nothing_is_held_when_cloudwatch_cannot_list() -> None:
    ep = endpoint("ep")
    store = store_with(read(ep, NOW - 2 * HOUR), checks=(chain(NOW - 6 * HOUR, NOW - HOUR),))

    assert pick(ep, store, ListingCloudWatch(None)).query == [ep]
    # The chain is not extended: the next run must not count this hour as covered.
    assert store.recall_checks("111122223333", "us-east-1") == [chain(NOW - 6 * HOUR, NOW - HOUR)]


def test_a_reading_whose_load_may_have_left_the_window_is_queried() -> None:
    ep = endpoint("ep")
    short = {"sagemaker-endpoint": 2 * HOUR}
    old_load = read(ep, NOW - HOUR, load_at=NOW - 3 * HOUR)
    store = store_with(old_load, checks=(chain(NOW - 6 * HOUR, NOW - HOUR),))
    memory = Memory(store, short)

    choice = choose([shard(ListingCloudWatch([]))], [ep], memory, WINDOW, WEEK, NOW)

    assert choice.query == [ep]


def test_a_resource_proven_active_but_listed_is_queried_all_the_same() -> None:
    # Its reading could hold once the proof runs out: traffic published now, unread, would
    # then be older than the listing's three hours. So it is read now.
    ep = endpoint("ep")
    both = read(ep, NOW - 2 * HOUR, at=NOW - 2 * HOUR, traffic_at=NOW - 2 * HOUR)
    store = store_with(both, checks=(chain(NOW - 6 * HOUR, NOW - HOUR),))

    assert pick(ep, store, ListingCloudWatch([])).active_at  # not listed: skipped on its proof
    assert pick(ep, store, ListingCloudWatch([invocations_of(ep)])).query == [ep]


def series(ep: ResourceRecord, role: str, *points: Datapoint, error: str | None = None) -> Any:
    query = next(q for q in judged_queries(ep, {}) if q.role == role)
    return MetricSeries(query=query, points=points, error=error)


def learn(ep: ResourceRecord, *fetched: MetricSeries, known: LastActive | None = None) -> Any:
    metrics = MetricSignals(window=WINDOW, series={ep.arn.lower(): fetched})
    choice = Choice(query=[ep], active_at={}, recalled={ep.arn.lower(): known} if known else {})
    return learnt([ep], [ep], metrics, choice, WINDOWS, NOW)


def test_a_reading_is_kept_for_the_hold_only_when_no_proof_of_use_will_skip_it() -> None:
    ep = endpoint("ep")
    load = series(ep, "load", Datapoint(NOW - 2 * HOUR, 5.0), Datapoint(NOW - HOUR, 5.0))
    [idle] = learn(ep, series(ep, "traffic"), load)
    assert (idle.at, idle.observed_from, idle.traffic_at) == (None, WINDOW.start, None)
    assert idle.load_at == NOW - HOUR
    [busy] = learn(ep, series(ep, "traffic", Datapoint(NOW - HOUR, 3.0)), load)
    assert busy.at == NOW - HOUR and busy.observed_from is None


def test_a_failed_query_replaces_a_reading_that_could_hold() -> None:
    ep = endpoint("ep")
    failed = series(ep, "traffic", error="throttled")
    [entry] = learn(ep, failed, series(ep, "load"), known=read(ep, NOW - HOUR))
    assert entry.observed_from is None and entry.recorded_at == NOW


def idle_policy(threshold: float = 0) -> Policy:
    return Policy.model_validate(
        {
            "name": "idle",
            "resource": ["sagemaker-endpoint"],
            "conditions": {"idle": {"window": "7d", "threshold": threshold}},
            "action": "notify",
        }
    )


def judged(ep: ResourceRecord, held: QuietReading, policy: Policy) -> Any:
    metrics = MetricSignals(window=WINDOW, quiet={ep.arn.lower(): held})
    result = evaluate([ep], Signals(metrics=metrics, prices=prices()), [policy], NOW)
    return result.findings


def test_a_held_reading_decides_as_its_series_would() -> None:
    ep = endpoint("ep", age_days=30)
    quiet_week = QuietReading(read_at=NOW - HOUR, traffic_at=None, load_at=NOW - HOUR)
    [finding] = judged(ep, quiet_week, idle_policy())
    assert finding.evidence.state == "idle" and finding.evidence.invocations == 0
    assert finding.confidence == "high"  # the load it saw proves no traffic is no data
    assert "nothing published since" in finding.evidence.detail

    used = quiet_week.model_copy(update={"traffic_at": NOW - 2 * 24 * HOUR})
    assert judged(ep, used, idle_policy()) == []  # active: no finding

    # A threshold it was not held for: unknown, never idle.
    [guarded] = judged(ep, quiet_week, idle_policy(threshold=5))
    assert guarded.evidence.state == "unknown"


def test_a_kind_parked_when_idle_is_never_held() -> None:
    # A park acts on the plan's reading, with no last look: that reading is always fetched.
    parks = Policy.model_validate(
        {
            "name": "park-idle",
            "resource": ["sagemaker-endpoint"],
            "conditions": {"idle": {"window": "2h", "threshold": 0}},
            "action": "park",
            "park_when_idle": "2h",
        }
    )
    assert hold_windows([idle_policy(), parks]) == {}
    assert hold_windows([idle_policy()]) == {"sagemaker-endpoint": WEEK}
    ep = endpoint("ep")
    store = store_with(read(ep, NOW - 2 * HOUR), checks=(chain(NOW - 6 * HOUR, NOW - HOUR),))
    memory = Memory(store, WINDOWS, holds={})
    cloudwatch = ListingCloudWatch([])
    assert choose([shard(cloudwatch)], [ep], memory, WINDOW, WEEK, NOW).query == [ep]
