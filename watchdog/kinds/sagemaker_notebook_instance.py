"""sagemaker-notebook-instance: classic notebook instances.

The list call carries status, instance type and times, so nothing is described. A Stopped or
Failed instance still bills its EBS volume ("storage"); there is no native idle metric.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from watchdog.kinds._calls import LIST_PAGE_SIZE, description_or_gone
from watchdog.kinds._fields import instance_hours
from watchdog.kinds._park import Park
from watchdog.kinds._prices import recorded, sagemaker_instances
from watchdog.kinds.base import (
    AUDIT_COMMAND,
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

KIND: Kind = "sagemaker-notebook-instance"
STORAGE_ONLY_STATES = frozenset({"Stopped", "Failed"})
NOTEBOOK_PRICES = sagemaker_instances(
    "notebook",
    "{unit} notebooks",
    "Notebook",
    fallback=(recorded("ml.t3.medium", 0.05, "SageMaker notebook instance"),),
)


def collect(ctx: ScanContext) -> list[ResourceRecord]:
    return [
        to_record(ctx.account, ctx.region, summary, ctx.tags(summary["NotebookInstanceArn"]))
        for page in ctx.paginate("sagemaker", "ListNotebookInstances", MaxResults=LIST_PAGE_SIZE)
        for summary in page.get("NotebookInstances", [])
    ]


def to_record(
    account: str, region: str, summary: dict[str, Any], tags: dict[str, str]
) -> ResourceRecord:
    status = summary.get("NotebookInstanceStatus")
    storage_only = status in STORAGE_ONLY_STATES
    return ResourceRecord(
        kind=KIND,
        arn=summary["NotebookInstanceArn"],
        name=summary["NotebookInstanceName"],
        account=account,
        region=region,
        status=status,
        created_at=summary.get("CreationTime"),
        last_modified_at=summary.get("LastModifiedTime"),
        tags=tags,
        instance_type=summary.get("InstanceType"),
        instance_count=0 if storage_only else 1,
        billing=BillingMode(mode="storage") if storage_only else ON_DEMAND,
    )


def price_units(record: ResourceRecord) -> tuple[PriceUnits, ...]:
    # Stopped: no instance; only its EBS volume bills, whose size the list call omits.
    return instance_hours(record, NOTEBOOK_PRICES.name)


def running_since(record: ResourceRecord) -> datetime | None:
    """Starting an instance updates LastModifiedTime; the list call has no start time."""
    return record.last_modified_at or record.created_at


def stop(client: Any, record: ResourceRecord) -> None:
    client.stop_notebook_instance(NotebookInstanceName=record.name)


def delete(client: Any, record: ResourceRecord) -> None:
    client.delete_notebook_instance(NotebookInstanceName=record.name)


def describe(client: Any, record: ResourceRecord) -> dict[str, Any] | None:
    return description_or_gone(
        lambda: client.describe_notebook_instance(NotebookInstanceName=record.name)
    )


STOP = Operation(
    "sagemaker:StopNotebookInstance",
    frozenset({"InService"}),
    "a notebook instance can be stopped only when InService",
    invoke=stop,
    settled=frozenset({"Stopped"}),
)
# StartNotebookInstance: Stopped -> Pending -> InService (botocore's NotebookInstanceStatus; the
# NotebookInstanceInService waiter).
START = Operation(
    "sagemaker:StartNotebookInstance",
    frozenset({"Stopped"}),
    "a notebook instance can be started only when Stopped",
    invoke=lambda client, record: client.start_notebook_instance(NotebookInstanceName=record.name),
    settled=frozenset({"InService"}),
    underway=frozenset({"Pending"}),
)


SPEC = KindSpec(
    kind=KIND,
    about="Classic notebook instances; a stop keeps the storage volume.",
    service="sagemaker",
    tag_type="sagemaker:notebook-instance",
    depends_on=(),
    collect=collect,
    price_units=price_units,
    running_since=running_since,
    teardown=Teardown(
        stop=STOP,
        delete=Operation(
            "sagemaker:DeleteNotebookInstance",
            frozenset({"Stopped", "Failed"}),
            "a notebook instance can be deleted only when Stopped or Failed",
            invoke=delete,
        ),
        status_field="NotebookInstanceStatus",
        in_progress=frozenset({"Stopping", "Deleting"}),
        describe=describe,
        stop_before_delete=True,
    ),
    restore=Restore(
        restart=Restart(
            op=START.op,
            request=lambda name: {"NotebookInstanceName": name},
            from_states=START.allowed_states or frozenset(),
            noun="notebook instance",
            gone_because=", and its ML storage volume with it",
        ),
        why_not="it was deleted, and its ML storage volume with it: it cannot be restored; "
        f"its recorded description is in {AUDIT_COMMAND}",
    ),
    # StopNotebookInstance keeps the ML storage volume and stops the instance's charges (API
    # reference); StartNotebookInstance runs its OnStart lifecycle script again, which may take
    # up to 5 minutes (NotebookInstanceLifecycleHook).
    park=Park(
        park=STOP,
        resume=START,
        keeps="its ML storage volume, which bills per GB-month while parked",
        resume_takes="a few minutes: the instance starts and runs its OnStart script",
    ),
    price_components=(NOTEBOOK_PRICES,),
    iam=KindPermissions(
        scan=("sagemaker:ListNotebookInstances",),
        describe="sagemaker:DescribeNotebookInstance",
        restore=("sagemaker:StartNotebookInstance",),
    ),
)
