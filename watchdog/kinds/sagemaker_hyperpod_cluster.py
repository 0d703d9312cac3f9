"""sagemaker-hyperpod-cluster: SageMaker HyperPod clusters (Slurm- or EKS-orchestrated).

Every instance of every instance group bills per instance-hour until the cluster is deleted or
scaled down (aws-facts.md, issue #11). ListClusters gives names and statuses; DescribeCluster
(one call per cluster) gives the instance groups (InstanceType, CurrentCount, TrainingPlanArn),
the orchestrator (`Orchestrator.Eks.ClusterArn` for EKS) and what a recreate would need.

Idle evidence: none. A Slurm cluster publishes no native utilization metric. For an
EKS-orchestrated one, Container Insights with enhanced observability documents, in the
`ContainerInsights` namespace (CloudWatch user guide, "Amazon EKS and Kubernetes Container
Insights with enhanced observability metrics", docs.aws.amazon.com/AmazonCloudWatch/latest/
monitoring/Container-Insights-metrics-enhanced-EKS.html):
- node series (`node_cpu_utilization`, `node_memory_utilization`...) per ClusterName and per
  ClusterName, InstanceId, NodeName;
- NVIDIA GPU series (`node_gpu_utilization`: "The percentage utilization of the GPU(s)
  allocated to the node") per ClusterName; ClusterName, InstanceId, NodeName; and ClusterName,
  InstanceId, InstanceType, NodeName, GpuDevice; collected by default (opt-out
  `accelerated_compute_metrics`), Neuron series (`node_neuroncore_utilization`) likewise;
- for HyperPod only its health labels: "Beginning with version v2.0.1-eksbuild.1 of the
  CloudWatch Observability EKS add-on, Container Insights with enhanced observability for
  Amazon EKS automatically collects Amazon SageMaker AI HyperPod metrics", which are
  `hyperpod_node_health_status_{schedulable,unschedulable,unschedulable_pending_reboot,
  unschedulable_pending_replacement}` (ClusterName; ClusterName, InstanceId, NodeName): health,
  not load.
None is used, because the docs read for this (issue #17) leave open:
- which InstanceId / NodeName a HyperPod node carries in the GPU and node series. The
  add-on's HyperPod receiver (open-telemetry-collector-contrib, awsekshyperpodreceiver) takes
  InstanceId from the node name minus a `hyperpod-` prefix, for the health series only; no
  AWS page says the GPU series use ListClusterNodes' InstanceId, so they cannot yet be tied to
  this cluster's nodes;
- the ClusterName-only series aggregate every node of the EKS cluster, which may run other node
  groups: a low value there does not show this cluster's nodes idle;
- whether the add-on is installed at all (the series are then simply absent).
So the kind declares no metric queries: an idle condition on it reads `unknown` and its findings
can only notify (age, node count and cost are what they report).

Teardown is DeleteCluster, addressed by the cluster's ARN (AWS's carries a cluster id, so a
cluster deleted and created again under the same name is not the one the finding was about).
It leaves the EKS cluster, FSx for Lustre volumes, the VPC and the lifecycle-script bucket
(`keeps`); the watchdog never deletes those.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from watchdog.kinds._calls import LIST_PAGE_SIZE, description_or_gone
from watchdog.kinds._prices import studio_instances
from watchdog.kinds.base import (
    AUDIT_COMMAND,
    Kept,
    KindPermissions,
    KindSpec,
    Operation,
    Restore,
    ScanContext,
    Teardown,
)
from watchdog.records import NO_BILLING, ON_DEMAND, Kind, ResourceRecord
from watchdog.signals.models import PriceKey, PriceUnits

KIND: Kind = "sagemaker-hyperpod-cluster"

# ClusterStatus (botocore sagemaker service-2.json): Creating, Deleting, Failed, InService,
# RollingBack, SystemUpdating, Updating. DeleteCluster answers ConflictException when the
# cluster is busy, without AWS listing the states (API_DeleteCluster): the watchdog deletes
# only from the two in which no operation of AWS's is in flight, as for endpoints.
DELETABLE = frozenset({"InService", "Failed"})

# Instance hours under the AmazonSageMaker "ML Instance" products whose `platoinstancetype` is
# "Cluster" (on-demand HyperPod; "Cluster-Reserved" is reserved capacity): that value is read
# from vantage-sh/ec2instances.info's sagemaker.py, which maps "Cluster" to "HyperPod".
# INFERRED, not seen in a product: that `instanceType` holds the bare "ml.p5.48xlarge" for these
# products as it does for Studio-JupyterLab (_prices.py). A wrong guess matches no product and
# the price shows as unknown, never as another component's figure.
# No fallback price: no citable on-demand HyperPod figure was found (the public pages seen give
# EC2 Capacity Block rates, a different price), so without the Price List the cost is unknown.
HYPERPOD_PRICES = studio_instances("hyperpod", "{unit} HyperPod cluster instances", "Cluster")

GROUP_SEPARATOR = ";"


def collect(ctx: ScanContext) -> list[ResourceRecord]:
    sagemaker = ctx.client("sagemaker")
    records = []
    for page in ctx.paginate("sagemaker", "ListClusters", MaxResults=LIST_PAGE_SIZE):
        for summary in page.get("ClusterSummaries", []):
            described = _described(sagemaker, summary["ClusterArn"])
            if described is None:  # deleted between the list and the describe
                continue
            arn = described.get("ClusterArn", summary["ClusterArn"])
            records.append(to_record(ctx.account, ctx.region, described, ctx.tags(arn)))
    return records


def _described(client: Any, arn: str) -> dict[str, Any] | None:
    return description_or_gone(lambda: client.describe_cluster(ClusterName=arn))


def _group_line(group: dict[str, Any]) -> str:
    """One instance group as `name=type*count`, or `name=type*count@plan` when its instances
    run on a training plan (paid up front: deleting the cluster saves none of it)."""
    line = f"{group.get('InstanceGroupName', '?')}={group.get('InstanceType', '?')}"
    line += f"*{int(group.get('CurrentCount') or 0)}"
    return line + ("@plan" if group.get("TrainingPlanArn") else "")


def to_record(
    account: str, region: str, described: dict[str, Any], tags: dict[str, str]
) -> ResourceRecord:
    groups = described.get("InstanceGroups", [])
    count = sum(int(g.get("CurrentCount") or 0) for g in groups)
    types = sorted({str(g["InstanceType"]) for g in groups if g.get("InstanceType")})
    eks = (described.get("Orchestrator") or {}).get("Eks", {}).get("ClusterArn")
    scripts = sorted(
        {
            str(g["LifeCycleConfig"]["SourceS3Uri"])
            for g in groups
            if (g.get("LifeCycleConfig") or {}).get("SourceS3Uri")
        }
    )
    attributes = {
        "orchestrator": "eks" if eks else "slurm",
        "instance_groups": GROUP_SEPARATOR.join(_group_line(g) for g in groups),
    }
    if eks:
        attributes["eks_cluster"] = str(eks)
    if scripts:
        attributes["lifecycle_scripts"] = ",".join(scripts)
    return ResourceRecord(
        kind=KIND,
        arn=described["ClusterArn"],
        name=described.get("ClusterName") or described["ClusterArn"].rsplit("/", 1)[-1],
        account=account,
        region=region,
        status=described.get("ClusterStatus"),
        created_at=described.get("CreationTime"),
        tags=tags,
        instance_type=", ".join(types) or None,
        instance_count=count,
        billing=ON_DEMAND if count else NO_BILLING,
        attributes=attributes,
    )


def instance_groups(record: ResourceRecord) -> list[tuple[str, str, int, bool]]:
    """(group, instance type, current count, on a training plan) per instance group."""
    groups = []
    for line in filter(None, record.attributes.get("instance_groups", "").split(GROUP_SEPARATOR)):
        name, rest = line.split("=", 1)
        planned = rest.endswith("@plan")
        instance_type, count = rest.removesuffix("@plan").rsplit("*", 1)
        groups.append((name, instance_type, int(count), planned))
    return groups


def price_units(record: ResourceRecord) -> tuple[PriceUnits, ...]:
    """Instances per type across its groups; groups on a training plan are left out (their
    capacity is paid for up front, so their hours are not what deleting the cluster saves)."""
    counts: Counter[str] = Counter()
    for _, instance_type, count, planned in instance_groups(record):
        if count and not planned and instance_type != "?":
            counts[instance_type] += count
    return tuple(
        PriceUnits(
            key=PriceKey(component=HYPERPOD_PRICES.name, region=record.region, unit=unit),
            count=count,
        )
        for unit, count in sorted(counts.items())
    )


def describe(client: Any, record: ResourceRecord) -> dict[str, Any] | None:
    return _described(client, record.arn)


def delete(client: Any, record: ResourceRecord) -> None:
    client.delete_cluster(ClusterName=record.arn)


def keeps(record: ResourceRecord) -> tuple[Kept, ...]:
    """What DeleteCluster leaves (aws-facts.md: it "leaves the EKS cluster, FSx and add-ons
    behind"); the watchdog deletes none of it, as other workloads may use each."""
    kept = []
    eks = record.attributes.get("eks_cluster")
    if eks:
        kept.append(
            Kept(
                what=f"EKS cluster {eks} and its add-ons",
                reason="it orchestrates the cluster, may run other workloads and bills its "
                "control plane until deleted through EKS",
            )
        )
    kept.append(
        Kept(
            what="FSx for Lustre file systems the cluster mounted",
            reason="they hold training data and checkpoints and keep billing per GB-month "
            "until deleted through FSx",
        )
    )
    scripts = record.attributes.get("lifecycle_scripts")
    kept.append(
        Kept(
            what=f"its VPC, subnets and security groups, and lifecycle scripts ({scripts})"
            if scripts
            else "its VPC, subnets and security groups, and its lifecycle-script bucket",
            reason="they may be shared and are needed to create the cluster again",
        )
    )
    return tuple(kept)


SPEC = KindSpec(
    kind=KIND,
    about=(
        "SageMaker HyperPod clusters, Slurm- or EKS-orchestrated: ListClusters then "
        "DescribeCluster per cluster; the node count is the sum of every instance group's "
        "`CurrentCount`, and the cost is each group's instances at the HyperPod price of its "
        "`ml.*` type, groups on a training plan left out as paid up front. No utilization "
        "metric is read (none for Slurm; no Container Insights GPU series confirmed for EKS "
        "ones), so idleness is unknown and it is never deleted on its own. A delete "
        "(`sagemaker:DeleteCluster`, only when InService or Failed) keeps the EKS cluster and "
        "its add-ons, FSx for Lustre volumes, the VPC and the lifecycle-script bucket, and "
        "reports them."
    ),
    service="sagemaker",
    tag_type="sagemaker:cluster",
    depends_on=(),
    collect=collect,
    price_units=price_units,
    teardown=Teardown(
        delete=Operation(
            "sagemaker:DeleteCluster",
            DELETABLE,
            "a HyperPod cluster is deleted only when InService or Failed, not while AWS is "
            "creating, updating or rolling it back",
            invoke=delete,
        ),
        status_field="ClusterStatus",
        in_progress=frozenset({"Deleting"}),
        describe=describe,
        keeps=keeps,
    ),
    restore=Restore(
        why_not="a deleted HyperPod cluster is not recreated by the watchdog: new nodes would "
        "run its lifecycle scripts as they are in S3 now, and what was on its nodes' volumes "
        f"went with them; its recorded description (instance groups, roles, VPC) is in "
        f"{AUDIT_COMMAND} for CreateCluster"
    ),
    price_components=(HYPERPOD_PRICES,),
    iam=KindPermissions(
        scan=("sagemaker:ListClusters", "sagemaker:DescribeCluster"),
        describe="sagemaker:DescribeCluster",
    ),
)
