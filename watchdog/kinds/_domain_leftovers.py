"""What deleting a SageMaker domain leaves in the account on purpose, found after the delete.

The watchdog deletes domains with `RetentionPolicy.HomeEfsFileSystem=Retain`, because users'
home directories live on the domain's EFS volume. That leaves:
- the EFS home volume, tagged `ManagedByAmazonSageMakerResource=<domain ARN>`, with a mount
  target per subnet (it keeps billing for its storage);
- two security groups, `security-group-for-inbound-nfs-<domainId>` and
  `security-group-for-outbound-nfs-<domainId>`, whose NFS rules name each other.

`find_domain_leftovers` reports them (apply does after each domain it deletes, through the
kind's `leftovers` declaration); deleting them is `ai-watchdog leftovers --execute`'s, an
explicit opt-in (watchdog.act.leftovers). Calls, in IAM terms: elasticfilesystem:
DescribeFileSystems (one page per 100 file systems), elasticfilesystem:DescribeMountTargets
(only when the volume has mount targets), ec2:DescribeSecurityGroups (one, filtered by the two
names).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError
from pydantic import Field

from watchdog.kinds._calls import error_code
from watchdog.kinds.base import AccountClients, LeftoverLines, LeftoverReport, Leftovers
from watchdog.records import ResourceRecord

MANAGED_BY_TAG = "ManagedByAmazonSageMakerResource"
# What apply's report needs (the `leftovers` command's own calls are declared with it).
REPORT_ACTIONS = (
    "elasticfilesystem:DescribeFileSystems",
    "elasticfilesystem:DescribeMountTargets",
    "ec2:DescribeSecurityGroups",
)


class FileSystemLeftover(LeftoverReport.Part):
    file_system_id: str
    size_bytes: int = Field(ge=0, description="metered size, as EFS last measured it")
    created_at: datetime
    mount_target_ids: list[str] = Field(default_factory=list)


class SecurityGroupLeftover(LeftoverReport.Part):
    group_id: str
    name: str
    vpc_id: str | None
    # The group's rules that name another leftover group, trimmed to those pairs: EC2 will not
    # delete a group another rule names (DependencyViolation), so these are revoked first.
    ingress_references: list[dict[str, Any]] = Field(default_factory=list)
    egress_references: list[dict[str, Any]] = Field(default_factory=list)


class DomainLeftovers(LeftoverReport):
    domain_id: str
    domain_arn: str
    file_system: FileSystemLeftover | None
    security_groups: list[SecurityGroupLeftover]

    @property
    def empty(self) -> bool:
        return self.file_system is None and not self.security_groups

    def lines(self) -> LeftoverLines:
        items = []
        if self.file_system is not None:
            volume = self.file_system
            items.append(
                f"EFS file system {volume.file_system_id} ({volume.size_bytes:,} bytes, "
                f"{len(volume.mount_target_ids)} mount targets)"
            )
        items += [f"security group {g.group_id} {g.name}" for g in self.security_groups]
        return LeftoverLines(
            heading=f"Left behind by domain {self.domain_id} ({self.account} {self.region}), "
            "on purpose: users' home directories live there.",
            items=tuple(items),
            remedy=f"To delete them (data loss): ai-watchdog leftovers --domain-id "
            f"{self.domain_id} --region {self.region} --account {self.account} --execute",
        )


def security_group_names(domain_id: str) -> list[str]:
    """The two NFS security groups SageMaker creates for a domain's EFS home volume."""
    return [
        f"security-group-for-inbound-nfs-{domain_id}",
        f"security-group-for-outbound-nfs-{domain_id}",
    ]


