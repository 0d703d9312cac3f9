"""sagemaker-model: model definitions that endpoint configs and inference components use.

A model bills nothing; it is deleted with an endpoint only when nothing else uses it, which the
inventory's link pass works out from the configs' and inference components' references.
"""

from __future__ import annotations

from typing import Any

from watchdog.kinds._calls import LIST_PAGE_SIZE, description_or_gone
from watchdog.kinds._requests import fit_to_input, references
from watchdog.kinds.base import (
    KindPermissions,
    KindSpec,
    Operation,
    Recreate,
    Restore,
    ScanContext,
    Teardown,
)
from watchdog.records import Kind, ResourceRecord

KIND: Kind = "sagemaker-model"


def collect(ctx: ScanContext) -> list[ResourceRecord]:
    return [
        to_record(ctx.account, ctx.region, summary, ctx.tags(summary["ModelArn"]))
        for page in ctx.paginate("sagemaker", "ListModels", MaxResults=LIST_PAGE_SIZE)
        for summary in page.get("Models", [])
    ]


def to_record(
    account: str, region: str, summary: dict[str, Any], tags: dict[str, str]
) -> ResourceRecord:
    return ResourceRecord(
        kind=KIND,
        arn=summary["ModelArn"],
        name=summary["ModelName"],
        account=account,
        region=region,
        created_at=summary.get("CreationTime"),
        tags=tags,
    )


def delete(client: Any, record: ResourceRecord) -> None:
    client.delete_model(ModelName=record.name)


def describe(client: Any, record: ResourceRecord) -> dict[str, Any] | None:
    return description_or_gone(lambda: client.describe_model(ModelName=record.name))


SPEC = KindSpec(
    kind=KIND,
    about=(
        "Model definitions that endpoint configs and inference components use; deleted with "
        "their last user."
    ),
    service="sagemaker",
    tag_type="sagemaker:model",
    depends_on=("sagemaker-endpoint-config", "sagemaker-inference-component"),
    collect=collect,
    teardown=Teardown(
        delete=Operation("sagemaker:DeleteModel", invoke=delete),
        describe=describe,
    ),
    deleted_with_users=True,
    restore=Restore(
        recreate=Recreate(
            op="sagemaker:CreateModel",
            request=lambda client, described, name: fit_to_input(client, "CreateModel", described),
            noun="model",
            references=references,
        ),
        with_its_user=True,
        why_not="a model is recreated with the endpoint that used it; restore that "
        "endpoint's sagemaker:DeleteEndpoint entry",
    ),
    iam=KindPermissions(
        scan=("sagemaker:ListModels",),
        describe="sagemaker:DescribeModel",
        # Recreated with its tags: a Create call with Tags needs sagemaker:AddTags too.
        restore=("sagemaker:CreateModel", "sagemaker:AddTags"),
    ),
)
