"""HyperPod clusters on the in-process sandbox: the demo's three (seeded through the kind's seed
hook) are scanned and priced per instance group; a delete policy deletes the two that are not
exempt and reports what each leaves (the EKS cluster, FSx, the VPC and lifecycle scripts); a
cluster AWS is updating is refused; the shipped policy only notifies: idleness is not measured."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import strategies as st
from watchdog_sandbox.kinds import DemoTags
from watchdog_sandbox.kinds.sagemaker_hyperpod_clusters import (
    Group,
    HyperPodCluster,
    hyperpod_clusters,
    set_status,
)
from watchdog_sandbox.seed import seed_region
from watchdog_sandbox.seed_clients import AwsClients
from watchdog_sandbox.seed_plan import RegionPlan

from tests.fakes import FakeClock
from tests.functional.generated_accounts import AUTOMATIC, EXEMPTIONS, AccountPart, Drawn
from watchdog.act import ExecOptions, apply
from watchdog.inventory import ScanRequest
from watchdog.pipeline import run_plan
from watchdog.policies.load import default_policies_dir, load_policies
from watchdog.policies.schema import Policy
from watchdog.signals.collect import SignalOptions
from watchdog.signals.models import HOURS_PER_MONTH
from watchdog.store.sqlite import SqliteStore

REGION = "us-east-1"
ACCOUNT = "123456789012"
KIND = "sagemaker-hyperpod-cluster"
EXEMPT = {"watchdog:exempt": "true"}
DELETE = Policy.model_validate(
    {
        "name": "old-hyperpod",
        "resource": [KIND],
        "conditions": {"status": ["InService"], "older_than": "7d"},
        "action": "delete",
        "approval": {"mode": "automatic", "grace": "0h"},
    }
)
# The same without its status condition: the plan meets the cluster AWS is updating.
ANY_STATUS = Policy.model_validate(
    {**DELETE.model_dump(mode="json"), "conditions": {"older_than": "7d"}}
)


def seed(now: datetime) -> None:
    clients = AwsClients(boto3.Session(region_name=REGION))
    owners = DemoTags(genai={"team": "genai"}, nlp={}, risk={}, recsys={}, exempt=EXEMPT)
    plan = RegionPlan(kinds=hyperpod_clusters(owners))
    seeded, _ = seed_region(clients, ACCOUNT, REGION, plan, now)
    assert sorted((r.name, r.exempt) for r in seeded) == [
        ("genai-eks-hyperpod", False),
        ("llm-finetune-slurm", False),
        ("research-hyperpod", True),
    ]


def statuses() -> dict[str, str]:
    sagemaker = boto3.client("sagemaker", region_name=REGION)
    return {
        c["ClusterName"]: c["ClusterStatus"] for c in sagemaker.list_clusters()["ClusterSummaries"]
    }


def options(tmp_path: Path) -> SignalOptions:
    return SignalOptions(lookback=timedelta(days=7), cache_dir=tmp_path, cost_explorer=False)


def test_clusters_are_scanned_priced_and_planned_with_what_they_keep(
    aws: None, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    seed(now)

    result = run_plan(ScanRequest(regions=[REGION]), [DELETE], options(tmp_path), now=now)

    clusters = {r.name: r for r in result.resources if r.kind == KIND}
    assert clusters["llm-finetune-slurm"].instance_count == 3
    assert clusters["llm-finetune-slurm"].attributes["orchestrator"] == "slurm"
    eks = clusters["genai-eks-hyperpod"].attributes["eks_cluster"]
    assert eks == f"arn:aws:eks:{REGION}:{ACCOUNT}:cluster/genai-eks"
    findings = {f.resource.name: f for f in result.findings}
    # The exempt cluster has no finding at all.
    assert set(findings) == {"llm-finetune-slurm", "genai-eks-hyperpod"}
    slurm = findings["llm-finetune-slurm"]
    # 1 x ml.m5.xlarge + 2 x ml.g5.12xlarge at the sandbox catalog's HyperPod prices.
    hourly = 0.23 + 2 * 7.09
    assert slurm.monthly_cost_usd == pytest.approx(hourly * HOURS_PER_MONTH)
    assert [s.op for s in slurm.steps] == ["sagemaker:DeleteCluster"]
    assert not any("EKS" in r.what for r in slurm.retained)
    assert any("FSx" in r.what for r in slurm.retained)
    assert any("s3://sagemaker-llm-finetune-slurm" in r.what for r in slurm.retained)
    assert any(eks in r.what for r in findings["genai-eks-hyperpod"].retained)


def test_a_delete_runs_on_the_idle_two_and_refuses_one_aws_is_updating(
    aws: None, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    seed(now)
    set_status(ACCOUNT, REGION, "genai-eks-hyperpod", "Updating")
    store = SqliteStore(tmp_path / "watchdog.db")

    result = apply(
        ScanRequest(regions=[REGION]),
        [ANY_STATUS],
        store,
        ExecOptions(execute=True),
        clock=FakeClock(now),
        signal_options=options(tmp_path),
    )

    fates = {o.resource_name: o for o in result.findings}
    assert fates["llm-finetune-slurm"].fate == "done", fates["llm-finetune-slurm"].reason
    refused = fates["genai-eks-hyperpod"]
    assert refused.fate != "done" and "Updating" in (refused.reason or ""), refused
    remaining = statuses()
    assert "llm-finetune-slurm" not in remaining
    assert remaining == {"genai-eks-hyperpod": "Updating", "research-hyperpod": "InService"}
    store.close()


def test_the_sandbox_refuses_what_aws_refuses(aws: None) -> None:
    seed(datetime.now(UTC))
    sagemaker: Any = boto3.client("sagemaker", region_name=REGION)
    set_status(ACCOUNT, REGION, "research-hyperpod", "SystemUpdating")
    with pytest.raises(ClientError) as conflict:
        sagemaker.delete_cluster(ClusterName="research-hyperpod")
    assert conflict.value.response["Error"]["Code"] == "ConflictException"
    with pytest.raises(ClientError) as missing:
        sagemaker.describe_cluster(ClusterName="no-such-cluster")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFound"
    # AWS's cluster ARNs end in a 12-character id, and calls take the ARN as well as the name.
    arn = sagemaker.describe_cluster(ClusterName="llm-finetune-slurm")["ClusterArn"]
    assert re.fullmatch(rf"arn:aws:sagemaker:{REGION}:{ACCOUNT}:cluster/[a-z0-9]{{12}}", arn)
    assert sagemaker.describe_cluster(ClusterName=arn)["ClusterName"] == "llm-finetune-slurm"
    nodes = sagemaker.list_cluster_nodes(ClusterName=arn)["ClusterNodeSummaries"]
    assert sorted(n["InstanceGroupName"] for n in nodes) == ["controller", "workers", "workers"]
    tags = sagemaker.list_tags(ResourceArn=arn)["Tags"]
    assert {"Key": "team", "Value": "genai"} in tags
    # Deleting is asynchronous: Deleting first, then gone.
    sagemaker.delete_cluster(ClusterName="llm-finetune-slurm")
    assert statuses()["llm-finetune-slurm"] == "Deleting"
    for _ in range(3):
        statuses()
    assert "llm-finetune-slurm" not in statuses()


def test_the_shipped_policy_only_notifies_with_age_nodes_and_cost(
    aws: None, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    seed(now)
    shipped = [p for p in load_policies(default_policies_dir()) if KIND in p.resource]
    assert shipped

    result = run_plan(ScanRequest(regions=[REGION]), shipped, options(tmp_path), now=now)

    mine = [f for f in result.findings if f.resource.kind == KIND]
    assert {f.resource.name for f in mine} == {"llm-finetune-slurm", "genai-eks-hyperpod"}
    for finding in mine:
        assert finding.action == "notify" and not finding.steps
        # No utilization metric: idleness is not measured, only age, nodes and cost.
        assert finding.evidence.state == "not-measured"
        assert finding.monthly_cost_usd


@st.composite
def generated_cluster(draw: st.DrawFn, i: int) -> Drawn:
    """A cluster for the generated accounts (tests/functional/test_generated_accounts.py)."""
    exempt = draw(st.sampled_from(EXEMPTIONS))
    age_days = draw(st.sampled_from([3, 30]))
    name = f"hyperpod-{i}"
    seed = HyperPodCluster(
        name,
        (Group("workers", "ml.g5.xlarge", draw(st.integers(min_value=1, max_value=3))),),
        age=timedelta(days=age_days),
        eks=draw(st.sampled_from([None, "ml-platform"])),
        tags={"team": "genai", **exempt},
    )
    protected = bool(exempt)
    return Drawn(seed, KIND, name, protected, not protected and age_days > 7)


def clusters_not_deleting() -> set[str]:
    sagemaker = boto3.client("sagemaker", region_name=REGION)
    return {
        c["ClusterName"]
        for c in sagemaker.list_clusters()["ClusterSummaries"]
        if c["ClusterStatus"] != "Deleting"
    }


GENERATED = AccountPart(
    kind=KIND,
    draw=generated_cluster,
    most=2,
    # No idle signal: age alone is the most a policy can ask.
    policy={
        "name": "delete-old-hyperpod",
        "resource": [KIND],
        "conditions": {"older_than": "7d"},
        "action": "delete",
        "approval": AUTOMATIC,
    },
    alive=clusters_not_deleting,
)