def find_domain_leftovers(
    clients: AccountClients,
    account: str,
    region: str,
    domain_id: str,
    domain_arn: str,
    *,
    file_system_id: str | None = None,
) -> DomainLeftovers:
    """The EFS home volume and NFS security groups that `domain_arn` left in the account.

    `file_system_id` (DescribeDomain's HomeEfsFileSystemId, when it was recorded) saves a
    search; the volume counts only if it carries the domain's tag, so a stale or mistyped id
    can never put someone else's volume on the list.
    """
    efs = clients.client("efs", account, region)
    ec2 = clients.client("ec2", account, region)
    volume = _home_volume(efs, domain_arn, file_system_id)
    return DomainLeftovers(
        account=account,
        region=region,
        domain_id=domain_id,
        domain_arn=domain_arn,
        file_system=_file_system_leftover(efs, volume) if volume else None,
        security_groups=_nfs_groups(ec2, domain_id),
    )


def _home_volume(efs: Any, arn: str, file_system_id: str | None) -> dict[str, Any] | None:
    if file_system_id:
        try:
            [volume] = efs.describe_file_systems(FileSystemId=file_system_id)["FileSystems"]
        except ClientError as error:
            if error_code(error) != "FileSystemNotFound":
                raise
        else:
            if _managed_by(volume) == arn:
                return dict(volume)
    # Tags come with each file system, so a search costs one call per page of 100.
    for page in efs.get_paginator("describe_file_systems").paginate():
        for volume in page.get("FileSystems", []):
            if _managed_by(volume) == arn:
                return dict(volume)
    return None


def _managed_by(volume: dict[str, Any]) -> str | None:
    tags = {tag["Key"]: tag["Value"] for tag in volume.get("Tags", [])}
    return tags.get(MANAGED_BY_TAG)


def _file_system_leftover(efs: Any, volume: dict[str, Any]) -> FileSystemLeftover:
    file_system_id = volume["FileSystemId"]
    target_ids: list[str] = []
    if volume.get("NumberOfMountTargets", 0):
        pages = efs.get_paginator("describe_mount_targets").paginate(FileSystemId=file_system_id)
        target_ids = [t["MountTargetId"] for page in pages for t in page.get("MountTargets", [])]
    return FileSystemLeftover(
        file_system_id=file_system_id,
        size_bytes=int(volume.get("SizeInBytes", {}).get("Value", 0)),
        created_at=volume["CreationTime"],
        mount_target_ids=target_ids,
    )


def _nfs_groups(ec2: Any, domain_id: str) -> list[SecurityGroupLeftover]:
    names = security_group_names(domain_id)
    found = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": names}])
    groups = sorted(found.get("SecurityGroups", []), key=lambda g: names.index(g["GroupName"]))
    ids = {group["GroupId"] for group in groups}
    return [
        SecurityGroupLeftover(
            group_id=group["GroupId"],
            name=group["GroupName"],
            vpc_id=group.get("VpcId"),
            ingress_references=_references(group.get("IpPermissions", []), ids),
            egress_references=_references(group.get("IpPermissionsEgress", []), ids),
        )
        for group in groups
    ]


def _references(permissions: list[dict[str, Any]], group_ids: set[str]) -> list[dict[str, Any]]:
    """The permissions naming one of `group_ids`, trimmed to those pairs: what to revoke so
    the groups can be deleted, and nothing else the rule may also allow."""
    trimmed = []
    for permission in permissions:
        pairs = [
            {"GroupId": pair["GroupId"]}
            for pair in permission.get("UserIdGroupPairs", [])
            if pair.get("GroupId") in group_ids
        ]
        if pairs:
            rule: dict[str, Any] = {"IpProtocol": permission["IpProtocol"]}
            rule.update({k: permission[k] for k in ("FromPort", "ToPort") if k in permission})
            rule["UserIdGroupPairs"] = pairs
            trimmed.append(rule)
    return trimmed


def found_after_delete(clients: AccountClients, domain: ResourceRecord) -> DomainLeftovers:
    """What a domain apply just deleted left behind (its recorded home volume id saves a
    search)."""
    return find_domain_leftovers(
        clients,
        domain.account,
        domain.region,
        domain.arn.rsplit("/", 1)[-1],
        domain.arn,
        file_system_id=domain.attributes.get("home_efs_file_system_id"),
    )


LEFTOVERS = Leftovers(find=found_after_delete, iam=REPORT_ACTIONS)
