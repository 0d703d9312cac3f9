"""The memory's rules, one by one (the equivalence itself: test_memory_equivalence.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.unit.evaluate.factories import endpoint, linked, record, series
from watchdog.policies.schema import Policy
from watchdog.records import ResourceRecord
from watchdog.signals.judged import active_since, judged_queries, queries_digest
from watchdog.signals.memory import Choice, Memory, choose, skip_windows
from watchdog.signals.models import Datapoint, MetricWindow
from watchdog.store.activity import LastActive
from watchdog.store.sqlite import SqliteStore

NOW = datetime(2026, 11, 24, 12, 34, tzinfo=UTC)
HOUR = timedelta(hours=1)
PERIOD = 3600


def pick(records: list[ResourceRecord], memory: Memory | None) -> Choice:
    """The choice at NOW, for a week's lookback fetched hourly, with no CloudWatch to ask
    (these entries keep no reading for the idle hold: test_quiet.py has those)."""
    window = MetricWindow(start=NOW - 7 * 24 * HOUR, end=NOW, period_seconds=PERIOD)
    return choose([], records, memory, window, 7 * 24 * HOUR, NOW)


def policy(kinds: list[str], window: str, threshold: float = 0, **fields: Any) -> Policy:
    return Policy.model_validate(
        {
            "name": f"p-{window}-{threshold}-{kinds[0]}",
            "resource": kinds,
            "conditions": {"idle": {"window": window, "threshold": threshold}},
            "action": "notify",
            **fields,
        }
    )


def component(ep: ResourceRecord) -> ResourceRecord:
    return record(
        "sagemaker-inference-component", "ic", "inference-component/ic", parent_arns=(ep.arn,)
    )


def remembered(records: list[ResourceRecord], at: datetime, **fields: Any) -> SqliteStore:
    store = SqliteStore(":memory:")
    by_arn = {r.arn.lower(): r for r in records}
    store.remember_activity(
        [
            LastActive(
                arn=r.arn.lower(),
                account=r.account,
                region=r.region,
                at=at,
                queries=fields.get("queries") or queries_digest(judged_queries(r, by_arn)),
                recorded_at=fields.get("recorded_at", NOW - HOUR),
            )
            for r in records
        ]
    )
    return store


def test_each_kind_skips_for_its_shortest_window_and_never_against_a_threshold() -> None:
    policies = [
        policy(["sagemaker-endpoint"], "7d"),
        policy(["sagemaker-endpoint", "sagemaker-inference-component"], "2h"),
        policy(["bedrock-provisioned-throughput"], "7d", threshold=5),
        policy(["bedrock-provisioned-throughput"], "1d", enabled=False),
    ]
    assert skip_windows(policies) == {
        "sagemaker-endpoint": 2 * HOUR,
        "sagemaker-inference-component": 2 * HOUR,
    }


def test_a_resource_is_skipped_while_its_proof_reaches_into_the_shortest_window() -> None:
    ep = endpoint("ep")
    window = {"sagemaker-endpoint": 2 * HOUR}
    # Traffic in the period from 10:00: a 2 h window from 12:34 starts at 10:34, after it.
    late = Memory(remembered([ep], NOW.replace(minute=0) - 2 * HOUR), window)
    assert pick([ep], late).query == [ep]
    # From 11:00: the datapoint starting 11:00 is read by every window starting at or before it.
    fresh = Memory(remembered([ep], NOW.replace(minute=0) - HOUR), window)
    choice = pick([ep], fresh)
    assert choice.query == []
    assert choice.active_at == {ep.arn.lower(): NOW.replace(minute=0) - HOUR}


def test_a_proof_from_other_queries_or_from_a_later_run_proves_nothing() -> None:
    ep = endpoint("ep")
    window = {"sagemaker-endpoint": 7 * 24 * HOUR}
    renamed = Memory(remembered([ep], NOW - HOUR, queries="another set"), window)
    assert pick([ep], renamed).query == [ep]
    future = Memory(remembered([ep], NOW - HOUR, recorded_at=NOW + HOUR), window)
    assert pick([ep], future).query == [ep]
    assert pick([ep], None).query == [ep]  # no store: everything


def test_a_queried_endpoint_has_its_components_queried_too() -> None:
    ep, ic = linked(endpoint("ep"), component(endpoint("ep")))
    windows = {"sagemaker-endpoint": 2 * HOUR, "sagemaker-inference-component": 7 * 24 * HOUR}
    # Both proven 5 h ago: the component's 7 d window would skip it, but the endpoint's 2 h one
    # does not, and the endpoint's reading counts the component's traffic.
    memory = Memory(remembered([ep, ic], NOW - 5 * HOUR), windows)
    assert pick([ep, ic], memory).query == [ep, ic]


def test_traffic_proves_use_only_with_the_load_that_tells_it_from_no_data() -> None:
    ep = endpoint("ep")
    traffic = series(ep, "traffic", (Datapoint(at=NOW - 2 * HOUR, value=3.0),))
    zero = series(ep, "traffic", (Datapoint(at=NOW - HOUR, value=0.0),))
    load = series(ep, "load", (Datapoint(at=NOW - 5 * HOUR, value=1.0),))
    assert active_since([traffic, zero]) == NOW - 2 * HOUR  # a zero is no traffic
    assert active_since([traffic, load]) == NOW - 5 * HOUR  # the older of the two
    assert active_since([traffic, series(ep, "load")]) is None  # no load datapoint at all
    assert active_since([zero, load]) is None
