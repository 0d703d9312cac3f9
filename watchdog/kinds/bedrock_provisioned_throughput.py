"""bedrock-provisioned-throughput: reserved model units for a base or custom model.

Bills hourly until deleted. One with a 1- or 6-month commitment cannot be deleted before
`commitmentExpirationTime`; the list call carries everything needed, commitment included.
"""

from __future__ import annotations

from typing import Any

from watchdog.kinds._bedrock_prices import PROVISIONED_THROUGHPUT_PRICES, commitment_term
from watchdog.kinds._calls import BEDROCK_PAGE_SIZE, description_or_gone
from watchdog.kinds._fields import present
from watchdog.kinds._park import NotParkable
from watchdog.kinds.base import (
    AUDIT_COMMAND,
    KindPermissions,
    KindSpec,
    Operation,
    Restore,
    ScanContext,
    Teardown,
)
from watchdog.records import NO_BILLING, ON_DEMAND, BillingMode, Kind, ResourceRecord
from watchdog.signals.models import MetricIdentity, MetricQuery, PriceKey, PriceUnits

KIND: Kind = "bedrock-provisioned-throughput"
NAMESPACE = "AWS/Bedrock"
NOT_BILLING_STATES = frozenset({"Failed"})


def collect(ctx: ScanContext) -> list[ResourceRecord]:
    return [
        to_record(ctx.account, ctx.region, summary, ctx.tags(summary["provisionedModelArn"]))
        for page in ctx.paginate(
            "bedrock", "ListProvisionedModelThroughputs", maxResults=BEDROCK_PAGE_SIZE
        )
        for summary in page.get("provisionedModelSummaries", [])
    ]


def to_record(
    account: str, region: str, summary: dict[str, Any], tags: dict[str, str]
) -> ResourceRecord:
    attributes = present(
        summary, commitment_duration="commitmentDuration", foundation_model_arn="foundationModelArn"
    )
    return ResourceRecord(
        kind=KIND,
        arn=summary["provisionedModelArn"],
        name=summary["provisionedModelName"],
        account=account,
        region=region,
        status=summary.get("status"),
        created_at=summary.get("creationTime"),
        last_modified_at=summary.get("lastModifiedTime"),
        tags=tags,
        instance_count=summary.get("modelUnits"),
        billing=_billing(summary),
        uses_arns=(summary["modelArn"],),
        attributes=attributes,
    )


def _billing(summary: dict[str, Any]) -> BillingMode:
    if summary.get("status") in NOT_BILLING_STATES:
        return NO_BILLING
    if summary.get("commitmentDuration") and summary.get("commitmentExpirationTime"):
        return BillingMode(mode="committed", committed_until=summary["commitmentExpirationTime"])
    return ON_DEMAND


def metric_queries(record: ResourceRecord) -> tuple[MetricQuery, ...]:
    """Invocations with ModelId = the provisioned model's ARN: calls to a provisioned
    throughput name it by that ARN as their modelId, and Bedrock's runtime metrics carry the
    modelId a call named (aws-facts.md, Idle signals). Bedrock emits no load metric, so there is
    no proof that metrics flow: an idle reading is less certain than an endpoint's, and
    `published_under` asks CloudWatch whether the series exists at all."""
    return (
        MetricQuery(
            resource_arn=record.arn,
            role="traffic",
            namespace=NAMESPACE,
            metric="Invocations",
            stat="Sum",
            dimensions=(("ModelId", record.arn),),
        ),
    )


def published_under(record: ResourceRecord) -> MetricIdentity:
    return MetricIdentity(
        resource_arn=record.arn,
        namespace=NAMESPACE,
        metric="Invocations",
        dimension="ModelId",
        value=record.arn,
    )


def price_units(record: ResourceRecord) -> tuple[PriceUnits, ...]:
    """Model-unit hours, priced by the base (foundation) model and the commitment term bought."""
    base = record.attributes.get("foundation_model_arn", "").rsplit("/", 1)[-1]
    if not base or not record.instance_count or record.billing.mode == "none":
        return ()
    key = PriceKey(
        component=PROVISIONED_THROUGHPUT_PRICES.name,
        region=record.region,
        unit=base,
        term=commitment_term(record.attributes.get("commitment_duration")),
    )
    return (PriceUnits(key=key, count=record.instance_count),)


def delete(client: Any, record: ResourceRecord) -> None:
    client.delete_provisioned_model_throughput(provisionedModelId=record.arn)


def describe(client: Any, record: ResourceRecord) -> dict[str, Any] | None:
    return description_or_gone(
        lambda: client.get_provisioned_model_throughput(provisionedModelId=record.arn)
    )


SPEC = KindSpec(
    kind=KIND,
    about="Reserved Bedrock model units for a base or custom model.",
    service="bedrock",
    tag_type="bedrock:provisioned-model",
    depends_on=(),
    collect=collect,
    metric_queries=metric_queries,
    published_under=published_under,
    price_units=price_units,
    teardown=Teardown(
        delete=Operation(
            "bedrock:DeleteProvisionedModelThroughput",
            frozenset({"InService", "Failed"}),
            "provisioned throughput can be deleted once it is InService or Failed",
            invoke=delete,
        ),
        status_field="status",
        describe=describe,
    ),
    restore=Restore(
        why_not="buying provisioned throughput again is a new purchase (possibly a new "
        f"commitment), to be made deliberately; its description is in {AUDIT_COMMAND}"
    ),
    # Its API has Create, Get, List, Update (name and model only) and Delete: no pause, and a
    # commitment cannot be deleted before its term ends (botocore's bedrock model;
    # Bedrock user guide, "Delete a Provisioned Throughput").
    park=NotParkable(
        "AWS offers no pause for provisioned throughput: only deleting it stops its bill, and "
        "buying it again gives it a new ARN"
    ),
    price_components=(PROVISIONED_THROUGHPUT_PRICES,),
    iam=KindPermissions(
        scan=("bedrock:ListProvisionedModelThroughputs",),
        describe="bedrock:GetProvisionedModelThroughput",
    ),
)
