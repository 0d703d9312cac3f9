"""The seeded demo organisation, inventoried, then its metrics fetched with the kinds' own
queries: what evaluate will be given at the real time."""

from __future__ import annotations

from datetime import timedelta

import boto3
from watchdog_sandbox.seed import (
    DEMO_EXTERNAL_ID,
    DEMO_REGIONS,
    MEMBER_ROLE_NAME,
)

from tests.functional.demo_snapshot import seed_demo
from watchdog.inventory import ScanRequest, open_scope, scan
from watchdog.records import ResourceRecord
from watchdog.signals.metrics import collect_metrics
from watchdog.signals.models import MetricSeries

WEEK = timedelta(days=7)


def roles(series: tuple[MetricSeries, ...]) -> dict[str, int]:
    """Datapoints per role, failing on any errored series."""
    assert all(s.error is None for s in series), [s.error for s in series]
    counts: dict[str, int] = {}
    for item in series:
        counts[item.query.role] = counts.get(item.query.role, 0) + len(item.points)
    return counts


def test_demo_metrics_at_the_real_time(aws: None) -> None:
    session = boto3.Session(region_name="us-east-1")
    summary = seed_demo()
    request = ScanRequest(
        regions=list(DEMO_REGIONS),
        accounts="organization",
        member_role=MEMBER_ROLE_NAME,
        external_id=DEMO_EXTERNAL_ID,
    )
    scope = open_scope(request, session)
    records = scan(request, scope=scope).resources
    before = scope.counter.by_operation().get("cloudwatch:GetMetricData", 0)

    signals = collect_metrics(scope.shards, records, end=summary.now, lookback=WEEK)

    # Fewer than 500 queries per (account, region): one call for each of the four.
    assert signals.get_metric_data_calls == 4
    assert scope.counter.by_operation()["cloudwatch:GetMetricData"] - before == 4
    endpoints = {r.name: r for r in records if r.kind == "sagemaker-endpoint"}

    def of(name: str) -> dict[str, int]:
        return roles(signals.for_resource(endpoints[name].arn))

    # Idle and old: no traffic datapoints while instance metrics prove they run.
    for name in summary.idle_names("sagemaker-endpoint", window=WEEK, include_exempt=True):
        if name == "mistral-7b-eval":
            continue  # idle with explicit zero datapoints
        if name == "faq-bot-serverless":
            # Serverless (provisioned concurrency): no instance metric is even asked for.
            assert of(name) == {"traffic": 0}, name
            continue
        assert of(name)["traffic"] == 0 and of(name)["load"] >= 7 * 24, name
    assert of("fraud-scoring-prod")["traffic"] >= 7 * 24
    # The two-day-old endpoint has metrics only since it exists: evaluate must see it as young.
    young: ResourceRecord = endpoints["chatbot-west-poc"]
    assert young.created_at is not None and summary.now - young.created_at < WEEK
    assert of("chatbot-west-poc")["traffic"] == 0 and 0 < of("chatbot-west-poc")["load"] <= 48
