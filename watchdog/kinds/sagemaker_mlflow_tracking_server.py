"""sagemaker-mlflow-tracking-server: managed MLflow servers.

They keep billing by the hour, do not block a domain's deletion and are easy to miss. The list
call omits the size (the price key), so each server is described once.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from watchdog.kinds._calls import LIST_PAGE_SIZE, description_or_gone
from watchdog.kinds.base import KindPermissions, KindSpec, Operation, ScanContext, Teardown
from watchdog.records import NO_BILLING, ON_DEMAND, Kind, ResourceRecord

KIND: Kind = "sagemaker-mlflow-tracking-server"
NOT_BILLING_STATES = frozenset({"Stopped", "Deleting", "CreateFailed", "DeleteFailed"})


def collect(ctx: ScanContext) -> list[ResourceRecord]:
    sagemaker = ctx.client("sagemaker")
    records = []
    for page in ctx.paginate("sagemaker", "ListMlflowTrackingServers", MaxResults=LIST_PAGE_SIZE):
        for summary in page.get("TrackingServerSummaries", []):
            detail = description_or_gone(
                partial(
                    sagemaker.describe_mlflow_tracking_server,
                    TrackingServerName=summary["TrackingServerName"],
                )
            )
            if detail is None:
                continue  # deleted between the list and the describe (a teardown running)
            tags = ctx.tags(detail["TrackingServerArn"])
            records.append(to_record(ctx.account, ctx.region, detail, tags))
    return records


def to_record(
    account: str, region: str, detail: dict[str, Any], tags: dict[str, str]
) -> ResourceRecord:
    status = detail.get("TrackingServerStatus")
    billing = NO_BILLING if status in NOT_BILLING_STATES else ON_DEMAND
    attributes = {
        key: str(detail[field])
        for key, field in (
            ("size", "TrackingServerSize"),
            ("mlflow_version", "MlflowVersion"),
            ("is_active", "IsActive"),
        )
        if field in detail
    }
    return ResourceRecord(
        kind=KIND,
        arn=detail["TrackingServerArn"],
        name=detail["TrackingServerName"],
        account=account,
        region=region,
        status=status,
        created_at=detail.get("CreationTime"),
        last_modified_at=detail.get("LastModifiedTime"),
        tags=tags,
        instance_count=0 if billing is NO_BILLING else 1,
        billing=billing,
        attributes=attributes,
    )


RUNNING_STATES = frozenset({"Created", "Started", "Updated", "MaintenanceComplete"})


def stop(client: Any, record: ResourceRecord) -> None:
    client.stop_mlflow_tracking_server(TrackingServerName=record.name)


def delete(client: Any, record: ResourceRecord) -> None:
    client.delete_mlflow_tracking_server(TrackingServerName=record.name)


def describe(client: Any, record: ResourceRecord) -> dict[str, Any] | None:
    return description_or_gone(
        lambda: client.describe_mlflow_tracking_server(TrackingServerName=record.name)
    )


SPEC = KindSpec(
    kind=KIND,
    about="Managed MLflow tracking servers.",
    service="sagemaker",
    tag_type="sagemaker:mlflow-tracking-server",
    depends_on=(),
    collect=collect,
    teardown=Teardown(
        stop=Operation(
            "sagemaker:StopMlflowTrackingServer",
            RUNNING_STATES,
            "a tracking server can be stopped only while it runs",
            invoke=stop,
            settled=frozenset({"Stopped"}),
        ),
        delete=Operation(
            "sagemaker:DeleteMlflowTrackingServer",
            RUNNING_STATES | {"Stopped", "CreateFailed", "UpdateFailed", "StopFailed"},
            "a tracking server cannot be deleted while it is changing state",
            invoke=delete,
        ),
        status_field="TrackingServerStatus",
        in_progress=frozenset({"Stopping", "Deleting"}),
        describe=describe,
        done_states=frozenset({"Deleting"}),
    ),
    iam=KindPermissions(
        scan=("sagemaker:ListMlflowTrackingServers", "sagemaker:DescribeMlflowTrackingServer"),
        describe="sagemaker:DescribeMlflowTrackingServer",
        # Tracking servers support no aws:ResourceTag condition key (Service Authorization
        # Reference): only the code holds their exemption.
        resource_tag_condition=False,
    ),
)
