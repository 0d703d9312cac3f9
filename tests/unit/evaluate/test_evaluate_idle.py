"""Idle endpoints: the evidence rules from aws-facts.md, as a person would read the finding."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.unit.evaluate.factories import (
    NOW,
    busy_signals,
    endpoint,
    hourly,
    idle_signals,
    series,
    signals,
)
from watchdog.evaluate import evaluate
from watchdog.policies.schema import Policy


def idle_policy(action: str = "delete", window: str = "7d", threshold: float = 0) -> Policy:
    return Policy.model_validate(
        {
            "name": "idle-endpoints",
            "resource": ["sagemaker-endpoint"],
            "conditions": {"idle": {"window": window, "threshold": threshold}},
            "action": action,
        }
    )


def test_an_idle_endpoint_with_instance_metrics_is_a_delete_finding_with_cost() -> None:
    ep = endpoint("llm", tags={"owner": "alice@example.com"})
    result = evaluate([ep], signals(*idle_signals(ep)), [idle_policy()], NOW)
    [finding] = result.findings
    assert finding.action == "delete"
    assert finding.evidence.state == "idle"
    assert finding.evidence.invocations == 0
    assert finding.evidence.window_hours == 168
    assert finding.confidence == "high"
    assert finding.monthly_cost_usd == pytest.approx(1.408 * 730)
    assert finding.cost_basis == "price-list"
    assert finding.owner == "alice@example.com"
    assert finding.reason == (
        "0 invocations in the last 7 days (instance metrics present: 168 datapoints), "
        "costing about $1,028 a month."
    )


def test_a_busy_endpoint_has_no_finding() -> None:
    ep = endpoint()
    assert evaluate([ep], signals(*busy_signals(ep)), [idle_policy()], NOW).findings == []


def test_traffic_below_the_threshold_is_idle_and_above_is_not() -> None:
    ep = endpoint()
    few = [series(ep, "traffic", hourly(0.05)), series(ep, "load", hourly(3.0))]
    # 0.05 an hour over 168 hours is 8.4 invocations.
    assert evaluate([ep], signals(*few), [idle_policy(threshold=10)], NOW).findings
    assert not evaluate([ep], signals(*few), [idle_policy(threshold=5)], NOW).findings


def test_only_the_policy_window_counts() -> None:
    ep = endpoint()
    # Busy until 10 days ago, silent since: idle over 7 days, active over 14.
    old_traffic = hourly(50.0, days=4, end=NOW - timedelta(days=10))
    data = [series(ep, "traffic", old_traffic), series(ep, "load", hourly(3.0))]
    assert evaluate([ep], signals(*data), [idle_policy(window="7d")], NOW).findings
    assert not evaluate([ep], signals(*data), [idle_policy(window="14d")], NOW).findings


def test_traffic_on_any_variant_makes_the_endpoint_active() -> None:
    ep = endpoint(variants=("A", "B"))
    data = [
        series(ep, "traffic"),
        series(ep, "traffic", hourly(1.0)),
        series(ep, "load", hourly(3.0)),
    ]
    assert evaluate([ep], signals(*data), [idle_policy()], NOW).findings == []


def test_without_instance_metrics_absent_traffic_is_unknown_and_only_notified() -> None:
    ep = endpoint()
    data = [series(ep, "traffic"), series(ep, "load")]
    [finding] = evaluate([ep], signals(*data), [idle_policy()], NOW).findings
    assert finding.action == "notify"
    assert finding.requested_action == "delete"
    assert finding.evidence.state == "unknown"
    assert finding.confidence == "low"
    assert "no instance metrics" in finding.reason
    assert finding.reason.endswith("never stopped or deleted automatically).")


def test_a_failed_query_is_unknown_not_idle() -> None:
    ep = endpoint()
    data = [series(ep, "traffic", error="Forbidden: no access"), series(ep, "load", hourly(3))]
    [finding] = evaluate([ep], signals(*data), [idle_policy()], NOW).findings
    assert finding.action == "notify"
    assert "Invocations query failed: Forbidden" in finding.reason


def test_no_metrics_fetched_at_all_is_unknown() -> None:
    ep = endpoint()
    [finding] = evaluate([ep], signals(), [idle_policy()], NOW).findings
    assert finding.action == "notify"
    assert finding.evidence.state == "unknown"


def test_an_endpoint_younger_than_the_window_is_skipped_as_too_new() -> None:
    ep = endpoint(age_days=2)
    result = evaluate([ep], signals(*idle_signals(ep)), [idle_policy()], NOW)
    assert result.findings == []
    assert result.skipped == {"too new to judge": 1}


def test_serverless_endpoints_cost_nothing_idle_and_get_no_idle_finding() -> None:
    ep = endpoint(serverless=True)
    data = [series(ep, "traffic")]
    assert evaluate([ep], signals(*data), [idle_policy()], NOW).findings == []


def test_the_cost_is_unknown_when_no_price_is_known() -> None:
    ep = endpoint(instance_type="ml.p5.48xlarge")
    [finding] = evaluate([ep], signals(*idle_signals(ep)), [idle_policy()], NOW).findings
    assert finding.monthly_cost_usd is None
    assert finding.cost_basis == "unknown"
    assert "no price known for ml.p5.48xlarge endpoint instances in us-east-1" in (
        finding.cost_source
    )


def test_fallback_prices_are_labelled() -> None:
    from tests.unit.evaluate.factories import prices

    ep = endpoint()
    sig = signals(*idle_signals(ep), prices=prices(basis="fallback"))
    [finding] = evaluate([ep], sig, [idle_policy()], NOW).findings
    assert finding.cost_basis == "fallback"


def test_findings_are_sorted_by_monthly_cost() -> None:
    small = endpoint("small", instance_type="ml.m5.xlarge")
    big = endpoint("big", instance_type="ml.g5.xlarge", count=2)
    sig = signals(*idle_signals(small), *idle_signals(big))
    names = [f.resource.name for f in evaluate([small, big], sig, [idle_policy()], NOW).findings]
    assert names == ["big", "small"]


def test_finding_ids_are_stable_across_runs() -> None:
    ep = endpoint()
    first = evaluate([ep], signals(*idle_signals(ep)), [idle_policy()], NOW).findings[0]
    later = evaluate(
        [ep], signals(*idle_signals(ep)), [idle_policy()], NOW + timedelta(hours=1)
    ).findings[0]
    assert first.id == later.id


def test_the_reason_says_what_was_counted_for_an_asynchronous_endpoint() -> None:
    ep = endpoint("async-ocr")
    data = [
        series(ep, "traffic", metric="InvocationsProcessed", label="requests processed"),
        series(ep, "traffic", metric="ApproximateBacklogSize", label="requests queued"),
        series(ep, "load", hourly(3.0)),
    ]
    [finding] = evaluate([ep], signals(*data), [idle_policy()], NOW).findings
    assert finding.evidence.state == "idle"
    assert finding.reason.startswith(
        "0 requests processed or requests queued in the last 7 days (instance metrics present"
    )


def test_a_backlog_alone_makes_an_asynchronous_endpoint_active() -> None:
    ep = endpoint("async-ocr")
    data = [
        series(ep, "traffic", metric="InvocationsProcessed", label="requests processed"),
        series(ep, "traffic", hourly(2.0, days=1), metric="ApproximateBacklogSize"),
        series(ep, "load", hourly(3.0)),
    ]
    assert evaluate([ep], signals(*data), [idle_policy()], NOW).findings == []


def test_idle_that_rests_on_a_series_never_published_says_so_with_low_confidence() -> None:
    from tests.unit.evaluate.factories import metrics, record
    from watchdog.records import ON_DEMAND
    from watchdog.signals.models import Signals

    pt = record(
        "bedrock-provisioned-throughput", "pt", "provisioned-model/abcdefghij12", billing=ON_DEMAND
    )
    policy = Policy.model_validate(
        {
            "name": "idle-pt",
            "resource": ["bedrock-provisioned-throughput"],
            "conditions": {"idle": {"window": "7d"}},
            "action": "delete",
        }
    )
    quiet = metrics(series(pt, "traffic"))
    never = quiet.model_copy(update={"published": {pt.arn.lower(): False}})
    listed = quiet.model_copy(update={"published": {pt.arn.lower(): True}})

    [unlisted] = evaluate([pt], Signals(metrics=never), [policy], NOW).findings
    [seen] = evaluate([pt], Signals(metrics=listed), [policy], NOW).findings

    assert unlisted.evidence.state == seen.evidence.state == "idle"
    assert unlisted.confidence == "low" and unlisted.evidence.traffic_published is False
    assert "lists no series for it at all in two weeks" in unlisted.reason
    assert seen.confidence == "medium" and "lists no series" not in seen.reason
