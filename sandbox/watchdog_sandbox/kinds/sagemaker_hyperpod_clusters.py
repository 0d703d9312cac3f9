"""SageMaker HyperPod clusters in moto as AWS documents them, and the demo's clusters.

moto 5.2.5 has CreateCluster, DescribeCluster, ListClusters, ListClusterNodes and DeleteCluster,
with tags (ListTags, and `sagemaker:cluster` in the tagging API). What it gets wrong, and
`install()` corrects (botocore sagemaker service-2.json 2017-07-24; API_DeleteCluster):
- CreateCluster drops `Orchestrator` (an EKS-orchestrated cluster's `Orchestrator.Eks.
  ClusterArn`), and fails on an instance group without `ThreadsPerCore` (optional on AWS);
- DescribeCluster and DeleteCluster answer a missing cluster with ValidationException; AWS's
  model declares `ResourceNotFound`;
- its cluster ARNs end in the name; AWS's end in a 12-character cluster id (`cluster/[a-z0-9]{12}`,
  the ClusterName pattern): here the id is derived from the account, region and name, and every
  call taking a name or ARN (Describe, Delete, ListTags/AddTags) resolves either;
- DeleteCluster removes the cluster at once and in any status. AWS declares ConflictException
  for it; which states conflict is not listed, so this emulation refuses every state but
  InService and Failed (the states the watchdog deletes from) and shows the cluster `Deleting`
  (transitions.py) before it is gone.
"""

from __future__ import annotations

import base64
import copy
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from moto.core.responses import ActionResult
from moto.sagemaker.exceptions import ConflictException, ResourceNotFound
from moto.sagemaker.models import SageMakerModelBackend, sagemaker_backends
from moto.sagemaker.responses import SageMakerResponse

from watchdog_sandbox import sagemaker_common as common
from watchdog_sandbox.backdate import BackdateError
from watchdog_sandbox.kinds import DemoTags, SandboxKind
from watchdog_sandbox.pricing import instance_products
from watchdog_sandbox.seed_kinds import KindSeed, SeedContext
from watchdog_sandbox.seed_summary import SeededResource
from watchdog_sandbox.transitions import AsyncStatus

KIND = "sagemaker-hyperpod-cluster"
_TAG = "watchdog.sagemaker_hyperpod_clusters"
_STATUS = "_watchdog_status"
_ORCHESTRATOR = "_watchdog_orchestrator"
DELETABLE = frozenset({"InService", "Failed"})


def install() -> None:
    common.add_actions({"create_cluster": _create_cluster})
    common.wrap_method(SageMakerModelBackend, "describe_cluster", _TAG, _wrap_describe)
    common.wrap_method(SageMakerModelBackend, "delete_cluster", _TAG, _wrap_delete)
    common.wrap_method(SageMakerModelBackend, "list_clusters", _TAG, _wrap_list)
    common.wrap_method(SageMakerModelBackend, "_get_resource_from_arn", _TAG, _wrap_resource)
    common.wrap_method(SageMakerModelBackend, "list_cluster_nodes", _TAG, _wrap_nodes)


def cluster_id(account_id: str, region: str, name: str) -> str:
    """A stable AWS-shaped cluster id: 12 characters of [a-z0-9] (base32 is a-z and 2-7)."""
    digest = hashlib.sha256(f"{account_id}/{region}/{name}".encode()).digest()
    return base64.b32encode(digest).decode().lower()[:12]


def _create_cluster(self: SageMakerResponse) -> ActionResult:
    groups = copy.deepcopy(self._get_param("InstanceGroups") or [])
    for group in groups:
        group.setdefault("ThreadsPerCore", None)  # optional on AWS; moto reads it unguarded
    backend = self.sagemaker_backend
    arn = backend.create_cluster(
        cluster_name=self._get_param("ClusterName"),
        instance_groups=groups,
        vpc_config=self._get_param("VpcConfig"),
        tags=self._get_param("Tags"),
    )
    cluster = backend.clusters[self._get_param("ClusterName")]
    setattr(cluster, _ORCHESTRATOR, self._get_param("Orchestrator"))
    prefix = arn.rsplit("/", 1)[0]
    cluster.arn = (
        f"{prefix}/{cluster_id(backend.account_id, backend.region_name, cluster.cluster_name)}"
    )
    return ActionResult({"ClusterArn": cluster.arn})


