"""sagemaker-domain: Studio domains.

Described once each for the default idle-shutdown settings and the EFS home volume, which a
domain deletion retains by default (users' home directories live there).
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any

from watchdog.kinds._calls import LIST_PAGE_SIZE, description_or_gone
from watchdog.kinds._domain_leftovers import LEFTOVERS
from watchdog.kinds._fields import idle_shutdown, studio_teardown
from watchdog.kinds.base import (
    IdleShutdownSetting,
    Kept,
    KindPermissions,
    KindSpec,
    ScanContext,
    Teardown,
)
from watchdog.records import Kind, ResourceRecord

KIND: Kind = "sagemaker-domain"


def collect(ctx: ScanContext) -> list[ResourceRecord]:
    sagemaker = ctx.client("sagemaker")
    records = []
    for page in ctx.paginate("sagemaker", "ListDomains", MaxResults=LIST_PAGE_SIZE):
        for summary in page.get("Domains", []):
            detail = description_or_gone(
                partial(sagemaker.describe_domain, DomainId=summary["DomainId"])
            )
            if detail is None:
                continue  # deleted between the list and the describe (a teardown running)
            tags = ctx.tags(detail["DomainArn"])
            records.append(to_record(ctx.account, ctx.region, detail, tags))
    return records


def to_record(
    account: str, region: str, detail: dict[str, Any], tags: dict[str, str]
) -> ResourceRecord:
    attributes = {"domain_id": detail["DomainId"]}
    if detail.get("HomeEfsFileSystemId"):
        attributes["home_efs_file_system_id"] = detail["HomeEfsFileSystemId"]
    return ResourceRecord(
        kind=KIND,
        arn=detail["DomainArn"],
        name=detail.get("DomainName", detail["DomainId"]),
        account=account,
        region=region,
        status=detail.get("Status"),
        created_at=detail.get("CreationTime"),
        last_modified_at=detail.get("LastModifiedTime"),
        tags=tags,
        idle_shutdown=idle_shutdown(detail.get("DefaultUserSettings")),
        attributes=attributes,
    )


def delete(client: Any, record: ResourceRecord) -> None:
    # Retain, always: users' home directories live on the EFS volume.
    client.delete_domain(
        DomainId=record.attributes["domain_id"], RetentionPolicy={"HomeEfsFileSystem": "Retain"}
    )


def describe(client: Any, record: ResourceRecord) -> dict[str, Any] | None:
    domain_id = record.attributes["domain_id"]
    return description_or_gone(lambda: client.describe_domain(DomainId=domain_id))


def keeps(record: ResourceRecord) -> tuple[Kept, ...]:
    efs = record.attributes.get("home_efs_file_system_id")
    return (
        Kept(
            what=f"EFS home file system {efs or '(id unknown)'} and the domain's NFS "
            "security groups",
            reason="users' home directories live there; the domain is deleted with "
            "RetentionPolicy HomeEfsFileSystem=Retain",
        ),
    )


def teardown() -> Teardown:
    base = studio_teardown("sagemaker:DeleteDomain", "a domain", delete, describe)
    assert base.delete is not None
    retain = replace(base.delete, params=(("RetentionPolicy.HomeEfsFileSystem", "Retain"),))
    return replace(base, delete=retain, keeps=keeps)


SPEC = KindSpec(
    kind=KIND,
    about=(
        "SageMaker Studio domains. A delete keeps the EFS home volume (every user's home "
        "directory) and its NFS security groups, reported after it."
    ),
    service="sagemaker",
    tag_type="sagemaker:domain",
    depends_on=("sagemaker-user-profile", "sagemaker-space"),
    collect=collect,
    teardown=teardown(),
    leftovers=LEFTOVERS,
    idle_shutdown=IdleShutdownSetting(),
    iam=KindPermissions(
        scan=("sagemaker:ListDomains", "sagemaker:DescribeDomain"),
        describe="sagemaker:DescribeDomain",
    ),
)
