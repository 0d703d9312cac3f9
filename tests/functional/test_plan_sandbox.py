"""`run_plan` over the seeded sandbox organization: the findings a person would expect, from
the seed's own account of what is idle, busy, exempt, serverless or committed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import watchdog_sandbox as sandbox
from moto import mock_aws
from watchdog_sandbox.seed import DEMO_EXTERNAL_ID, DEMO_REGIONS, MEMBER_ROLE_NAME
from watchdog_sandbox.seed_summary import SeedSummary

from tests.conftest import FAKE_AWS_ENV
from tests.functional.demo_snapshot import seed_demo
from watchdog.findings import Finding
from watchdog.inventory import ScanRequest
from watchdog.kinds import REGISTRY
from watchdog.pipeline import PlanResult, lookback_for, run_plan
from watchdog.policies import default_policies_dir, load_policies
from watchdog.signals.collect import SignalOptions

WEEK = timedelta(days=7)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SeedSummary, PlanResult]]:
    """One plan of the seeded organization for the module: its tests only read the result."""
    with pytest.MonkeyPatch.context() as env:
        for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_REGION"):
            env.delenv(name, raising=False)
        for name, value in FAKE_AWS_ENV.items():
            env.setenv(name, value)
        sandbox.install()
        with mock_aws():
            summary = seed_demo()
            policies = load_policies(default_policies_dir())
            result = run_plan(
                ScanRequest(
                    regions=list(DEMO_REGIONS),
                    accounts="organization",
                    member_role=MEMBER_ROLE_NAME,
                    external_id=DEMO_EXTERNAL_ID,
                ),
                policies,
                SignalOptions(
                    lookback=lookback_for(policies), cache_dir=tmp_path_factory.mktemp("cache")
                ),
                now=summary.now,
            )
    yield summary, result


def by_policy(result: PlanResult, policy: str) -> dict[str, Finding]:
    return {f.resource.name: f for f in result.findings if f.policy == policy}


def deleted_through(summary: SeedSummary) -> dict[str, str]:
    """Seeded endpoint names a kind deletes with itself, and that kind's delete call."""
    return {
        name: spec.teardown.delete.op
        for spec in REGISTRY
        if "sagemaker-endpoint" in spec.teardown.deletes_used and spec.teardown.delete is not None
        for name in summary.names(spec.kind)
    }


def test_every_provably_idle_endpoint_and_only_those_is_planned_for_deletion(
    seeded: tuple[SeedSummary, PlanResult],
) -> None:
    summary, result = seeded
    expected = set(summary.idle_names("sagemaker-endpoint", window=WEEK))
    found = by_policy(result, "idle-endpoints")
    assert expected and set(found) == expected
    assert set(deleted_through(summary)) & set(found), "no endpoint deleted through another kind"
    for finding in found.values():
        assert finding.action == "delete"
        assert finding.evidence.state == "idle"
        # Serverless publishes no instance metric to prove metrics flow: less than high.
        serverless = all(v.serverless for v in finding.resource.variants)
        assert finding.confidence == ("medium" if serverless else "high")
        assert finding.monthly_cost_usd and finding.monthly_cost_usd > 0
        assert finding.cost_basis == "price-list"
        # An endpoint another kind deletes with itself (a Bedrock Marketplace model's) is
        # deleted through that kind's call; read from the declarations, no kind named here.
        assert finding.steps[0].op == deleted_through(summary).get(
            finding.resource.name, "sagemaker:DeleteEndpoint"
        )
    exempt = set(summary.idle_names("sagemaker-endpoint", include_exempt=True)) - expected
    assert exempt.isdisjoint(found)
    assert result.summary.skipped.get("exempt", 0) >= 1


def test_idle_throughput_is_found_and_a_commitment_blocks_its_deletion(
    seeded: tuple[SeedSummary, PlanResult],
) -> None:
    summary, result = seeded
    found = by_policy(result, "idle-provisioned-throughput")
    assert set(found) == set(summary.idle_names("bedrock-provisioned-throughput", window=WEEK))
    committed = [f for f in found.values() if f.resource.billing.mode == "committed"]
    assert committed
    for finding in committed:
        assert finding.steps[0].blocked and finding.steps[0].blocked.startswith("committed until")
    # No load metric for Bedrock, and the idle ones were never called: CloudWatch lists no
    # Invocations series for their ARN at all, so idle rests on an absence and says so.
    for finding in found.values():
        assert finding.evidence.traffic_published is False
        assert finding.confidence == "low"
        assert "lists no series for it at all" in finding.evidence.detail
    busy = [
        r
        for r in result.resources
        if r.kind == "bedrock-provisioned-throughput" and r.name not in found
    ]
    assert busy and result.stats.api_calls_by_operation.get("cloudwatch:ListMetrics", 0) >= 1