def _status(cluster: Any) -> AsyncStatus:
    found: AsyncStatus | None = getattr(cluster, _STATUS, None)
    if found is None:
        found = AsyncStatus(cluster.status)
        setattr(cluster, _STATUS, found)
    return found


def _name(backend: Any, name_or_arn: str) -> str:
    """The cluster's name from its name or ARN (an unknown ARN stays as it is: not found)."""
    if not name_or_arn.startswith("arn:"):
        return name_or_arn
    wanted = name_or_arn.lower()
    return next((n for n, c in backend.clusters.items() if c.arn.lower() == wanted), name_or_arn)


def _wrap_nodes(original: Callable[..., Any]) -> Callable[..., Any]:
    def list_cluster_nodes(self: Any, cluster_name: str, **kwargs: Any) -> Any:
        name = _name(self, cluster_name)
        if _observe(self, name) is None:
            raise ResourceNotFound(f"Cluster {cluster_name} not found.")
        return original(self, name, **kwargs)

    return list_cluster_nodes


def _wrap_resource(original: Callable[..., Any]) -> Callable[..., Any]:
    def _get_resource_from_arn(self: Any, arn: str) -> Any:
        if ":cluster/" not in arn:
            return original(self, arn)
        cluster = _observe(self, _name(self, arn))
        if cluster is None:
            raise ResourceNotFound(f"Resource [{arn}] does not exist.")
        return cluster

    return _get_resource_from_arn


def _observe(backend: Any, name: str) -> Any | None:
    """The cluster after a client read (counts towards a transition), None once it is gone."""
    cluster = backend.clusters.get(name)
    if cluster is None:
        return None
    status = _status(cluster).observe()
    if status is None:
        del backend.clusters[name]
        return None
    cluster.status = status
    return cluster


def _wrap_describe(original: Callable[..., Any]) -> Callable[..., Any]:
    def describe_cluster(self: Any, cluster_name: str) -> dict[str, Any]:
        name = _name(self, cluster_name)
        if _observe(self, name) is None:
            raise ResourceNotFound(f"Cluster {cluster_name} not found.")
        answer: dict[str, Any] = original(self, name)
        orchestrator = getattr(self.clusters[name], _ORCHESTRATOR, None)
        return {**answer, "Orchestrator": orchestrator} if orchestrator else answer

    return describe_cluster


def _wrap_delete(original: Callable[..., Any]) -> Callable[..., Any]:
    del original  # AWS deletes asynchronously and refuses a busy cluster: replaced, not called

    def delete_cluster(self: Any, cluster_name: str) -> str:
        cluster = _observe(self, _name(self, cluster_name))
        if cluster is None:
            raise ResourceNotFound(f"Cluster {cluster_name} not found.")
        if cluster.status not in DELETABLE:
            raise ConflictException(
                f"Cluster {cluster.cluster_name} is in status {cluster.status} and cannot be "
                "deleted now."
            )
        _status(cluster).begin("Deleting", None)
        cluster.status = "Deleting"
        arn: str = cluster.arn
        return arn

    return delete_cluster


def _wrap_list(original: Callable[..., Any]) -> Callable[..., Any]:
    def list_clusters(self: Any, *args: Any, **kwargs: Any) -> Any:
        for name in list(self.clusters):
            _observe(self, name)
        return original(self, *args, **kwargs)

    return list_clusters


def set_status(account_id: str, region: str, name: str, status: str) -> None:
    """Put a cluster in `status` now (a test's cluster that AWS is updating)."""
    cluster = sagemaker_backends[account_id][region].clusters[name]
    _status(cluster).set(status)
    cluster.status = status


def created(account_id: str, region: str, name: str, moment: datetime) -> None:
    """Set CreationTime on moto's cluster (moto keeps an aware UTC datetime)."""
    cluster = sagemaker_backends[account_id][region].clusters.get(name)
    if cluster is None:
        raise BackdateError(f"cluster {name} not in this process's emulator")
    existing = cluster.creation_time
    cluster.creation_time = moment.replace(tzinfo=None) if existing.tzinfo is None else moment


@dataclass(frozen=True)
class Group:
    name: str
    instance_type: str
    count: int


