"""sagemaker-app: Studio apps (JupyterLab, Code Editor, KernelGateway...), user or space owned.

An app belongs to a user profile OR a space; tools that ignored space apps could never delete
spaces (aws-nuke #1184). Deleted apps stay listed for a while on AWS: they bill nothing and are
left out. The list call has everything needed; the ARN is built.
"""

from __future__ import annotations

from typing import Any

from watchdog.kinds.base import KindSpec, ScanContext
from watchdog.kinds.sagemaker_space import profile_arn, space_arn
from watchdog.records import NO_BILLING, ON_DEMAND, Kind, ResourceRecord

KIND: Kind = "sagemaker-app"
GONE_STATES = frozenset({"Deleted"})
BILLING_STATES = frozenset({"InService", "Pending"})


def collect(ctx: ScanContext) -> list[ResourceRecord]:
    records = []
    for page in ctx.paginate("sagemaker", "ListApps"):
        for app in page.get("Apps", []):
            if app.get("Status") in GONE_STATES:
                continue
            domain_id = app["DomainId"]
            if app.get("SpaceName"):
                owner, owner_arn = "space", space_arn(ctx, domain_id, app["SpaceName"])
            else:
                owner, owner_arn = (
                    "user-profile",
                    profile_arn(ctx, domain_id, app["UserProfileName"]),
                )
            arn = ctx.arn("sagemaker", f"app/{domain_id}/{_owner_name(app)}/{_type_path(app)}")
            records.append(
                to_record(ctx.account, ctx.region, app, arn, ctx.tags(arn), owner, owner_arn)
            )
    return records


def _owner_name(app: dict[str, Any]) -> str:
    name: str = app.get("SpaceName") or app["UserProfileName"]
    return name


def _type_path(app: dict[str, Any]) -> str:
    return f"{app['AppType'].lower()}/{app['AppName']}"


def to_record(
    account: str,
    region: str,
    app: dict[str, Any],
    arn: str,
    tags: dict[str, str],
    owner: str,
    owner_arn: str,
) -> ResourceRecord:
    running = app.get("Status") in BILLING_STATES
    return ResourceRecord(
        kind=KIND,
        arn=arn,
        name=app["AppName"],
        account=account,
        region=region,
        status=app.get("Status"),
        created_at=app.get("CreationTime"),
        tags=tags,
        instance_type=app.get("ResourceSpec", {}).get("InstanceType"),
        instance_count=1 if running else 0,
        billing=ON_DEMAND if running else NO_BILLING,
        parent_arns=(owner_arn,),
        attributes={
            "domain_id": app["DomainId"],
            "app_type": app["AppType"],
            "owner_kind": owner,
            "owner_name": _owner_name(app),
        },
    )


SPEC = KindSpec(kind=KIND, service="sagemaker", depends_on=(), collect=collect)
