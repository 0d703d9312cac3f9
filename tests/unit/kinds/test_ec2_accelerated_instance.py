"""ec2-accelerated-instance: the record from DescribeInstances, the instances it must never stop
(another service manages them), and how sure an idle reading from utilization is."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.unit.evaluate.factories import NOW, REGION, hourly, signals
from tests.unit.policies.test_shipped_policies import shipped_for
from watchdog.evaluate import evaluate
from watchdog.kinds import BY_KIND
from watchdog.kinds._ec2 import managed_by, utilization_queries
from watchdog.kinds.ec2_accelerated_instance import KIND, _accelerated, to_record
from watchdog.plan import plan
from watchdog.policies.schema import Policy
from watchdog.records import ResourceRecord
from watchdog.signals.models import Datapoint, MetricSeries, Price, PriceKey, price_key_id

ACCOUNT = "123456789012"


def instance(state: str = "running", **tags: str) -> dict[str, Any]:
    return {
        "InstanceId": "i-0abc",
        "InstanceType": "g5.xlarge",
        "State": {"Name": state},
        "LaunchTime": NOW - timedelta(days=20),
        "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
        "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeId": "vol-1"}}],
    }


def record(state: str = "running", **tags: str) -> ResourceRecord:
    return to_record(ACCOUNT, REGION, "aws", instance(state, **tags))


def test_a_running_instance_bills_its_instance_hours_and_a_stopped_one_only_storage() -> None:
    running = record(Name="devbox", owner="alice@example.com")
    assert running.arn == f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/i-0abc"
    assert running.name == "i-0abc"
    assert (running.status, running.instance_type, running.instance_count) == (
        "running",
        "g5.xlarge",
        1,
    )
    assert running.billing.mode == "on-demand"
    assert running.tags["owner"] == "alice@example.com"
    assert running.attributes == {"volumes": "vol-1", "name_tag": "devbox"}
    [units] = BY_KIND[KIND].price_units(running)
    assert (units.key.component, units.key.unit, units.count) == ("ec2-instance", "g5.xlarge", 1)

    stopped = record("stopped")
    assert stopped.billing.mode == "storage"
    assert BY_KIND[KIND].price_units(stopped) == ()


@pytest.mark.parametrize(
    ("instance_type", "accelerated"),
    [
        ("g5.xlarge", True),
        ("g4dn.12xlarge", True),
        ("p4d.24xlarge", True),
        ("p5e.48xlarge", True),
        ("inf2.xlarge", True),
        ("trn1n.32xlarge", True),
        ("dl1.24xlarge", True),
        ("m5.large", False),
        ("gr6.xlarge", False),  # a "g*" match that is not a GPU family
        ("c7g.large", False),
    ],
)
def test_only_the_five_accelerated_families_are_kept(instance_type: str, accelerated: bool) -> None:
    assert _accelerated(instance_type) is accelerated


@pytest.mark.parametrize(
    ("key", "owner"),
    [
        ("aws:autoscaling:groupName", "Auto Scaling group"),
        ("eks:cluster-name", "EKS cluster"),
        ("kubernetes.io/cluster/prod", "Kubernetes cluster"),
        ("aws:eks:cluster-name", "EKS cluster"),
        ("AmazonECSManaged", "ECS capacity provider"),
        ("aws:ecs:clusterName", "ECS cluster"),
        ("aws:batch:compute-environment", "AWS Batch compute environment"),
        ("AWSBatchServiceTag", "AWS Batch compute environment"),
        ("karpenter.sh/nodepool", "Karpenter"),
    ],
)
def test_an_instance_another_service_manages_is_refused_with_its_owner(
    key: str, owner: str
) -> None:
    why = managed_by(record(**{key: "x"}))
    assert why is not None and owner in why and key in why
    assert managed_by(record(team="genai")) is None


def test_an_instance_ec2_reports_as_service_managed_is_refused_whatever_its_tags() -> None:
    # ECS Managed Instances: in no Auto Scaling group, known by DescribeInstances' Operator.
    managed = instance("running", team="genai")
    managed["Operator"] = {"Managed": True, "Principal": "ecs.amazonaws.com"}
    why = managed_by(to_record(ACCOUNT, REGION, "aws", managed))
    assert why is not None and "ecs.amazonaws.com" in why
    unmanaged = instance("running", team="genai")
    unmanaged["Operator"] = {"Managed": False}
    assert managed_by(to_record(ACCOUNT, REGION, "aws", unmanaged)) is None


def stop_policy(action: str = "stop") -> Policy:
    return Policy.model_validate(
        {
            "name": "idle-gpu",
            "resource": [KIND],
            "conditions": {"idle": {"window": "7d"}},
            "action": action,
        }
    )


def utilization(rec: ResourceRecord, gpu: float | None, cpu: float) -> list[MetricSeries]:
    """The kind's own queries answered: GPU (None: the agent publishes nothing), CPU, network."""
    values = {"nvidia_smi_utilization_gpu": gpu, "CPUUtilization": cpu}
    answered = []
    for query in utilization_queries(rec):
        value = values.get(query.metric, 1_000.0)
        points: tuple[Datapoint, ...] = () if value is None else hourly(value)
        answered.append(MetricSeries(query=query, points=points))
    return answered