@dataclass(frozen=True)
class HyperPodCluster:
    """One demo cluster: its groups, age and tags; `eks` the EKS cluster orchestrating it
    (None: Slurm)."""

    name: str
    groups: tuple[Group, ...]
    age: timedelta = timedelta(days=21)
    eks: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def seed(self, ctx: SeedContext) -> list[SeededResource]:
        role = f"arn:aws:iam::{ctx.account_id}:role/hyperpod-instance-role"
        request: dict[str, Any] = {
            "ClusterName": self.name,
            "InstanceGroups": [
                {
                    "InstanceGroupName": g.name,
                    "InstanceType": g.instance_type,
                    "InstanceCount": g.count,
                    "ExecutionRole": role,
                    "LifeCycleConfig": {
                        # AWS's managed instance policy reads scripts from sagemaker-* buckets.
                        "SourceS3Uri": f"s3://sagemaker-{self.name}-lifecycle/scripts/",
                        "OnCreate": "on_create.sh",
                    },
                }
                for g in self.groups
            ],
            "VpcConfig": {"SecurityGroupIds": ["sg-0hyperpod0"], "Subnets": ["subnet-0hyperpod"]},
            "Tags": [{"Key": k, "Value": v} for k, v in self.tags.items()],
        }
        if self.eks:
            arn = f"arn:aws:eks:{ctx.region}:{ctx.account_id}:cluster/{self.eks}"
            request["Orchestrator"] = {"Eks": {"ClusterArn": arn}}
        ctx.clients.sagemaker(ctx.region).create_cluster(**request)
        moment = ctx.now - self.age
        created(ctx.account_id, ctx.region, self.name, moment)
        return [ctx.seeded(KIND, self.name, self.tags, created_at=moment)]


def hyperpod_clusters(tags: DemoTags) -> tuple[KindSeed, ...]:
    """The demo's: a Slurm cluster left up after a fine-tuning run (2 x ml.g5.12xlarge workers
    and a controller, three weeks old), an EKS-orchestrated one, and an exempt one."""
    return (
        HyperPodCluster(
            "llm-finetune-slurm",
            (Group("controller", "ml.m5.xlarge", 1), Group("workers", "ml.g5.12xlarge", 2)),
            tags=tags.genai,
        ),
        HyperPodCluster(
            "genai-eks-hyperpod",
            (Group("gpu-workers", "ml.g5.2xlarge", 2),),
            age=timedelta(days=12),
            eks="genai-eks",
            tags=tags.genai,
        ),
        HyperPodCluster(
            "research-hyperpod",
            (Group("workers", "ml.g5.xlarge", 1),),
            age=timedelta(days=30),
            tags=tags.exempt,
        ),
    )


def bench_cluster(i: int) -> KindSeed:
    """The i-th of many for bench/scan.py: a Slurm cluster with one small group."""
    return HyperPodCluster(f"bench-hyperpod-{i:04d}", (Group("workers", "ml.m5.xlarge", 1),))


# Its AmazonSageMaker products: platoinstancetype "Cluster" as vantage-sh/ec2instances.info's
# sagemaker.py reads it; the bare instanceType and the usage type <prefix>-Cluster:<type> are
# ASSUMED, not seen in a real product. Every figure is made up (the hosting figures of the same
# types).
COMPONENT = {
    "component": None,
    "platoinstancetype": "Cluster",
    "usage": "Cluster:{instance}",
    "instanceType": "{instance}",
    "label": "HyperPod Cluster",
}
PRICES = {  # instance -> us-east-1, us-west-2, eu-west-1, USD an hour
    "ml.m5.xlarge": ("0.23", "0.23", "0.2569"),
    "ml.g5.xlarge": ("1.408", "1.408", "1.5727"),
    "ml.g5.2xlarge": ("1.515", "1.515", "1.6923"),
    "ml.g5.12xlarge": ("7.09", "7.09", "7.9195"),
}


def price_products(catalog: Mapping[str, Any]) -> list[dict[str, Any]]:
    regions = ("us-east-1", "us-west-2", "eu-west-1")
    rows = [
        {"component": "HyperPod", "instance": instance, "usd": dict(zip(regions, usd, strict=True))}
        for instance, usd in PRICES.items()
    ]
    return instance_products({**catalog, "components": {"HyperPod": COMPONENT}, "prices": rows})


def remaining(client: Callable[[str], Any]) -> set[str]:
    pages = client("sagemaker").get_paginator("list_clusters").paginate()
    clusters = (c for page in pages for c in page["ClusterSummaries"])
    return {f"{KIND} {c['ClusterName']} {c['ClusterStatus']}" for c in clusters}


SANDBOX = SandboxKind(
    install=install,
    products=price_products,
    demo=hyperpod_clusters,
    bench={KIND: bench_cluster},
    remaining=remaining,
)
