"""What the ec2-accelerated-instance kind knows about EC2 besides its calls: which instances other
software manages, its CloudWatch series and how the AWS Price List names its on-demand price.

Managed instances, by the tags their owners put on them. Confirmed by AWS documentation:
- `aws:autoscaling:groupName`: Amazon EC2 Auto Scaling tags the instances it launches (Auto
  Scaling user guide, "Tag Auto Scaling groups and instances"); a stopped instance is replaced by
  the group as unhealthy, so stopping one saves nothing and fights the group. This tag is what
  covers EKS managed node groups ("Every managed node is provisioned as part of an Amazon EC2
  Auto Scaling group that's managed for you by Amazon EKS": EKS user guide, "Simplify node
  lifecycle with managed node groups") and ECS capacity providers on EC2 ("you use Auto Scaling
  groups to manage the Amazon EC2 instances registered to their clusters": ECS developer guide,
  "Amazon ECS capacity providers for the EC2 launch type").
- `kubernetes.io/cluster/<name>`: the EKS user guide ("Self-managed nodes") says to add it to
  each self-managed node.
- `eks:cluster-name`, `eks:nodegroup-name` (EKS managed node groups): AWS's managed policy
  AWSServiceRoleForAmazonEKSNodegroup (v11; docs.aws.amazon.com/aws-managed-policy/latest/
  reference/AWSServiceRoleForAmazonEKSNodegroup.html) lets EKS tag instances only at launch
  ("AllowTaggingEC2ResourcesOnlyDuringInstanceCreation": ec2:CreateTags on instance/* with
  ec2:CreateAction RunInstances, tag keys "eks", "eks:cluster-name", "eks:nodegroup-name",
  "kubernetes.io/cluster/*") and reboots for auto repair only instances carrying
  `ec2:ResourceTag/eks:nodegroup-name`. The policy, not prose, is what documents the keys.
- `karpenter.sh/nodepool` (v1; `karpenter.sh/provisioner-name` before): Karpenter's docs
  (karpenter.sh/docs/concepts/nodeclasses/, "spec.tags", from aws/karpenter-provider-aws):
  "Karpenter adds tags to all resources it creates, including EC2 Instances, EBS volumes, and
  Launch Templates", by default `Name`, `karpenter.sh/nodeclaim`, `karpenter.sh/nodepool`,
  `karpenter.k8s.aws/ec2nodeclass` and `kubernetes.io/cluster/<cluster-name>: owned` (so the
  Kubernetes prefix above covers Karpenter nodes too).
Kept as precautions, NOT found in AWS documentation (a key no instance carries refuses nothing;
one that is real keeps a managed instance safe):
- `aws:eks:cluster-name`, `karpenter.sh/managed-by`: said by third-party code and older
  Karpenter docs to be on nodes EKS (Auto Mode) and Karpenter launch, not on an AWS page.
- `AmazonECSManaged`: AWS documents it on the capacity provider's Auto Scaling group, not on
  its instances: AmazonECSServiceRolePolicy (v23) lets ECS change only groups with
  `autoscaling:ResourceTag/AmazonECSManaged`; Pulumi's and Terraform's provider docs say it is
  propagated to the instances when the group propagates it at launch. Those instances carry
  the Auto Scaling tag anyway.
- `aws:ecs:clusterName` (ECS), `aws:batch:compute-environment` (Batch): no source at all, and
  the Batch key is contradicted: AWS Batch's service-linked role policy BatchServiceRolePolicy
  (v7; docs.aws.amazon.com/aws-managed-policy/latest/reference/BatchServiceRolePolicy.html)
  lets Batch run instances only with the request tag key `AWSBatchServiceTag`
  (`aws:RequestTag/AWSBatchServiceTag` not null) and terminate only instances and Spot Fleets
  carrying it; its Auto Scaling groups are named `AWSBatch*`. So Batch-launched instances carry
  `AWSBatchServiceTag`, which MANAGED_BY_TAG lists (the other key stays a precaution). Batch's
  guide ("Tag your resources") says a compute environment's own tags "do not propagate to any
  other resources".
Any of those on an instance: the plan marks its stop or terminate blocked, and says which owner
would undo it.
Also refused, whatever its tags: an instance DescribeInstances reports as service-managed
(`Operator.Managed`, with the service in `Operator.Principal`; botocore ec2 2016-11-15
OperatorResponse). ECS Managed Instances are such instances: AmazonECSComputeServiceRolePolicy
(v6) terminates only instances whose `ec2:ManagedResourceOperator` is `ecs.amazonaws.com`; they
are in no Auto Scaling group, so no tag above would catch them.

Idle evidence (aws-facts.md): the CloudWatch agent's NVIDIA collection publishes
`nvidia_smi_utilization_gpu` in the `CWAgent` namespace (CloudWatch user guide, "Collect NVIDIA GPU
metrics"), per GPU (dimensions index, name, host); the series asked for here is the one the agent
publishes when its config aggregates by instance (`aggregation_dimensions: [["InstanceId"]]`).
Without it, AWS/EC2 CPUUtilization and NetworkIn/NetworkOut (InstanceId) are weaker evidence:
a GPU job can run with an idle CPU and little network, so a finding on them is never "high".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from watchdog.kinds._prices import in_region, term_match
from watchdog.records import ResourceRecord
from watchdog.signals.models import (
    FallbackPrice,
    MetricQuery,
    PriceComponentSpec,
    PriceFilters,
    PriceKey,
)

# Tag keys (exact) and key prefixes whose presence says another service owns the instance.
MANAGED_BY_TAG = {
    "aws:autoscaling:groupName": "its Auto Scaling group",
    "eks:cluster-name": "its EKS cluster",
    "eks:nodegroup-name": "its EKS node group",
    "aws:eks:cluster-name": "its EKS cluster",
    "AmazonECSManaged": "its ECS capacity provider",
    "aws:ecs:clusterName": "its ECS cluster",
    "aws:batch:compute-environment": "its AWS Batch compute environment",
    "AWSBatchServiceTag": "its AWS Batch compute environment",
    "karpenter.sh/nodepool": "Karpenter",
    "karpenter.sh/provisioner-name": "Karpenter",
    "karpenter.sh/managed-by": "Karpenter",
}
MANAGED_BY_PREFIX = {"kubernetes.io/cluster/": "its Kubernetes cluster"}

# Idle below these, per datapoint of the query's statistic (GPU and CPU: percent at peak;
# network: average bytes per 5-minute sample, about 17 kB/s).
GPU_IDLE_BELOW = 5.0
CPU_IDLE_BELOW = 5.0
NETWORK_IDLE_BELOW = 5_000_000.0

EC2_SERVICE_CODE = "AmazonEC2"


# The record attribute holding `Operator.Principal` of a service-managed instance.
OPERATOR_ATTRIBUTE = "managed_by_service"


def operator_attributes(instance: Mapping[str, Any]) -> dict[str, str]:
    """A service-managed instance's operator (DescribeInstances' `Operator`), as attributes."""
    operator = instance.get("Operator") or {}
    if not operator.get("Managed"):
        return {}
    return {OPERATOR_ATTRIBUTE: str(operator.get("Principal") or "an AWS service")}


def managed_by(record: ResourceRecord) -> str | None:
    """Why watchdog must not stop or terminate it itself (another service manages it), or None."""
    operator = record.attributes.get(OPERATOR_ATTRIBUTE)
    if operator is not None:
        return (
            f"it is managed by {operator} (EC2 reports its operator): stopping or terminating "
            "it there would be undone or break it; scale or delete it through its owner"
        )
    for key in sorted(record.tags):
        owner = MANAGED_BY_TAG.get(key) or next(
            (o for p, o in MANAGED_BY_PREFIX.items() if key.startswith(p)), None
        )
        if owner is not None:
            return (
                f"it is managed by {owner} (tag {key}): stopping or terminating it there "
                "would be undone or break it; scale or delete it through its owner"
            )
    return None


def utilization_queries(record: ResourceRecord) -> tuple[MetricQuery, ...]:
    """GPU utilization (strong) when the agent publishes it; CPU and network (weak) always."""
    instance = (("InstanceId", record.name),)
    gpu = MetricQuery(
        resource_arn=record.arn,
        role="utilization",
        namespace="CWAgent",
        metric="nvidia_smi_utilization_gpu",
        stat="Maximum",
        dimensions=instance,
        label="GPU utilization (%)",
        idle_below=GPU_IDLE_BELOW,
    )
    weak = [
        MetricQuery(
            resource_arn=record.arn,
            role="utilization",
            namespace="AWS/EC2",
            metric=metric,
            stat=stat,
            dimensions=instance,
            label=label,
            idle_below=below,
            weak=True,
        )
        for metric, stat, label, below in (
            ("CPUUtilization", "Maximum", "CPU utilization (%)", CPU_IDLE_BELOW),
            ("NetworkIn", "Average", "network in (bytes per sample)", NETWORK_IDLE_BELOW),
            ("NetworkOut", "Average", "network out (bytes per sample)", NETWORK_IDLE_BELOW),
        )
    ]
    return (gpu, *weak)


def _on_demand_filters(key: PriceKey) -> PriceFilters:
    # The attribute values of a Linux, shared-tenancy, on-demand "Compute Instance" product in
    # the AmazonEC2 offer (capacitystatus "Used": the instance-hour row, not reservations), as
    # the Pulumi aws.pricing.getProduct example filters them and as real AmazonEC2 products
    # carry them (preInstalledSw "NA", tenancy "Shared", operatingSystem "Linux").
    return [
        in_region(key),
        term_match("instanceType", key.unit),
        term_match("operatingSystem", "Linux"),
        term_match("tenancy", "Shared"),
        term_match("preInstalledSw", "NA"),
        term_match("capacitystatus", "Used"),
    ]


EC2_INSTANCE_PRICES = PriceComponentSpec(
    name="ec2-instance",
    words="{unit} EC2 instances (Linux, on-demand)",
    service_code=EC2_SERVICE_CODE,
    filters=_on_demand_filters,
    # vantage-sh ec2instances.info's page for g5.xlarge (built from AWS's AmazonEC2 offer file),
    # the figure public cost scripts quote; not read from an AWS page here. Other instance
    # types: no row.
    fallback=(
        FallbackPrice(
            "us-east-1",
            "g5.xlarge",
            1.006,
            "instances.vantage.sh/aws/ec2/g5.xlarge (ec2instances.info, from AWS's AmazonEC2 "
            "offer): Linux on-demand, us-east-1",
            "2026-11-24",
        ),
    ),
)