def ec2_signals(*series: MetricSeries) -> Any:
    key = PriceKey(component="ec2-instance", region=REGION, unit="g5.xlarge")
    price = Price(key=key, usd_per_hour=1.006, basis="price-list", source="test")
    result = signals(*series)
    return result.model_copy(
        update={"prices": result.prices.model_copy(update={"prices": {price_key_id(key): price}})}
    )


def test_an_idle_gpu_read_from_the_agent_is_a_high_confidence_stop_priced_by_the_hour() -> None:
    rec = record()
    result = evaluate([rec], ec2_signals(*utilization(rec, 0.0, 1.0)), [stop_policy()], NOW)
    [finding] = result.findings
    assert finding.action == "stop" and finding.evidence.state == "idle"
    assert finding.confidence == "high"
    assert not finding.evidence.weak
    assert "GPU utilization (%) peaked at 0" in finding.reason
    assert finding.monthly_cost_usd == pytest.approx(1.006 * 730)


def test_without_the_agent_cpu_and_network_are_weaker_evidence_never_high() -> None:
    rec = record()
    result = evaluate([rec], ec2_signals(*utilization(rec, None, 1.0)), [stop_policy()], NOW)
    [finding] = result.findings
    assert finding.evidence.state == "idle" and finding.evidence.weak
    assert finding.confidence == "medium"
    assert "CPU and network alone" in finding.evidence.detail


def test_a_busy_gpu_is_active_even_when_the_cpu_idles() -> None:
    rec = record()
    busy = utilization(rec, 80.0, 1.0)
    assert evaluate([rec], ec2_signals(*busy), [stop_policy()], NOW).findings == []


def test_no_datapoints_at_all_is_unknown_and_only_reported() -> None:
    rec = record()
    silent = [MetricSeries(query=q) for q in utilization_queries(rec)]
    [finding] = evaluate([rec], ec2_signals(*silent), [stop_policy()], NOW).findings
    assert finding.evidence.state == "unknown" and finding.action == "notify"
    assert finding.confidence == "low"


@pytest.mark.parametrize("action", ["stop", "delete"])
def test_the_plan_blocks_every_step_on_a_managed_instance_saying_why(action: str) -> None:
    managed = record(**{"aws:autoscaling:groupName": "batch-gpu"})
    data = ec2_signals(*utilization(managed, 0.0, 1.0))
    findings = evaluate([managed], data, [stop_policy(action)], NOW).findings
    [planned] = plan(findings, [managed], NOW)
    [step] = planned.steps
    assert step.op == ("ec2:StopInstances" if action == "stop" else "ec2:TerminateInstances")
    assert step.blocked is not None and "Auto Scaling group" in step.blocked


def test_a_plain_idle_instance_is_stopped_and_its_ebs_volumes_are_reported_kept() -> None:
    rec = record()
    data = ec2_signals(*utilization(rec, 0.0, 1.0))
    findings = evaluate([rec], data, [stop_policy()], NOW).findings
    [planned] = plan(findings, [rec], NOW)
    [step] = planned.steps
    assert (step.op, step.blocked) == ("ec2:StopInstances", None)
    [kept] = BY_KIND[KIND].teardown.keeps(rec)
    assert "vol-1" in kept.what


def test_the_statuses_that_mean_a_stop_or_delete_is_under_way() -> None:
    # After a stop or delete call (ours, or a crashed run's), these statuses mean "wait", never
    # "call again".
    assert BY_KIND[KIND].teardown.in_progress == frozenset({"shutting-down", "stopping"})


def test_its_default_policies_are_shipped() -> None:
    assert {"idle-gpu-instances"} <= shipped_for(KIND)
