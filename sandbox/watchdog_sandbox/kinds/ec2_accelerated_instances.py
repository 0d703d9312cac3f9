"""Demo GPU instances for the ec2-accelerated-instance kind, through the seed hook (seed_kinds).

moto emulates EC2 itself (RunInstances, DescribeInstances with filters, Stop/Start/Terminate,
tags); what it cannot do is give an instance a history, so a seeded instance's LaunchTime is set
on moto's in-process object (as backdate.py does for the other kinds), and its CloudWatch series
are written like an agent and the hypervisor would: AWS/EC2 CPUUtilization, NetworkIn/NetworkOut
by InstanceId, and CWAgent nvidia_smi_utilization_gpu aggregated by InstanceId when the box runs
the agent.

moto's DescribeInstances compares `instance-type` filter values literally; AWS documents the `*`
and `?` wildcards for it ("p4d*": EC2 API reference, instance filters), which the kind's list
call uses, so `install()` makes moto match them as AWS does.
"""

from __future__ import annotations

import fnmatch
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

import moto.ec2.utils as ec2_utils
from moto.ec2.models import ec2_backends
from moto.moto_api._internal import mock_random

from watchdog_sandbox.backdate import BackdateError
from watchdog_sandbox.kinds import DemoTags, SandboxKind
from watchdog_sandbox.pricing import document, product_sku
from watchdog_sandbox.seed_kinds import KindSeed, SeedContext
from watchdog_sandbox.seed_metrics import hourly
from watchdog_sandbox.seed_summary import SeededResource

KIND = "ec2-accelerated-instance"
# moto's default AMI catalogue has this Amazon Linux image in every region.
DEMO_IMAGE = "ami-12c6146b"
Use = Literal["idle", "busy"]
_PATCHED = "_watchdog_instance_type_wildcards"


def install() -> None:
    """moto's instance filters match `instance-type` values with AWS's wildcards."""
    original: Callable[[Any, dict[str, Any]], bool] = ec2_utils.passes_filter_dict
    if getattr(original, _PATCHED, False):
        return

    def passes_filter_dict(instance: Any, filter_dict: dict[str, Any]) -> bool:
        patterns = filter_dict.get("instance-type")
        if patterns is None:
            return original(instance, filter_dict)
        if not any(fnmatch.fnmatchcase(instance.instance_type, p) for p in patterns):
            return False
        rest = {k: v for k, v in filter_dict.items() if k != "instance-type"}
        return original(instance, rest)

    setattr(passes_filter_dict, _PATCHED, True)
    ec2_utils.passes_filter_dict = passes_filter_dict


@dataclass(frozen=True)
class GpuInstance:
    """One accelerated instance: its Name tag, type, use and age; `agent` whether the
    CloudWatch agent publishes its GPU utilization."""

    name: str
    instance_type: str = "g5.xlarge"
    use: Use = "idle"
    age: timedelta = timedelta(days=14)
    agent: bool = True
    tags: Mapping[str, str] = field(default_factory=dict)

    def seed(self, ctx: SeedContext) -> list[SeededResource]:
        ec2 = ctx.clients.ec2(ctx.region)
        tags = {"Name": self.name, **self.tags}
        # moto draws instance ids at random: seeded from the name (and the generator then put
        # back as it was), the demo's ids are the same every run, as its other names are.
        state = mock_random.getstate()
        mock_random.seed(hashlib.sha256(f"{ctx.account_id}/{self.name}".encode()).hexdigest())
        try:
            answer = ec2.run_instances(
                ImageId=DEMO_IMAGE,
                InstanceType=self.instance_type,  # type: ignore[arg-type]
                MinCount=1,
                MaxCount=1,
                TagSpecifications=[
                    {
                        "ResourceType": "instance",
                        "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
                    }
                ],
            )
        finally:
            mock_random.setstate(state)
        instance_id = answer["Instances"][0]["InstanceId"]
        launched = ctx.now - self.age
        launch_time(ctx.account_id, ctx.region, instance_id, launched)
        self._metrics(ctx, instance_id, launched)
        summary = ctx.seeded(KIND, instance_id, tags, created_at=launched)
        return [summary.model_copy(update={"idle": self.use == "idle"})]

    def _metrics(self, ctx: SeedContext, instance_id: str, since: datetime) -> None:
        dims = [("InstanceId", instance_id)]
        stamps = hourly(ctx.now, ctx.writer.hours, since)
        busy = self.use == "busy"
        cpu = ((t, 35.0 + t.hour % 5 * 6 if busy else 0.8 + t.hour % 3 * 0.3) for t in stamps)
        net = ((t, 4.0e8 if busy else 2.0e4) for t in stamps)
        ctx.writer.series("AWS/EC2", "CPUUtilization", dims, cpu, "Percent")
        ctx.writer.series("AWS/EC2", "NetworkIn", dims, net, "Bytes")
        ctx.writer.series("AWS/EC2", "NetworkOut", dims, iter(_copy(stamps, busy)), "Bytes")
        if self.agent:
            gpu = ((t, 72.0 + t.hour % 4 * 5 if busy else 0.0) for t in stamps)
            ctx.writer.series("CWAgent", "nvidia_smi_utilization_gpu", dims, gpu, "Percent")


