"""sagemaker-space: Studio spaces, shared or private.

The list call has everything needed but the ARN, which is built. A private space belongs to its
owner's user profile as well as to the domain: the profile cannot go before it does.
"""

from __future__ import annotations

from typing import Any

from watchdog.kinds._calls import LIST_PAGE_SIZE, description_or_gone
from watchdog.kinds._fields import studio_teardown
from watchdog.kinds.base import KindPermissions, KindSpec, ScanContext
from watchdog.kinds.sagemaker_user_profile import domain_arn
from watchdog.records import Kind, ResourceRecord

KIND: Kind = "sagemaker-space"


def space_arn(ctx: ScanContext, domain_id: str, space_name: str) -> str:
    return ctx.arn("sagemaker", f"space/{domain_id}/{space_name}")


def profile_arn(ctx: ScanContext, domain_id: str, profile_name: str) -> str:
    return ctx.arn("sagemaker", f"user-profile/{domain_id}/{profile_name}")


def collect(ctx: ScanContext) -> list[ResourceRecord]:
    records = []
    for page in ctx.paginate("sagemaker", "ListSpaces", MaxResults=LIST_PAGE_SIZE):
        for summary in page.get("Spaces", []):
            arn = space_arn(ctx, summary["DomainId"], summary["SpaceName"])
            parents = [domain_arn(ctx, summary["DomainId"])]
            owner = summary.get("OwnershipSettingsSummary", {}).get("OwnerUserProfileName")
            if owner and _sharing(summary) == "Private":
                parents.append(profile_arn(ctx, summary["DomainId"], owner))
            records.append(to_record(ctx.account, ctx.region, summary, arn, ctx.tags(arn), parents))
    return records


def _sharing(summary: dict[str, Any]) -> str | None:
    sharing: str | None = summary.get("SpaceSharingSettingsSummary", {}).get("SharingType")
    return sharing


def to_record(
    account: str,
    region: str,
    summary: dict[str, Any],
    arn: str,
    tags: dict[str, str],
    parents: list[str],
) -> ResourceRecord:
    attributes = {"domain_id": summary["DomainId"]}
    optional = {
        "sharing_type": _sharing(summary),
        "app_type": summary.get("SpaceSettingsSummary", {}).get("AppType"),
        "owner_user_profile": summary.get("OwnershipSettingsSummary", {}).get(
            "OwnerUserProfileName"
        ),
    }
    attributes.update({k: v for k, v in optional.items() if v})
    return ResourceRecord(
        kind=KIND,
        arn=arn,
        name=summary["SpaceName"],
        account=account,
        region=region,
        status=summary.get("Status"),
        created_at=summary.get("CreationTime"),
        last_modified_at=summary.get("LastModifiedTime"),
        tags=tags,
        parent_arns=tuple(parents),
        attributes=attributes,
    )


def delete(client: Any, record: ResourceRecord) -> None:
    client.delete_space(DomainId=record.attributes["domain_id"], SpaceName=record.name)


def describe(client: Any, record: ResourceRecord) -> dict[str, Any] | None:
    domain_id = record.attributes["domain_id"]
    return description_or_gone(
        lambda: client.describe_space(DomainId=domain_id, SpaceName=record.name)
    )


SPEC = KindSpec(
    kind=KIND,
    about="Studio spaces, shared or private.",
    service="sagemaker",
    tag_type="sagemaker:space",
    depends_on=("sagemaker-app",),
    collect=collect,
    teardown=studio_teardown("sagemaker:DeleteSpace", "a space", delete, describe),
    iam=KindPermissions(scan=("sagemaker:ListSpaces",), describe="sagemaker:DescribeSpace"),
)
