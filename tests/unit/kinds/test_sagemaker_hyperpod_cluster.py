"""sagemaker-hyperpod-cluster: the record from DescribeCluster, its price per instance group, the
Price List filters it asks with, what a delete keeps, the states it is deleted from, and the
findings a running-long policy makes (age, nodes and cost; never a delete on its own)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.unit.evaluate.factories import NOW, REGION, signals
from tests.unit.policies.test_shipped_policies import shipped_for
from watchdog.evaluate import evaluate
from watchdog.kinds import BY_KIND, PRICE_COMPONENTS
from watchdog.kinds.sagemaker_hyperpod_cluster import KIND, instance_groups, to_record
from watchdog.plan import plan
from watchdog.policies.schema import Policy
from watchdog.records import ResourceRecord
from watchdog.signals.models import Price, PriceKey, PriceSignals, price_key_id

ACCOUNT = "123456789012"
ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:cluster/a1b2c3d4e5f6"
EKS = f"arn:aws:eks:{REGION}:{ACCOUNT}:cluster/genai-eks"


def group(name: str, instance_type: str, count: int, **extra: Any) -> dict[str, Any]:
    return {
        "InstanceGroupName": name,
        "InstanceType": instance_type,
        "CurrentCount": count,
        "TargetCount": count,
        "ExecutionRole": f"arn:aws:iam::{ACCOUNT}:role/hyperpod",
        "LifeCycleConfig": {"SourceS3Uri": "s3://sagemaker-lc/scripts/", "OnCreate": "on.sh"},
        **extra,
    }


def described(*groups: dict[str, Any], status: str = "InService", **extra: Any) -> dict[str, Any]:
    return {
        "ClusterArn": ARN,
        "ClusterName": "llm-finetune",
        "ClusterStatus": status,
        "CreationTime": NOW - timedelta(days=21),
        "InstanceGroups": list(groups),
        **extra,
    }


def slurm(status: str = "InService", **tags: str) -> ResourceRecord:
    answer = described(
        group("controller", "ml.m5.xlarge", 1),
        group("workers", "ml.g5.12xlarge", 2),
        group("spare", "ml.g5.12xlarge", 1),
        status=status,
    )
    return to_record(ACCOUNT, REGION, answer, tags)


def test_a_slurm_cluster_counts_every_node_and_bills_each_instance_type() -> None:
    rec = slurm(owner="alice@example.com")
    assert (rec.arn, rec.name, rec.status) == (ARN, "llm-finetune", "InService")
    assert (rec.instance_count, rec.instance_type) == (4, "ml.g5.12xlarge, ml.m5.xlarge")
    assert rec.billing.mode == "on-demand"
    assert rec.attributes["orchestrator"] == "slurm" and "eks_cluster" not in rec.attributes
    assert rec.created_at == NOW - timedelta(days=21)
    units = {(u.key.component, u.key.unit): u.count for u in BY_KIND[KIND].price_units(rec)}
    assert units == {("hyperpod", "ml.g5.12xlarge"): 3, ("hyperpod", "ml.m5.xlarge"): 1}


def test_groups_on_a_training_plan_or_scaled_to_zero_bill_no_hours_here() -> None:
    answer = described(
        group("reserved", "ml.p5.48xlarge", 4, TrainingPlanArn="arn:aws:sagemaker:plan/p"),
        group("idle", "ml.g5.xlarge", 0),
    )
    rec = to_record(ACCOUNT, REGION, answer, {})
    assert instance_groups(rec) == [
        ("reserved", "ml.p5.48xlarge", 4, True),
        ("idle", "ml.g5.xlarge", 0, False),
    ]
    assert BY_KIND[KIND].price_units(rec) == ()


def test_an_eks_cluster_names_its_eks_cluster_and_a_delete_keeps_it() -> None:
    answer = described(group("gpu", "ml.g5.2xlarge", 2), Orchestrator={"Eks": {"ClusterArn": EKS}})
    rec = to_record(ACCOUNT, REGION, answer, {})
    assert rec.attributes["orchestrator"] == "eks" and rec.attributes["eks_cluster"] == EKS
    kept = BY_KIND[KIND].teardown.keeps(rec)
    assert EKS in kept[0].what
    assert any("FSx for Lustre" in k.what for k in kept)
    assert any("s3://sagemaker-lc/scripts/" in k.what for k in kept)
    assert not any("EKS" in k.what for k in BY_KIND[KIND].teardown.keeps(slurm()))


def test_hyperpod_prices_are_asked_for_as_cluster_instances() -> None:
    key = PriceKey(component="hyperpod", region=REGION, unit="ml.g5.12xlarge")
    filters = PRICE_COMPONENTS["hyperpod"].filters(key)
    assert filters is not None
    assert {(f["Field"], f["Value"]) for f in filters} == {
        ("regionCode", REGION),
        ("instanceType", "ml.g5.12xlarge"),
        ("platoinstancetype", "Cluster"),
    }
    assert PRICE_COMPONENTS["hyperpod"].service_code == "AmazonSageMaker"


@pytest.mark.parametrize(
    ("status", "deletable"),
    [
        ("InService", True),
        ("Failed", True),
        ("Creating", False),
        ("Updating", False),
        ("SystemUpdating", False),
        ("RollingBack", False),
        ("Deleting", False),
    ],
)
def test_it_is_deleted_only_when_aws_is_not_changing_it(status: str, deletable: bool) -> None:
    delete = BY_KIND[KIND].teardown.delete
    assert delete is not None and delete.op == "sagemaker:DeleteCluster"
    assert delete.allows(status) is deletable
    assert "Deleting" in BY_KIND[KIND].teardown.in_progress


def test_restore_says_why_it_does_not_recreate_a_cluster() -> None:
    restore = BY_KIND[KIND].restore
    assert restore.recreate is None and restore.restart is None
    assert "lifecycle scripts" in restore.why_not and "audit" in restore.why_not


def priced(rec: ResourceRecord) -> Any:
    table = {}
    for unit, usd in (("ml.g5.12xlarge", 7.09), ("ml.m5.xlarge", 0.23)):
        key = PriceKey(component="hyperpod", region=REGION, unit=unit)
        table[price_key_id(key)] = Price(key=key, usd_per_hour=usd, basis="price-list", source="t")
    return signals(prices=PriceSignals(prices=table))


def running_long(action: str = "notify") -> Policy:
    return Policy.model_validate(
        {
            "name": "hyperpod-running",
            "resource": [KIND],
            "conditions": {"status": ["InService"], "running_longer_than": "7d"},
            "action": action,
        }
    )


def test_a_running_long_policy_reports_its_age_and_cost_without_an_idle_reading() -> None:
    rec = slurm()
    [finding] = evaluate([rec], priced(rec), [running_long()], NOW).findings
    assert finding.action == "notify" and finding.evidence.state == "not-measured"
    assert finding.monthly_cost_usd == pytest.approx((3 * 7.09 + 0.23) * 730)
    assert "21 days" in finding.reason


def test_a_delete_is_planned_as_one_step_and_an_exempt_cluster_gets_no_finding() -> None:
    rec = slurm()
    findings = evaluate([rec], priced(rec), [running_long("delete")], NOW).findings
    [planned] = plan(findings, [rec], NOW)
    [step] = planned.steps
    assert (step.op, step.blocked) == ("sagemaker:DeleteCluster", None)
    assert any("FSx" in r.what for r in planned.retained)

    exempt = slurm(**{"watchdog:exempt": "true"})
    assert evaluate([exempt], priced(exempt), [running_long("delete")], NOW).findings == []


def test_the_statuses_that_mean_a_stop_or_delete_is_under_way() -> None:
    # After a stop or delete call (ours, or a crashed run's), these statuses mean "wait", never
    # "call again".
    assert BY_KIND[KIND].teardown.in_progress == frozenset({"Deleting"})


def test_its_default_policies_are_shipped() -> None:
    assert {"hyperpod-clusters-running"} <= shipped_for(KIND)
