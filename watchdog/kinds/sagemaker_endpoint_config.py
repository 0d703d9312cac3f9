"""sagemaker-endpoint-config: the instance types and models behind endpoints.

Configs bill nothing themselves, but an endpoint's teardown deletes its config when nothing else
uses it. Only configs that a live endpoint references are described (the endpoint kind already
did, once each); an unreferenced config is listed without its model links.
"""

from __future__ import annotations

from typing import Any

from watchdog.kinds._calls import description_or_gone
from watchdog.kinds._requests import fit_to_input
from watchdog.kinds.base import (
    AUDIT_COMMAND,
    CannotRestore,
    KindPermissions,
    KindSpec,
    Operation,
    Recreate,
    Restore,
    ScanContext,
    Teardown,
    Uses,
)
from watchdog.kinds.sagemaker_endpoint import describe_config, listed_configs
from watchdog.records import Kind, ResourceRecord

KIND: Kind = "sagemaker-endpoint-config"


def collect(ctx: ScanContext) -> list[ResourceRecord]:
    models = {r.name: r.arn for r in ctx.records("sagemaker-model")}
    referenced = {r.attributes["endpoint_config_name"] for r in ctx.records("sagemaker-endpoint")}
    records = []
    for name, summary in listed_configs(ctx).items():
        config = describe_config(ctx, name) if name in referenced else None
        tags = ctx.tags(summary["EndpointConfigArn"])
        records.append(to_record(ctx.account, ctx.region, summary, tags, config, models))
    return records


def to_record(
    account: str,
    region: str,
    summary: dict[str, Any],
    tags: dict[str, str],
    config: dict[str, Any] | None,
    model_arns: dict[str, str],
) -> ResourceRecord:
    # Variants of an endpoint that hosts inference components name no model.
    variants = (config or {}).get("ProductionVariants", [])
    model_names = [v["ModelName"] for v in variants if "ModelName" in v]
    return ResourceRecord(
        kind=KIND,
        arn=summary["EndpointConfigArn"],
        name=summary["EndpointConfigName"],
        account=account,
        region=region,
        created_at=summary.get("CreationTime"),
        tags=tags,
        uses_arns=tuple(model_arns[m] for m in model_names if m in model_arns),
        attributes={"described": "true" if config is not None else "false"},
    )


def delete(client: Any, record: ResourceRecord) -> None:
    client.delete_endpoint_config(EndpointConfigName=record.name)


def describe(client: Any, record: ResourceRecord) -> dict[str, Any] | None:
    return description_or_gone(
        lambda: client.describe_endpoint_config(EndpointConfigName=record.name)
    )


def model_names(config: dict[str, Any]) -> list[str]:
    """The models a recreated config needs: those its variants (shadow ones included) name,
    each once, in order.

    A variant that names no model hosts inference components, which restore does not
    recreate: the endpoint would come back billing for instances that serve nothing.
    """
    variants = [*config.get("ProductionVariants", []), *config.get("ShadowProductionVariants", [])]
    hosts = [v.get("VariantName", "?") for v in variants if not v.get("ModelName")]
    if hosts:
        raise CannotRestore(
            f"endpoint config {config.get('EndpointConfigName', '?')} hosted inference "
            f"components (variant {', '.join(hosts)} names no model), which restore does not "
            f"recreate; its description is in {AUDIT_COMMAND}"
        )
    return list(dict.fromkeys(str(v["ModelName"]) for v in variants))


SPEC = KindSpec(
    kind=KIND,
    about="The instance types and models behind endpoints; deleted with their last endpoint.",
    service="sagemaker",
    tag_type="sagemaker:endpoint-config",
    depends_on=("sagemaker-endpoint",),
    collect_after=("sagemaker-model", "sagemaker-endpoint"),  # collect reads their records
    prefetch=listed_configs,  # its ten pages for 1,000 configs need no record
    collect=collect,
    teardown=Teardown(
        delete=Operation("sagemaker:DeleteEndpointConfig", invoke=delete),
        describe=describe,
    ),
    deleted_with_users=True,
    restore=Restore(
        recreate=Recreate(
            op="sagemaker:CreateEndpointConfig",
            request=lambda client, described, name: fit_to_input(
                client, "CreateEndpointConfig", described
            ),
            noun="endpoint config",
            uses=(Uses("sagemaker-model", model_names),),
        ),
        with_its_user=True,
        why_not="a config is recreated with the endpoint that used it; restore that "
        "endpoint's sagemaker:DeleteEndpoint entry",
    ),
    iam=KindPermissions(
        scan=("sagemaker:ListEndpointConfigs",),
        describe="sagemaker:DescribeEndpointConfig",
        restore=("sagemaker:CreateEndpointConfig", "sagemaker:AddTags"),
    ),
)