def test_busy_serverless_and_scaled_to_zero_endpoints_are_never_torn_down(
    seeded: tuple[SeedSummary, PlanResult],
) -> None:
    _, result = seeded
    for finding in result.findings:
        if finding.action in ("stop", "delete"):
            assert finding.resource.billing.mode not in ("serverless", "scaled-to-zero")
            assert finding.evidence.state in ("idle", "not-measured")


def test_studio_findings_and_costs_from_cost_explorer(
    seeded: tuple[SeedSummary, PlanResult],
) -> None:
    _, result = seeded
    assert by_policy(result, "studio-idle-shutdown-disabled")
    assert by_policy(result, "notebooks-running-long")
    over = by_policy(result, "team-over-budget")
    assert over and all(f.resource.tags["team"] == "genai" for f in over.values())
    assert all(f.evidence.facts["spend_basis"] == "cost-explorer" for f in over.values())


def test_the_plan_is_cheap_in_calls(seeded: tuple[SeedSummary, PlanResult]) -> None:
    _, result = seeded
    stats = result.stats
    shards = 2 * len(DEMO_REGIONS)
    # One GetMetricData call per (account, region) at this size.
    assert stats.get_metric_data_calls == shards
    assert stats.cost_explorer_requests == 2
    assert result.errors == []
    assert result.summary.monthly_savings_usd > 0
    # What it cost: each metric requested at $0.01 per 1,000, each Cost Explorer request $0.01.
    cost = stats.self_cost
    assert cost is not None and cost.metrics_requested == stats.metric_queries
    expected = stats.metric_queries * 0.00001 + 2 * 0.01 + cost.cloudwatch_requests * 0.00001
    assert cost.usd == pytest.approx(expected)


def test_a_busy_asynchronous_endpoint_is_judged_by_the_work_it_processed(
    seeded: tuple[SeedSummary, PlanResult],
) -> None:
    """embeddings-west is asynchronous: AWS publishes no Invocations for it, only
    InvocationsProcessed and its backlog. Read as Invocations it was 'idle' while busy."""
    _, result = seeded
    [record] = [r for r in result.resources if r.name == "embeddings-west"]
    assert record.attributes["invocation_mode"] == "asynchronous"
    assert record.billing.mode == "on-demand" and record.instance_count == 1
    assert not [f for f in result.findings if f.resource.name == "embeddings-west"]


def test_idle_provisioned_concurrency_is_a_priced_finding(
    seeded: tuple[SeedSummary, PlanResult],
) -> None:
    """faq-bot-serverless keeps two units of provisioned concurrency warm at 2 GB and serves
    nothing: serverless, yet billing while idle, priced from the ML Serverless price list."""
    _, result = seeded
    finding = by_policy(result, "idle-endpoints")["faq-bot-serverless"]
    assert finding.resource.billing.mode == "on-demand"
    assert finding.evidence.load_datapoints is None  # no instance metric exists to ask for
    # Sandbox catalog: $0.00001 per second per unit at 2 GB = $0.036 an hour; 2 units, 730 h.
    assert finding.monthly_cost_usd == round(0.036 * 2 * 730, 2)
    assert finding.cost_basis == "price-list"
    (sentiment,) = [r for r in result.resources if r.name == "sentiment-serverless"]
    assert sentiment.billing.mode == "serverless"  # no provisioned concurrency: per request


def test_an_idle_canvas_session_is_deleted_with_approval_and_a_busy_one_is_left(
    seeded: tuple[SeedSummary, PlanResult],
) -> None:
    """alice left Canvas idle five hours ago, bob works in it: Canvas's own TimeSinceLastActive
    says which is which, and no other Studio app is judged by it."""
    summary, result = seeded
    found = [f for f in result.findings if f.policy == "idle-canvas-sessions"]
    owners = sorted(f.resource.attributes["owner_name"] for f in found)
    idle = [n.split("/")[0] for n in summary.idle_names("sagemaker-app")]
    assert owners == idle == ["alice"]
    [finding] = found
    assert finding.resource.attributes["app_type"] == "Canvas"
    assert (finding.action, finding.evidence.state, finding.confidence) == (
        "delete",
        "idle",
        "high",
    )
    assert float(finding.evidence.facts["inactive_hours"]) >= 2
    assert [s.op for s in finding.steps] == ["sagemaker:DeleteApp"]
    assert any("S3" in kept.what for kept in finding.retained)
    # Priced as one Canvas:Session-Hrs product-hour per hour, from the sandbox's Price List.
    assert finding.cost_basis == "price-list"
    assert finding.monthly_cost_usd == round(1.90 * 730, 2)