def gpu_instances(tags: DemoTags) -> tuple[KindSeed, ...]:
    """The demo's: a forgotten GPU dev box (the CloudWatch agent shows its GPU idle for two
    weeks), one in use, one an Auto Scaling group runs and one exempt: only the first is ever
    stopped."""
    asg = {**tags.recsys, "aws:autoscaling:groupName": "recsys-batch-gpu"}
    return (
        GpuInstance("llm-finetune-devbox", tags=tags.genai, age=timedelta(days=16)),
        GpuInstance("vllm-model-server", use="busy", tags=tags.nlp, age=timedelta(days=30)),
        GpuInstance("batch-inference-asg-node", tags=asg, age=timedelta(days=20)),
        GpuInstance("research-gpu-box", tags=tags.exempt, age=timedelta(days=25)),
    )


def bench_instance(i: int) -> KindSeed:
    """The i-th of many for bench/scan.py: busy one in three, the agent on every other one."""
    use: Use = "busy" if i % 3 == 0 else "idle"
    return GpuInstance(
        f"bench-gpu-{i:04d}", use=use, age=timedelta(days=10), agent=i % 2 == 0, tags={}
    )


# Served under service code AmazonEC2 with the attributes of real AmazonEC2 products
# (productFamily "Compute Instance", instanceType, operatingSystem Linux, tenancy Shared,
# preInstalledSw NA, capacitystatus Used, licenseModel, usagetype <prefix>-BoxUsage:<type>,
# operation RunInstances), as watchdog.kinds._ec2 asks for them. g5.xlarge in us-east-1 (1.006)
# is the cited figure of the shipped fallback table; every other figure is made up.
CATALOG: dict[str, Any] = {
    "serviceCode": "AmazonEC2",
    "serviceName": "Amazon Elastic Compute Cloud",
    "instances": {
        "g5.xlarge": {
            "vcpu": "4",
            "memory": "16 GiB",
            "gpu": "1",
            "instanceFamily": "GPU instance",
        },
        "g5.2xlarge": {
            "vcpu": "8",
            "memory": "32 GiB",
            "gpu": "1",
            "instanceFamily": "GPU instance",
        },
    },
    "prices": {
        "g5.xlarge": {"us-east-1": "1.006", "us-west-2": "1.006", "eu-west-1": "1.123"},
        "g5.2xlarge": {"us-east-1": "1.212", "us-west-2": "1.212", "eu-west-1": "1.353"},
    },
}


def price_products(header: Mapping[str, Any]) -> list[dict[str, Any]]:
    """AmazonEC2 Linux on-demand instance hours, in the catalog's regions."""
    ec2 = {**header, **CATALOG}
    products = []
    for instance, by_region in CATALOG["prices"].items():
        for region, usd in by_region.items():
            # AmazonEC2 usage types carry no region prefix in us-east-1 (BoxUsage:g5.xlarge).
            place = header["regions"][region]
            prefix = "" if region == "us-east-1" else f"{place['usagePrefix']}-"
            attributes = {
                "usagetype": f"{prefix}BoxUsage:{instance}",
                "operation": "RunInstances",
                "instanceType": instance,
                "operatingSystem": "Linux",
                "tenancy": "Shared",
                "preInstalledSw": "NA",
                "capacitystatus": "Used",
                "licenseModel": "No License required",
                **CATALOG["instances"][instance],
            }
            description = f"${usd} per On Demand Linux {instance} Instance Hour"
            sku = product_sku(CATALOG["serviceCode"], instance, region)
            price = (usd, "Hrs", description)
            products.append(document(ec2, region, sku, "Compute Instance", attributes, price))
    return products


def _copy(stamps: list[datetime], busy: bool) -> list[tuple[datetime, float]]:
    return [(t, 3.0e8 if busy else 1.5e4) for t in stamps]


def launch_time(account_id: str, region: str, instance_id: str, launched: datetime) -> None:
    """Set LaunchTime on moto's instance (moto keeps a naive-UTC datetime)."""
    try:
        instance: Any = ec2_backends[account_id][region].get_instance(instance_id)
    except Exception as error:  # moto raises its own InvalidInstanceIdError
        raise BackdateError(f"instance {instance_id} not in this process's emulator") from error
    existing = instance.launch_time
    moment = launched.replace(tzinfo=None) if existing.tzinfo is None else launched
    instance.launch_time = moment


def remaining(client: Callable[[str], Any]) -> set[str]:
    left = set()
    for page in client("ec2").get_paginator("describe_instances").paginate():
        for instance in (i for r in page["Reservations"] for i in r["Instances"]):
            state = instance["State"]["Name"]
            if state in ("shutting-down", "terminated"):
                continue  # terminated: gone, though DescribeInstances lists it for a while
            left.add(f"{KIND} {instance['InstanceId']} {state}")
    return left


SANDBOX = SandboxKind(
    install=install,
    products=price_products,
    demo=gpu_instances,
    bench={KIND: bench_instance},
    remaining=remaining,
)
