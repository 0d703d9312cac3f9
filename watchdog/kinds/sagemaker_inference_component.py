"""sagemaker-inference-component: models hosted as components on a shared endpoint.

They go before their endpoint in a teardown. The list call omits the model and copy count, so
each component is described once (components are few next to endpoints).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from watchdog.kinds._calls import LIST_PAGE_SIZE, description_or_gone
from watchdog.kinds.base import (
    BilledThrough,
    KindPermissions,
    KindSpec,
    Operation,
    ScanContext,
    Teardown,
)
from watchdog.records import ON_DEMAND, Kind, ResourceRecord
from watchdog.signals.models import MetricQuery

KIND: Kind = "sagemaker-inference-component"


def collect(ctx: ScanContext) -> list[ResourceRecord]:
    models = {r.name: r.arn for r in ctx.records("sagemaker-model")}
    sagemaker = ctx.client("sagemaker")
    records = []
    for page in ctx.paginate("sagemaker", "ListInferenceComponents", MaxResults=LIST_PAGE_SIZE):
        for summary in page.get("InferenceComponents", []):
            detail = description_or_gone(
                partial(
                    sagemaker.describe_inference_component,
                    InferenceComponentName=summary["InferenceComponentName"],
                )
            )
            if detail is None:
                continue  # deleted between the list and the describe (a teardown running)
            tags = ctx.tags(summary["InferenceComponentArn"])
            records.append(to_record(ctx.account, ctx.region, detail, tags, models))
    return records


def to_record(
    account: str,
    region: str,
    detail: dict[str, Any],
    tags: dict[str, str],
    model_arns: dict[str, str],
) -> ResourceRecord:
    model_name = detail.get("Specification", {}).get("ModelName")
    copies = detail.get("RuntimeConfig", {}).get("CurrentCopyCount")
    return ResourceRecord(
        kind=KIND,
        arn=detail["InferenceComponentArn"],
        name=detail["InferenceComponentName"],
        account=account,
        region=region,
        status=detail.get("InferenceComponentStatus"),
        created_at=detail.get("CreationTime"),
        last_modified_at=detail.get("LastModifiedTime"),
        tags=tags,
        instance_count=copies,
        # Its copies run on the endpoint's instances: the endpoint carries the instance cost.
        billing=ON_DEMAND,
        parent_arns=(detail["EndpointArn"],),
        uses_arns=(model_arns[model_name],) if model_name in model_arns else (),
        attributes={"endpoint_name": detail["EndpointName"], "variant_name": detail["VariantName"]},
    )


def metric_queries(record: ResourceRecord) -> tuple[MetricQuery, ...]:
    """Invocations by InferenceComponentName, and its normalised CPU load, which is emitted
    whenever its copies run, as proof that metrics flow."""
    dims = (("InferenceComponentName", record.name),)
    return (
        MetricQuery(
            resource_arn=record.arn,
            role="traffic",
            namespace="AWS/SageMaker",
            metric="Invocations",
            stat="Sum",
            dimensions=dims,
        ),
        MetricQuery(
            resource_arn=record.arn,
            role="load",
            namespace="/aws/sagemaker/InferenceComponents",
            metric="CPUUtilizationNormalized",
            stat="Average",
            dimensions=dims,
        ),
    )


def delete(client: Any, record: ResourceRecord) -> None:
    client.delete_inference_component(InferenceComponentName=record.name)


def describe(client: Any, record: ResourceRecord) -> dict[str, Any] | None:
    return description_or_gone(
        lambda: client.describe_inference_component(InferenceComponentName=record.name)
    )


SPEC = KindSpec(
    kind=KIND,
    about="Models hosted as components on a shared endpoint, whose instances carry their cost.",
    service="sagemaker",
    tag_type="sagemaker:inference-component",
    depends_on=(),
    collect_after=("sagemaker-model",),  # collect reads their records
    collect=collect,
    metric_queries=metric_queries,
    teardown=Teardown(
        delete=Operation(
            "sagemaker:DeleteInferenceComponent",
            frozenset({"InService", "Failed"}),
            "an inference component can be deleted once it is InService or Failed",
            invoke=delete,
        ),
        status_field="InferenceComponentStatus",
        in_progress=frozenset({"Deleting"}),
        describe=describe,
    ),
    traffic_counts_for_parents=True,
    billed_through=BilledThrough(
        reason="its copies run on the endpoint's instances, which carry the cost",
        cell="with its endpoint",
    ),
    iam=KindPermissions(
        scan=("sagemaker:ListInferenceComponents", "sagemaker:DescribeInferenceComponent"),
        describe="sagemaker:DescribeInferenceComponent",
    ),
)
