"""sagemaker-app: Studio apps (JupyterLab, Code Editor, KernelGateway...), user or space owned.

An app belongs to a user profile OR a space; tools that ignored space apps could never delete
spaces (aws-nuke #1184). Deleted apps stay listed for a while on AWS: they bill nothing and are
left out. The list call has everything needed; the ARN is built.
"""

from __future__ import annotations

from typing import Any

from watchdog.kinds._calls import LIST_PAGE_SIZE, description_or_gone
from watchdog.kinds._fields import instance_hours
from watchdog.kinds.base import KindPermissions, KindSpec, Operation, ScanContext, Teardown
from watchdog.kinds.sagemaker_space import profile_arn, space_arn
from watchdog.records import NO_BILLING, ON_DEMAND, Kind, ResourceRecord
from watchdog.signals.models import PriceComponent, PriceUnits

KIND: Kind = "sagemaker-app"
GONE_STATES = frozenset({"Deleted"})
BILLING_STATES = frozenset({"InService", "Pending"})
# Studio components in the SageMaker price list. JupyterServer (classic Studio's own UI) runs on
# a free system instance, so it has no price.
PRICE_COMPONENTS: dict[str, PriceComponent] = {
    "JupyterLab": "studio-jupyterlab",
    "CodeEditor": "studio-codeeditor",
    "KernelGateway": "studio-kernelgateway",
}


def collect(ctx: ScanContext) -> list[ResourceRecord]:
    records = []
    for page in ctx.paginate("sagemaker", "ListApps", MaxResults=LIST_PAGE_SIZE):
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
    instance_type = app.get("ResourceSpec", {}).get("InstanceType")
    # "system" is the free instance classic Studio's own JupyterServer runs on.
    running = app.get("Status") in BILLING_STATES and instance_type not in (None, "system")
    return ResourceRecord(
        kind=KIND,
        arn=arn,
        name=app["AppName"],
        account=account,
        region=region,
        status=app.get("Status"),
        created_at=app.get("CreationTime"),
        tags=tags,
        instance_type=instance_type,
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


def price_units(record: ResourceRecord) -> tuple[PriceUnits, ...]:
    component = PRICE_COMPONENTS.get(record.attributes.get("app_type", ""))
    return () if component is None else instance_hours(record, component)


def _identity(record: ResourceRecord) -> dict[str, str]:
    owner = "SpaceName" if record.attributes["owner_kind"] == "space" else "UserProfileName"
    return {
        "DomainId": record.attributes["domain_id"],
        "AppType": record.attributes["app_type"],
        "AppName": record.name,
        owner: record.attributes["owner_name"],
    }


def delete(client: Any, record: ResourceRecord) -> None:
    client.delete_app(**_identity(record))


def describe(client: Any, record: ResourceRecord) -> dict[str, Any] | None:
    """DescribeApp. Deleted apps stay visible for a while on AWS but bill nothing and block
    nothing: a Deleted app counts as gone."""
    description = description_or_gone(lambda: client.describe_app(**_identity(record)))
    if description is not None and description.get("Status") in GONE_STATES:
        return None
    return description


SPEC = KindSpec(
    kind=KIND,
    service="sagemaker",
    tag_type="sagemaker:app",
    depends_on=(),
    collect=collect,
    price_units=price_units,
    teardown=Teardown(
        # An app has no stop: deleting it is stopping it; its files live in the space or the
        # user's home, not in the app.
        delete=Operation(
            "sagemaker:DeleteApp",
            frozenset({"InService"}),
            "AWS deletes only InService apps",
            invoke=delete,
        ),
        status_field="Status",
        in_progress=frozenset({"Deleting"}),
        describe=describe,
        stop_is_delete=True,
        # A Failed app blocks neither its space nor its profile, and bills nothing.
        done_states=frozenset({"Deleted", "Failed"}),
    ),
    iam=KindPermissions(scan=("sagemaker:ListApps",), describe="sagemaker:DescribeApp"),
)
