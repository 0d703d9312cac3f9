"""Each kind's own teardown calls, run in the planned order against the sandbox, which refuses
out-of-order deletes as AWS does (ResourceInUse) and deletes apps asynchronously."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from tests.functional.demo_snapshot import seed_demo
from watchdog.findings import Finding, Step
from watchdog.inventory import ScanRequest
from watchdog.kinds import BY_KIND
from watchdog.kinds.base import Operation
from watchdog.pipeline import lookback_for, run_plan
from watchdog.policies.schema import Policy
from watchdog.records import ResourceRecord
from watchdog.signals.collect import SignalOptions

REGION = "us-east-1"
MAX_PROBES = 20


def delete_everything(kinds: list[str], **conditions: object) -> Policy:
    return Policy.model_validate(
        {
            "name": "tear-down",
            "resource": kinds,
            "conditions": conditions or {"older_than": "1h"},
            "action": "delete",
            # The exemption tag is renamed so the seed's exempt resources are in scope too.
            "exemptions": {"tag": "test:never-set", "expires_tag": "test:never-set-either"},
        }
    )


def planned(policy: Policy, tmp_path: Path) -> tuple[list[Finding], dict[str, ResourceRecord]]:
    result = run_plan(
        ScanRequest(regions=[REGION]),
        [policy],
        SignalOptions(lookback=lookback_for([policy]), cache_dir=tmp_path, cost_explorer=False),
    )
    by_arn = {f.resource.arn: f.resource for f in result.findings}
    return result.findings, by_arn


def run_step(step: Step, record: ResourceRecord) -> str | None:
    """Invoke the step's call, then probe until it has settled; the final status (None: gone)."""
    spec = BY_KIND[record.kind]
    teardown = spec.teardown
    operation: Operation | None = next(
        (o for o in (teardown.stop, teardown.delete) if o is not None and o.op == step.op), None
    )
    assert operation is not None and operation.invoke is not None and teardown.probe is not None
    client = boto3.client(spec.service, region_name=REGION)
    operation.invoke(client, record)
    for _ in range(MAX_PROBES):
        status = teardown.probe(client, record)
        if status is None or status in operation.settled:
            return status
    pytest.fail(f"{step.op} on {record.name} did not settle: {status}")


def execute(findings: list[Finding], tmp_path: Path) -> list[tuple[str, str | None]]:
    done: set[str] = set()
    outcomes = []
    scanned = {r.arn: r for r in _all_records(tmp_path)}
    for finding in findings:
        for step in finding.steps:
            if step.id in done:
                continue
            assert set(step.depends_on) <= done
            assert step.blocked is None, step.blocked
            outcomes.append((step.op, run_step(step, scanned[step.target_arn])))
            done.add(step.id)
    return outcomes


def _all_records(tmp_path: Path) -> list[ResourceRecord]:
    from watchdog.inventory import scan

    return scan(ScanRequest(regions=[REGION])).resources


@pytest.fixture
def seeded(aws: None) -> None:
    seed_demo()


def test_a_whole_studio_domain_comes_down_in_order_with_its_efs_retained(
    seeded: None, tmp_path: Path
) -> None:
    findings, _ = planned(delete_everything(["sagemaker-domain"]), tmp_path)
    [finding] = findings

    outcomes = execute(findings, tmp_path)

    ops = [op for op, _ in outcomes]
    assert ops[-1] == "sagemaker:DeleteDomain"
    assert {"sagemaker:DeleteApp", "sagemaker:DeleteSpace", "sagemaker:DeleteUserProfile"} <= set(
        ops
    )
    assert all(status is None for _, status in outcomes)  # every resource is gone
    assert BY_KIND["sagemaker-domain"].teardown.probe is not None
    client = boto3.client("sagemaker", region_name=REGION)
    assert BY_KIND["sagemaker-domain"].teardown.probe(client, finding.resource) is None


def test_endpoints_with_components_configs_and_models_come_down(
    seeded: None, tmp_path: Path
) -> None:
    findings, _ = planned(delete_everything(["sagemaker-endpoint"]), tmp_path)
    assert findings

    outcomes = execute(findings, tmp_path)

    ops = {op for op, _ in outcomes}
    assert {
        "sagemaker:DeleteInferenceComponent",
        "sagemaker:DeleteEndpoint",
        "sagemaker:DeleteEndpointConfig",
        "sagemaker:DeleteModel",
    } <= ops
    assert all(status is None for _, status in outcomes)
    # What is left is only what evaluate would not tear down: serverless and scaled-to-zero
    # endpoints cost nothing idle, so their findings are notify-only.
    client = boto3.client("sagemaker", region_name=REGION)
    left = {e["EndpointName"] for e in client.list_endpoints()["Endpoints"]}
    kept = {f.resource.name for f in findings if f.action == "notify"}
    assert left == kept
    assert all(
        f.resource.billing.mode in ("serverless", "scaled-to-zero")
        for f in findings
        if f.action == "notify"
    )


def test_notebooks_are_stopped_then_deleted(seeded: None, tmp_path: Path) -> None:
    findings, _ = planned(delete_everything(["sagemaker-notebook-instance"]), tmp_path)

    outcomes = execute(findings, tmp_path)

    assert ("sagemaker:StopNotebookInstance", "Stopped") in outcomes
    assert all(s is None for op, s in outcomes if op == "sagemaker:DeleteNotebookInstance")


def test_uncommitted_throughput_and_mlflow_servers_are_deleted(
    seeded: None, tmp_path: Path
) -> None:
    findings, _ = planned(
        delete_everything(["bedrock-provisioned-throughput", "sagemaker-mlflow-tracking-server"]),
        tmp_path,
    )
    runnable = [f for f in findings if all(s.blocked is None for s in f.steps)]
    assert runnable

    outcomes = execute(runnable, tmp_path)

    assert {op for op, _ in outcomes} == {
        "bedrock:DeleteProvisionedModelThroughput",
        "sagemaker:DeleteMlflowTrackingServer",
    }
    assert all(status is None for _, status in outcomes)


def test_a_probe_says_gone_for_a_resource_that_never_existed(aws: None) -> None:
    client = boto3.client("sagemaker", region_name=REGION)
    ghost = ResourceRecord(
        kind="sagemaker-endpoint",
        arn=f"arn:aws:sagemaker:{REGION}:123456789012:endpoint/ghost",
        name="ghost",
        account="123456789012",
        region=REGION,
    )
    probe = BY_KIND["sagemaker-endpoint"].teardown.probe
    assert probe is not None and probe(client, ghost) is None
