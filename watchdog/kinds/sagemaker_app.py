"""sagemaker-app: Studio apps (JupyterLab, Code Editor, KernelGateway...), user or space owned.

An app belongs to a user profile OR a space; tools that ignored space apps could never delete
spaces (aws-nuke #1184). Deleted apps stay listed for a while on AWS: they bill nothing and are
left out. The list call has everything needed; the ARN is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from watchdog.kinds._calls import LIST_PAGE_SIZE, description_or_gone
from watchdog.kinds._fields import instance_hours
from watchdog.kinds._park import NotParkable
from watchdog.kinds._prices import (
    SAGEMAKER_SERVICE_CODE,
    in_region,
    studio_instances,
)
from watchdog.kinds.base import (
    Kept,
    KindPermissions,
    KindSpec,
    Operation,
    Restore,
    ScanContext,
    Teardown,
)
from watchdog.kinds.sagemaker_space import profile_arn, space_arn
from watchdog.records import NO_BILLING, ON_DEMAND, Kind, ResourceRecord
from watchdog.signals.models import (
    FallbackPrice,
    MetricQuery,
    PriceComponent,
    PriceComponentSpec,
    PriceFilters,
    PriceKey,
    PriceUnits,
)

KIND: Kind = "sagemaker-app"
CANVAS = "Canvas"
GONE_STATES = frozenset({"Deleted"})
BILLING_STATES = frozenset({"InService", "Pending"})
# Every Studio app type (botocore's AppType enum) is priced by its instance hours, or says why
# not. The `platoinstancetype` values are the AmazonSageMaker offer file's, as read by
# vantage-sh/ec2instances.info (see watchdog.kinds._prices). JupyterLab's is also confirmed by a
# live query; that Studio Classic's KernelGateway apps (usage type
# <region>-Studio:KernelGateway-ml.*, seen in AWS's SageMaker Savings Plans rates) are the
# "Studio-Notebook" products, and that the RStudio apps are the RStudio:RServer /
# RStudio:RSessionGateway ones, is inferred from the names: a product the price list lacks
# leaves the app's cost unknown, never guessed.
APP_PRICES: dict[str, PriceComponentSpec] = {
    "JupyterLab": studio_instances(
        "studio-jupyterlab", "{unit} Studio JupyterLab apps", "Studio-JupyterLab"
    ),
    "CodeEditor": studio_instances(
        "studio-codeeditor", "{unit} Studio Code Editor apps", "studio-codeeditor"
    ),
    "KernelGateway": studio_instances(
        "studio-kernelgateway", "{unit} Studio KernelGateway apps", "Studio-Notebook"
    ),
    "RStudioServerPro": studio_instances(
        "studio-rstudio-server", "{unit} Studio RStudioServerPro apps", "RStudio:RServer"
    ),
    "RSessionGateway": studio_instances(
        "studio-rsession", "{unit} Studio RSession apps", "RStudio:RSessionGateway"
    ),
    "TensorBoard": studio_instances(
        "studio-tensorboard", "{unit} Studio TensorBoard apps", "TensorBoard"
    ),
}
# App types that bill nothing by themselves, and why.
NOT_BILLED: dict[str, str] = {
    "JupyterServer": "Studio Classic's own JupyterServer runs on a free system instance",
}
# A Canvas app bills its workspace instance per hour its user stays logged in, whatever its
# ResourceSpec says. AWS's dev guide ("Billing and cost in SageMaker Canvas",
# docs.aws.amazon.com/sagemaker/latest/dg/canvas-manage-cost.html) names the charge: "Workspace
# instance charges: Charges show up under the usage type REGION-Canvas:Session-Hrs (Hrs)". That
# usage type (and its "Hrs" unit) is all AWS documents of the product: its productFamily,
# `component` or other Price List attributes are NOT documented, so the lookup asks only for
# the region and that usage type, and accepts only a product whose usagetype is exactly
# "<prefix>-Canvas:Session-Hrs" (not, say, a "...-Parent" free-trial usage type).
CANVAS_USAGE = "Canvas:Session-Hrs"
# AWS's SageMaker Canvas pricing page (aws.amazon.com/sagemaker/canvas/pricing): "Workspace
# instance (Session-Hrs) charges $1.9/hour"; read in a copy of that page (hashburn.fin-tech.com/
# de/sagemaker/canvas/pricing), not on aws.amazon.com itself. The page gives no region for it;
# AWS's China blog on Canvas costs (aws.amazon.com/cn/blogs, 2026-06-25) quotes ~$1.90/hour too.
CANVAS_FALLBACK = FallbackPrice(
    "us-east-1",
    CANVAS_USAGE,
    1.90,
    "AWS SageMaker Canvas pricing page (aws.amazon.com/sagemaker/canvas/pricing), "
    '"Workspace instance (Session-Hrs) charges $1.9/hour", read in a copy of the page; '
    "the page names no region",
    "2026-12-04",
)


def _canvas_filters(key: PriceKey) -> PriceFilters:
    return [in_region(key), {"Type": "CONTAINS", "Field": "usagetype", "Value": f"-{key.unit}"}]


def _canvas_accepts(key: PriceKey, attributes: Mapping[str, str]) -> bool:
    usage = str(attributes.get("usagetype", ""))
    return usage.partition("-")[2] == key.unit


CANVAS_PRICES = PriceComponentSpec(
    # Per workspace session-hour; the key's unit is the usage type, Canvas:Session-Hrs.
    name="sagemaker-canvas-session",
    words="SageMaker Canvas workspace sessions ({unit})",
    service_code=SAGEMAKER_SERVICE_CODE,
    filters=_canvas_filters,
    accepts=_canvas_accepts,
    fallback=(CANVAS_FALLBACK,),
)
# App types that bill, but not per instance-hour of their own: their cost stays unknown.
UNPRICED: dict[str, str] = {
    "DetailedProfiler": "no AWS Price List product is known for SageMaker Debugger's profiler app",
}
# Kept for readers of the old name: app type -> its price component's name.
PRICE_COMPONENTS: dict[str, PriceComponent] = {
    app_type: spec.name for app_type, spec in APP_PRICES.items()
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
    # "system" is the free instance classic Studio's own JupyterServer runs on; Canvas bills
    # per session whatever its instance is said to be.
    in_service = app.get("Status") in BILLING_STATES
    running = in_service and (
        app["AppType"] in UNPRICED
        or app["AppType"] == CANVAS
        or (app["AppType"] not in NOT_BILLED and instance_type not in (None, "system"))
    )
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
            **_price_note(app["AppType"], in_service),
        },
    )


def _price_note(app_type: str, in_service: bool) -> dict[str, str]:
    """Why a billing app has no instance-hour price, for its cost's reason (`price_note`).
    Apps that bill nothing need none: their cost is "bills nothing by itself"."""
    if not in_service or app_type in APP_PRICES or app_type in NOT_BILLED or app_type == CANVAS:
        return {}
    note = UNPRICED.get(app_type, f"no AWS Price List product is known for {app_type} apps")
    return {"price_note": note}


def price_units(record: ResourceRecord) -> tuple[PriceUnits, ...]:
    app_type = record.attributes.get("app_type", "")
    if app_type == CANVAS:
        # One workspace session-hour per hour while the app is up (it is its user's session).
        if not record.instance_count:
            return ()
        key = PriceKey(component=CANVAS_PRICES.name, region=record.region, unit=CANVAS_USAGE)
        return (PriceUnits(key=key, count=1),)
    spec = APP_PRICES.get(app_type)
    return () if spec is None else instance_hours(record, spec.name)


# Canvas publishes its users' inactivity itself: namespace /aws/sagemaker/Canvas/AppActivity,
# metric TimeSinceLastActive, per DomainId and UserProfileName, in seconds. AWS's dev guide
# ("Logging out of Amazon SageMaker Canvas", docs.aws.amazon.com/sagemaker/latest/dg/
# canvas-log-out.html) calls a Canvas app idle when its user has not been active for 2 hours,
# to be shut down by a Lambda function calling DeleteApp; AWS's ML blog post "Optimizing costs
# for Amazon SageMaker Canvas with automatic shutdown of idle apps" introduces the metric and
# publishes that automation as aws-samples/sagemaker-canvas-auto-shutdown-on-idle, whose alarm
# reads exactly this series (SELECT MAX(TimeSinceLastActive) FROM
# "/aws/sagemaker/Canvas/AppActivity" WHERE DomainId=... AND UserProfileName=...) against an
# idle timeout given in seconds (default 7200), and deletes the app with DeleteApp. How often
# Canvas publishes it is not documented there (the sample evaluates 20-minute periods).
CANVAS_ACTIVITY_NAMESPACE = "/aws/sagemaker/Canvas/AppActivity"
CANVAS_INACTIVITY_METRIC = "TimeSinceLastActive"


def metric_queries(record: ResourceRecord) -> tuple[MetricQuery, ...]:
    """Canvas apps: the user's inactivity, as Canvas measures it. Other apps publish no usage
    metric of their own (LastUserActivityTimestamp is bumped by health checks: aws-facts.md)."""
    owned_by_user = record.attributes.get("owner_kind") == "user-profile"
    if record.attributes.get("app_type") != CANVAS or not owned_by_user:
        return ()
    return (
        MetricQuery(
            resource_arn=record.arn,
            role="inactivity",
            namespace=CANVAS_ACTIVITY_NAMESPACE,
            metric=CANVAS_INACTIVITY_METRIC,
            # The least inactive reading of each period: one active moment in it counts.
            stat="Minimum",
            dimensions=(
                ("DomainId", record.attributes["domain_id"]),
                ("UserProfileName", record.attributes["owner_name"]),
            ),
            label="Canvas's TimeSinceLastActive",
        ),
    )


def keeps(record: ResourceRecord) -> tuple[Kept, ...]:
    """What deleting an app leaves in place. A Canvas app is its user's logged-in session: the
    dev guide ("Logging out of Amazon SageMaker Canvas") says logging out or deleting the app
    leaves models and datasets unaffected (Canvas keeps them in the domain's S3 bucket) but
    cancels Quick builds under way (they restart at the next login); Standard builds go on."""
    if record.attributes.get("app_type") != CANVAS:
        return ()
    return (
        Kept(
            what="the Canvas workspace's models and datasets (in Canvas's Amazon S3 bucket)",
            reason="deleting the Canvas app only ends the billed session; the user logs in "
            "again to continue (a Quick build under way restarts then)",
        ),
    )


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
    about=(
        "Studio apps (JupyterLab, Code Editor, KernelGateway, Canvas...), owned by a user "
        "profile or a space; stopping one deletes it, its files staying in the space or home. "
        "A Canvas app's idleness is Canvas's own `TimeSinceLastActive` "
        "(`/aws/sagemaker/Canvas/AppActivity`, per domain and user profile), read again right "
        "before a delete: no reading is unknown, never idle. Other apps publish no such "
        "measure."
    ),
    service="sagemaker",
    tag_type="sagemaker:app",
    depends_on=(),
    collect=collect,
    metric_queries=metric_queries,
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
        keeps=keeps,
    ),
    restore=Restore(why_not="a Studio app is started again by its user, from Studio"),
    # DeleteApp "is used to stop and delete an app"; there is no StopApp, and CreateApp is made
    # by Studio when its user opens it (botocore's sagemaker model).
    park=NotParkable(
        "a Studio app has no stop: stopping it is deleting it (its space keeps the storage), "
        "and its user starts it again from Studio"
    ),
    price_components=(*APP_PRICES.values(), CANVAS_PRICES),
    iam=KindPermissions(scan=("sagemaker:ListApps",), describe="sagemaker:DescribeApp"),
)
