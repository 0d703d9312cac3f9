"""bedrock-marketplace-endpoint: a Bedrock Marketplace model deployed on a SageMaker endpoint.

Bedrock Marketplace models run on SageMaker instances (ml.g5 and up) and show up as SageMaker
endpoints; deregistering one from Bedrock does not delete it (API_DeregisterMarketplaceModel
Endpoint: "does not delete the underlying Amazon SageMaker endpoint"). Facts from botocore's
bedrock service model (2023-04-20) and the Bedrock API reference / user guide:
- `ListMarketplaceModelEndpoints` (maxResults 1-1000) gives `endpointArn`,
  `modelSourceIdentifier` (the hub model), `status` (REGISTERED | INCOMPATIBLE_ENDPOINT),
  `createdAt`, `updatedAt`; `GetMarketplaceModelEndpoint` adds `endpointConfig.sageMaker`
  (instance type and count, role) and `endpointStatus`, the SageMaker endpoint's own status.
- `endpointArn` IS the SageMaker endpoint's ARN (user guide, "Manage your endpoints": the delete
  example passes `arn:aws:sagemaker:region:111122223333:endpoint/example-endpoint`). Two records
  cannot share an ARN (findings, signals and plans are keyed by it), so this record's ARN is the
  endpoint's with `bedrock:...:marketplace-model-endpoint/<name>` in place of
  `sagemaker:...:endpoint/<name>`; `sagemaker_arn()` turns it back for every call.
- `DeleteMarketplaceModelEndpoint` deletes the endpoint, the SageMaker endpoint with it (the
  AmazonBedrockMarketplaceAccess managed policy lets Bedrock call sagemaker:DeleteEndpoint on
  the caller's behalf, `aws:CalledViaLast` bedrock.amazonaws.com): the teardown goes through
  Bedrock so its view stays consistent, and the plan counts the SageMaker endpoint gone after it
  (`Teardown.deletes_used`), then deletes what the endpoint leaves (its config and model) when
  nothing else uses them. A finding on the SageMaker endpoint itself is carried out the same way.
- Tags are the SageMaker endpoint's (CreateMarketplaceModelEndpoint's `tags` "apply to the
  underlying Amazon SageMaker endpoint"; Bedrock's TagResource takes only bedrock ARNs, its
  `TaggableResourcesArn` pattern): read and written with SageMaker's ListTags/AddTags.

Idle evidence and cost are the SageMaker endpoint's: its per-variant traffic and CPU (the
record carries the endpoint's variants), and its instances carry the cost - priced once, on the
sagemaker-endpoint record, so the same instances are not counted twice.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from watchdog.kinds import sagemaker_endpoint
from watchdog.kinds._calls import BEDROCK_PAGE_SIZE, description_or_gone
from watchdog.kinds._tags import SERVICE_DIALECTS, TagDialect
from watchdog.kinds.base import (
    AUDIT_COMMAND,
    BilledThrough,
    KindPermissions,
    KindSpec,
    Operation,
    Restore,
    ScanContext,
    Teardown,
)
from watchdog.records import Kind, ResourceRecord

KIND: Kind = "bedrock-marketplace-endpoint"
_OURS, _SAGEMAKER = (":bedrock:", ":marketplace-model-endpoint/"), (":sagemaker:", ":endpoint/")


def record_arn(endpoint_arn: str) -> str:
    """This record's ARN, from the SageMaker endpoint's (see the module's docstring)."""
    return endpoint_arn.replace(_SAGEMAKER[0], _OURS[0], 1).replace(_SAGEMAKER[1], _OURS[1], 1)


def sagemaker_arn(arn: str) -> str:
    """The SageMaker endpoint's ARN, which every Bedrock marketplace call takes."""
    return arn.replace(_OURS[0], _SAGEMAKER[0], 1).replace(_OURS[1], _SAGEMAKER[1], 1)


def collect(ctx: ScanContext) -> list[ResourceRecord]:
    endpoints = {r.arn.lower(): r for r in ctx.records(sagemaker_endpoint.KIND)}
    return [
        to_record(ctx.account, ctx.region, summary, endpoints.get(summary["endpointArn"].lower()))
        for summary in listed_registrations(ctx)
    ]


def listed_registrations(ctx: ScanContext) -> list[dict[str, Any]]:
    """ListMarketplaceModelEndpoints' summaries: one paginated pass per scan, which reads no
    record, so the scan starts it while the endpoints it joins are still described."""

    def fetch() -> list[dict[str, Any]]:
        pages = ctx.paginate(
            "bedrock", "ListMarketplaceModelEndpoints", maxResults=BEDROCK_PAGE_SIZE
        )
        return [summary for page in pages for summary in page.get("marketplaceModelEndpoints", [])]

    return ctx.memo(("bedrock:ListMarketplaceModelEndpoints",), fetch)


def to_record(
    account: str, region: str, summary: dict[str, Any], endpoint: ResourceRecord | None
) -> ResourceRecord:
    """The registration, with its SageMaker endpoint's state, variants and tags when the
    endpoint was found (its traffic is the idle evidence); it uses that endpoint."""
    endpoint_arn = summary["endpointArn"]
    attributes = {
        "endpoint_arn": endpoint_arn,
        "model_source": summary.get("modelSourceIdentifier", ""),
        "registration_status": summary.get("status", ""),
    }
    base = ResourceRecord(
        kind=KIND,
        arn=record_arn(endpoint_arn),
        name=endpoint_arn.rsplit("/", 1)[-1],
        account=account,
        region=region,
        created_at=summary.get("createdAt"),
        last_modified_at=summary.get("updatedAt"),
        uses_arns=(endpoint_arn,),
        attributes=attributes,
    )
    if endpoint is None:
        return base
    return base.model_copy(
        update={
            "name": endpoint.name,
            "status": endpoint.status,
            "created_at": endpoint.created_at or base.created_at,
            "tags": endpoint.tags,
            "instance_type": endpoint.instance_type,
            "instance_count": endpoint.instance_count,
            "billing": endpoint.billing,  # how its instances bill (their cost is the endpoint's)
            "variants": endpoint.variants,
            "attributes": {**endpoint.attributes, **attributes},
        }
    )


def delete(client: Any, record: ResourceRecord) -> None:
    client.delete_marketplace_model_endpoint(endpointArn=sagemaker_arn(record.arn))


def describe(client: Any, record: ResourceRecord) -> dict[str, Any] | None:
    described = description_or_gone(
        lambda: client.get_marketplace_model_endpoint(endpointArn=sagemaker_arn(record.arn))
    )
    return None if described is None else dict(described["marketplaceModelEndpoint"])


def _endpoint_delete() -> Operation:
    """Bedrock's delete, accepted in the states its SageMaker endpoint's delete is (Bedrock
    deletes that endpoint; aws-facts.md: Creating/Updating/SystemUpdating ones cannot be)."""
    endpoint_delete = sagemaker_endpoint.SPEC.teardown.delete
    assert endpoint_delete is not None
    return replace(endpoint_delete, op="bedrock:DeleteMarketplaceModelEndpoint", invoke=delete)


DELETE = _endpoint_delete()
_SAGEMAKER_TAGS = SERVICE_DIALECTS["sagemaker"]
TAGS = TagDialect(
    read=lambda client, arn: _SAGEMAKER_TAGS.read(client, sagemaker_arn(arn)),
    write=lambda client, arn, key, value: _SAGEMAKER_TAGS.write(
        client, sagemaker_arn(arn), key, value
    ),
    read_action=_SAGEMAKER_TAGS.read_action,
    write_action=_SAGEMAKER_TAGS.write_action,
    service="sagemaker",
)

SPEC = KindSpec(
    kind=KIND,
    about=(
        "A Bedrock Marketplace model deployed on a SageMaker endpoint (which it uses): "
        "deleted through `bedrock:DeleteMarketplaceModelEndpoint`, which deletes the endpoint "
        "(deregistering would leave it billing), then its config and model as for any "
        "endpoint."
    ),
    service="bedrock",
    # Its tags are its SageMaker endpoint's: the tagging API lists them under that type, and
    # the scan reads them from the endpoint's record (Search's), not from that API's pass.
    tag_type="sagemaker:endpoint",
    in_tagging_api=False,
    depends_on=(),
    collect_after=(sagemaker_endpoint.KIND,),  # collect reads their records
    prefetch=listed_registrations,  # its listing needs no record
    collect=collect,
    metric_queries=sagemaker_endpoint.metric_queries,
    billed_through=BilledThrough(
        reason="it runs on its SageMaker endpoint's instances, which carry the cost",
        cell="with its endpoint",
    ),
    teardown=Teardown(
        delete=DELETE,
        status_field="endpointStatus",
        in_progress=frozenset({"Deleting"}),
        describe=describe,
        deletes_used=(sagemaker_endpoint.KIND,),
    ),
    tag_dialect=TAGS,
    restore=Restore(
        why_not="a Bedrock Marketplace deployment is recreated with "
        "CreateMarketplaceModelEndpoint, which accepts the model's EULA and starts billed "
        "instances again: a decision for a person, not an undo; its description is in "
        f"{AUDIT_COMMAND}"
    ),
    iam=KindPermissions(
        scan=("bedrock:ListMarketplaceModelEndpoints",),
        describe="bedrock:GetMarketplaceModelEndpoint",
        # "Amazon Bedrock does not support the aws:ResourceTag or aws:RequestTag condition keys
        # on bedrock:*MarketplaceModelEndpoint actions"; it calls sagemaker:DeleteEndpoint with
        # the caller's identity, where the exempt-tag Deny applies (user guide,
        # marketplace-tag-based-access-control).
        resource_tag_condition=False,
    ),
)
