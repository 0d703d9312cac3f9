"""bedrock-custom-model: fine-tuned or imported models, billed monthly for storage.

A custom model cannot be deleted while a provisioned throughput serves it.
"""

from __future__ import annotations

from typing import Any

from watchdog.kinds._calls import BEDROCK_PAGE_SIZE, description_or_gone
from watchdog.kinds._fields import present
from watchdog.kinds.base import (
    AUDIT_COMMAND,
    KindPermissions,
    KindSpec,
    Operation,
    Restore,
    ScanContext,
    Teardown,
)
from watchdog.records import BillingMode, Kind, ResourceRecord

KIND: Kind = "bedrock-custom-model"


def collect(ctx: ScanContext) -> list[ResourceRecord]:
    return [
        to_record(ctx.account, ctx.region, summary, ctx.tags(summary["modelArn"]))
        for page in ctx.paginate("bedrock", "ListCustomModels", maxResults=BEDROCK_PAGE_SIZE)
        for summary in page.get("modelSummaries", [])
    ]


def to_record(
    account: str, region: str, summary: dict[str, Any], tags: dict[str, str]
) -> ResourceRecord:
    attributes = present(
        summary, base_model_arn="baseModelArn", customization_type="customizationType"
    )
    return ResourceRecord(
        kind=KIND,
        arn=summary["modelArn"],
        name=summary["modelName"],
        account=account,
        region=region,
        status=summary.get("modelStatus"),
        created_at=summary.get("creationTime"),
        tags=tags,
        billing=BillingMode(mode="storage"),
        attributes=attributes,
    )


def delete(client: Any, record: ResourceRecord) -> None:
    client.delete_custom_model(modelIdentifier=record.arn)


def describe(client: Any, record: ResourceRecord) -> dict[str, Any] | None:
    return description_or_gone(lambda: client.get_custom_model(modelIdentifier=record.arn))


SPEC = KindSpec(
    kind=KIND,
    about="Fine-tuned or imported Bedrock models, billed monthly for storage.",
    service="bedrock",
    tag_type="bedrock:custom-model",
    depends_on=("bedrock-provisioned-throughput",),
    collect=collect,
    teardown=Teardown(
        delete=Operation("bedrock:DeleteCustomModel", invoke=delete),
        describe=describe,
    ),
    restore=Restore(
        why_not="a deleted custom model cannot be brought back, only trained or imported "
        f"again; its description (training job, data) is in {AUDIT_COMMAND}"
    ),
    iam=KindPermissions(scan=("bedrock:ListCustomModels",), describe="bedrock:GetCustomModel"),
)
