"""ec2-accelerated-instance: EC2 instances of the accelerated families g, p, inf, trn and dl
(GPU development boxes, self-hosted model servers).

DescribeInstances is asked for those families only: its `instance-type` filter takes the `*`
wildcard (EC2 API reference, filters: "p4d*"), and for instances in the states that bill
(pending, running, stopping, stopped; terminated and shutting-down ones are not listed). Tags
come with the instance. A stopped instance bills only its EBS volumes ("storage"), whose size
the list does not price. Stop keeps the EBS volumes (reported); terminate only when a policy's
action is delete; restore of a stop is a start. Instances another service manages (Auto
Scaling, EKS, ECS, Batch, Karpenter: `_ec2.managed_by`) are never stopped or terminated.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from watchdog.kinds._ec2 import (
    EC2_INSTANCE_PRICES,
    managed_by,
    operator_attributes,
    utilization_queries,
)
from watchdog.kinds._fields import instance_hours, tag_dict
from watchdog.kinds._park import Park
from watchdog.kinds.base import (
    AUDIT_COMMAND,
    Kept,
    KindPermissions,
    KindSpec,
    Operation,
    Restart,
    Restore,
    ScanContext,
    Teardown,
)
from watchdog.records import ON_DEMAND, BillingMode, Kind, ResourceRecord
from watchdog.signals.models import PriceUnits

KIND: Kind = "ec2-accelerated-instance"
PREFIXES = ("g", "p", "inf", "trn", "dl")
FAMILIES = tuple(f"{p}*" for p in PREFIXES)
LISTED_STATES = ("pending", "running", "stopping", "stopped")
STORAGE_ONLY_STATES = frozenset({"stopping", "stopped"})
PAGE_SIZE = 1000  # DescribeInstances MaxResults: 5-1000


def _accelerated(instance_type: str) -> bool:
    """The wildcards would also match a family named like "gr6": keep the five families only
    (the letters, then the generation's digit: g5, p4d, inf2, trn1n, dl1)."""
    family = instance_type.split(".", 1)[0]
    return any(family.startswith(p) and family[len(p) : len(p) + 1].isdigit() for p in PREFIXES)


def collect(ctx: ScanContext) -> list[ResourceRecord]:
    pages = ctx.paginate(
        "ec2",
        "DescribeInstances",
        Filters=[
            {"Name": "instance-type", "Values": list(FAMILIES)},
            {"Name": "instance-state-name", "Values": list(LISTED_STATES)},
        ],
        MaxResults=PAGE_SIZE,
    )
    return [
        to_record(ctx.account, ctx.region, ctx.partition, instance)
        for page in pages
        for reservation in page.get("Reservations", [])
        for instance in reservation.get("Instances", [])
        if _accelerated(instance.get("InstanceType", ""))
    ]


def to_record(
    account: str, region: str, partition: str, instance: dict[str, Any]
) -> ResourceRecord:
    instance_id = instance["InstanceId"]
    status = instance.get("State", {}).get("Name")
    storage_only = status in STORAGE_ONLY_STATES
    tags = tag_dict(instance.get("Tags"))
    volumes = [m["Ebs"]["VolumeId"] for m in instance.get("BlockDeviceMappings", []) if "Ebs" in m]
    attributes = {"volumes": ",".join(volumes)} if volumes else {}
    attributes.update(operator_attributes(instance))
    if tags.get("Name"):
        attributes["name_tag"] = tags["Name"]
    return ResourceRecord(
        kind=KIND,
        arn=f"arn:{partition}:ec2:{region}:{account}:instance/{instance_id}",
        name=instance_id,
        account=account,
        region=region,
        status=status,
        created_at=instance.get("LaunchTime"),
        tags=tags,
        instance_type=instance.get("InstanceType"),
        instance_count=0 if storage_only else 1,
        billing=BillingMode(mode="storage") if storage_only else ON_DEMAND,
        attributes=attributes,
    )


def price_units(record: ResourceRecord) -> tuple[PriceUnits, ...]:
    return instance_hours(record, EC2_INSTANCE_PRICES.name)


def running_since(record: ResourceRecord) -> datetime | None:
    """LaunchTime is the last start (EC2 resets it when a stopped instance starts)."""
    return record.created_at


def describe(client: Any, record: ResourceRecord) -> dict[str, Any] | None:
    try:
        answer = client.describe_instances(InstanceIds=[record.name])
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "InvalidInstanceID.NotFound":
            return None
        raise
    found = [i for r in answer.get("Reservations", []) for i in r.get("Instances", [])]
    if not found or found[0].get("State", {}).get("Name") == "terminated":
        return None
    return {**found[0], "StateName": found[0]["State"]["Name"]}


def keeps(record: ResourceRecord) -> tuple[Kept, ...]:
    volumes = record.attributes.get("volumes") or "its EBS volumes"
    return (
        Kept(
            what=f"EBS volumes of {record.name} ({volumes})",
            reason="stopping keeps them and they keep billing per GB-month; terminating "
            "deletes those marked DeleteOnTermination",
        ),
    )


STOP = Operation(
    "ec2:StopInstances",
    frozenset({"running"}),
    "an instance can be stopped only when running",
    invoke=lambda client, record: client.stop_instances(InstanceIds=[record.name]),
    settled=frozenset({"stopped"}),
)
START = Operation(
    "ec2:StartInstances",
    frozenset({"stopped"}),
    "an instance can be started only when stopped",
    invoke=lambda client, record: client.start_instances(InstanceIds=[record.name]),
    settled=frozenset({"running"}),
    underway=frozenset({"pending"}),
)


SPEC = KindSpec(
    kind=KIND,
    about=(
        "EC2 instances of the g, p, inf, trn and dl families (GPU dev boxes, self-hosted "
        "model servers), listed with DescribeInstances filtered by family, in the states that "
        "bill. GPU utilization is read from the CloudWatch agent (`CWAgent` "
        "`nvidia_smi_utilization_gpu`, aggregated by `InstanceId`); without it, CPU and "
        "network are a weaker hint and a finding is at most medium confidence. One in an Auto "
        "Scaling group, managed by EKS, ECS, Batch or Karpenter (their tags) or reported by EC2 "
        "as service-managed (its Operator, as ECS Managed Instances are) is never "
        "stopped or terminated: its step is blocked, saying which owner to go through. A stop "
        "keeps its EBS volumes (which still bill)."
    ),
    service="ec2",
    tag_type="ec2:instance",
    depends_on=(),
    collect=collect,
    metric_queries=utilization_queries,
    price_units=price_units,
    running_since=running_since,
    teardown=Teardown(
        stop=STOP,
        delete=Operation(
            "ec2:TerminateInstances",
            frozenset({"running", "stopped"}),
            "an instance is terminated only when running or stopped",
            invoke=lambda client, record: client.terminate_instances(InstanceIds=[record.name]),
        ),
        status_field="StateName",
        in_progress=frozenset({"stopping", "shutting-down"}),
        describe=describe,
        keeps=keeps,
        refuses=managed_by,
    ),
    restore=Restore(
        restart=Restart(
            op=START.op,
            request=lambda name: {"InstanceIds": [name]},
            from_states=START.allowed_states or frozenset(),
            noun="EC2 instance",
            gone_because=", and its instance store with it",
        ),
        why_not="it was terminated: it cannot be restored (EBS volumes marked "
        f"DeleteOnTermination went with it); its recorded description is in {AUDIT_COMMAND}",
    ),
    # Stopping keeps the EBS volumes (billed) and loses instance-store data; starting may meet
    # InsufficientInstanceCapacity, and a public IPv4 address that is not an Elastic IP changes
    # (EC2 User Guide, "Stop and start Amazon EC2 instances"; "Troubleshoot instance launch").
    park=Park(
        park=STOP,
        resume=START,
        keeps="its EBS volumes (billed per GB-month while parked); instance-store data is lost, "
        "and a public IPv4 address that is not an Elastic IP changes",
        resume_takes="a minute or two; when AWS lacks capacity for its type the next run "
        "tries again",
    ),
    price_components=(EC2_INSTANCE_PRICES,),
    iam=KindPermissions(
        scan=("ec2:DescribeInstances",),
        describe="ec2:DescribeInstances",
        restore=("ec2:StartInstances",),
    ),
)
