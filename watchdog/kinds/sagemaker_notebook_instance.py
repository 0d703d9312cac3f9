"""sagemaker-notebook-instance: classic notebook instances.

The list call carries status, instance type and times, so nothing is described. A Stopped or
Failed instance still bills its EBS volume ("storage"); there is no native idle metric.
"""

from __future__ import annotations

from typing import Any

from watchdog.kinds.base import KindSpec, ScanContext
from watchdog.records import ON_DEMAND, BillingMode, Kind, ResourceRecord

KIND: Kind = "sagemaker-notebook-instance"
STORAGE_ONLY_STATES = frozenset({"Stopped", "Failed"})


def collect(ctx: ScanContext) -> list[ResourceRecord]:
    return [
        to_record(ctx.account, ctx.region, summary, ctx.tags(summary["NotebookInstanceArn"]))
        for page in ctx.paginate("sagemaker", "ListNotebookInstances")
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


SPEC = KindSpec(kind=KIND, service="sagemaker", depends_on=(), collect=collect)
