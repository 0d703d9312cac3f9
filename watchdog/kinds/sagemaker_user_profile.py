"""sagemaker-user-profile: Studio user profiles.

Listed for all domains at once, then described once each: only the description has the ARN and
the profile's own idle-shutdown setting (which wins over the domain's).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from watchdog.kinds._calls import LIST_PAGE_SIZE, description_or_gone
from watchdog.kinds._fields import idle_shutdown, studio_teardown
from watchdog.kinds.base import IdleShutdownSetting, KindPermissions, KindSpec, ScanContext
from watchdog.records import Kind, ResourceRecord

KIND: Kind = "sagemaker-user-profile"


def collect(ctx: ScanContext) -> list[ResourceRecord]:
    sagemaker = ctx.client("sagemaker")
    pages = ctx.paginate("sagemaker", "ListUserProfiles", MaxResults=LIST_PAGE_SIZE)
    summaries = [summary for page in pages for summary in page.get("UserProfiles", [])]

    def describe(summary: dict[str, Any]) -> dict[str, Any] | None:
        return description_or_gone(
            partial(
                sagemaker.describe_user_profile,
                DomainId=summary["DomainId"],
                UserProfileName=summary["UserProfileName"],
            )
        )

    records = []
    for detail in ctx.each("sagemaker", summaries, describe):
        if detail is None:
            continue  # deleted between the list and the describe (a teardown running)
        tags = ctx.tags(detail["UserProfileArn"])
        parent = domain_arn(ctx, detail["DomainId"])
        records.append(to_record(ctx.account, ctx.region, detail, tags, parent))
    return records


def domain_arn(ctx: ScanContext, domain_id: str) -> str:
    """A domain's ARN is fully determined by its id, so no lookup is needed."""
    return ctx.arn("sagemaker", f"domain/{domain_id}")


def to_record(
    account: str,
    region: str,
    detail: dict[str, Any],
    tags: dict[str, str],
    domain_arn: str,
) -> ResourceRecord:
    return ResourceRecord(
        kind=KIND,
        arn=detail["UserProfileArn"],
        name=detail["UserProfileName"],
        account=account,
        region=region,
        status=detail.get("Status"),
        created_at=detail.get("CreationTime"),
        last_modified_at=detail.get("LastModifiedTime"),
        tags=tags,
        idle_shutdown=idle_shutdown(detail.get("UserSettings")),
        parent_arns=(domain_arn,),
        attributes={"domain_id": detail["DomainId"]},
    )


def delete(client: Any, record: ResourceRecord) -> None:
    client.delete_user_profile(DomainId=record.attributes["domain_id"], UserProfileName=record.name)


def describe(client: Any, record: ResourceRecord) -> dict[str, Any] | None:
    domain_id = record.attributes["domain_id"]
    return description_or_gone(
        lambda: client.describe_user_profile(DomainId=domain_id, UserProfileName=record.name)
    )


SPEC = KindSpec(
    kind=KIND,
    about="Studio user profiles.",
    service="sagemaker",
    tag_type="sagemaker:user-profile",
    depends_on=("sagemaker-app", "sagemaker-space"),
    collect=collect,
    teardown=studio_teardown("sagemaker:DeleteUserProfile", "a user profile", delete, describe),
    idle_shutdown=IdleShutdownSetting(
        inherits_from="sagemaker-domain", inherited_words="inherited from its domain"
    ),
    iam=KindPermissions(
        scan=("sagemaker:ListUserProfiles", "sagemaker:DescribeUserProfile"),
        describe="sagemaker:DescribeUserProfile",
    ),
)
