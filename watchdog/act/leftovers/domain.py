"""Deleting what a deleted Studio domain left behind, on explicit request (`ai-watchdog
leftovers --execute`).

What is left and how it is found is the domain kind's (watchdog.kinds._domain_leftovers).
`delete_domain_leftovers` deletes it in the order AWS accepts (mount targets, then the volume,
then the rules naming the other group, then the groups), or with `execute=False` only lists
what it would delete. It refuses while the domain still exists: then nothing is left over, it
is in use. Deleting the volume destroys every user's home directory, so callers must make it an
explicit opt-in.

Calls, in IAM terms: sagemaker:DescribeDomain; to delete, elasticfilesystem:DeleteMountTarget
(which needs ec2:DeleteNetworkInterface too), elasticfilesystem:DeleteFileSystem,
ec2:RevokeSecurityGroupIngress, ec2:RevokeSecurityGroupEgress and ec2:DeleteSecurityGroup.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Literal

import boto3
from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict

from watchdog.act.clients import Clients
from watchdog.aws.errors import describe_error
from watchdog.kinds._calls import error_code, is_gone
from watchdog.kinds._domain_leftovers import DomainLeftovers

# Mount targets take a minute or two to delete on AWS; EFS refuses to delete a volume that
# still has any (FileSystemInUse), so the deletion waits for them, this long at most.
MOUNT_TARGET_POLL_S = 10.0
MOUNT_TARGET_MAX_POLLS = 60
# Error codes that mean "already gone": a second run after a half-done one carries on.
_GONE_CODES = frozenset(
    {
        "FileSystemNotFound",
        "MountTargetNotFound",
        "InvalidGroup.NotFound",
        "InvalidPermission.NotFound",
    }
)


class LeftoversRefused(Exception):
    """Deleting the leftovers is not safe now; the message is one line saying why."""


class LeftoversFailed(Exception):
    """A deletion failed part-way; `done` lists what was deleted before it."""

    def __init__(self, message: str, done: list[Deletion]) -> None:
        super().__init__(message)
        self.done = done


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Deletion(_Model):
    """One change, made (`executed`) or, in a dry run, only planned."""

    op: str  # the IAM action, e.g. "elasticfilesystem:DeleteFileSystem"
    resource_id: str
    detail: str = ""
    executed: bool
    # "planned": a dry run's; "already gone": someone (or an earlier, failed run) did it first.
    outcome: Literal["done", "already gone", "planned"]


def domain_arn(account: str, region: str, domain_id: str) -> str:
    """A domain's ARN from its parts: a deleted domain can no longer be described."""
    partition = boto3.session.Session().get_partition_for_region(region)
    return f"arn:{partition}:sagemaker:{region}:{account}:domain/{domain_id}"


# --- deleting --------------------------------------------------------------------------------


def delete_domain_leftovers(
    clients: Clients,
    leftovers: DomainLeftovers,
    execute: bool,
    *,
    sleep: Callable[[float], None] = time.sleep,
    before_changes: Callable[[DomainLeftovers], None] | None = None,
) -> list[Deletion]:
    """Delete (or, with `execute=False`, list) the leftovers in the order AWS accepts.

    Raises LeftoversRefused while the domain still exists, or when that cannot be confirmed;
    LeftoversFailed when a call fails part-way (what was deleted before it is on the error).
    Whatever is already gone is skipped, so a failed run can simply be run again.
    `before_changes` is called once the domain is known to be gone, right before the first
    change (never in a dry run): where a command warns, or asks.
    """
    _refuse_while_domain_exists(clients, leftovers)
    if execute and before_changes is not None and not leftovers.empty:
        before_changes(leftovers)
    run = _Run(clients, leftovers, execute, sleep)
    try:
        run.mount_targets()
        run.file_system()
        run.group_references()
        run.groups()
    except ClientError as error:
        raise LeftoversFailed(f"stopped: {describe_error(error)}", run.done) from error
    return run.done


def _refuse_while_domain_exists(clients: Clients, leftovers: DomainLeftovers) -> None:
    sagemaker = clients.client("sagemaker", leftovers.account, leftovers.region)
    try:
        domain = sagemaker.describe_domain(DomainId=leftovers.domain_id)
    except ClientError as error:
        if is_gone(error):
            return
        # Missing evidence never leads to a delete.
        raise LeftoversRefused(
            f"cannot confirm that domain {leftovers.domain_id} is deleted: {describe_error(error)}"
        ) from error
    raise LeftoversRefused(
        f"domain {leftovers.domain_id} still exists (status {domain.get('Status', 'unknown')}): "
        "its EFS volume and security groups are in use, not left over"
    )


class _Run:
    """One pass over the leftovers, recording each deletion made or planned."""

    def __init__(
        self,
        clients: Clients,
        leftovers: DomainLeftovers,
        execute: bool,
        sleep: Callable[[float], None],
    ) -> None:
        self.efs = clients.client("efs", leftovers.account, leftovers.region)
        self.ec2 = clients.client("ec2", leftovers.account, leftovers.region)
        self.leftovers = leftovers
        self.execute = execute
        self.sleep = sleep
        self.done: list[Deletion] = []

    def _do(
        self, op: str, resource_id: str, detail: str, call: Callable[..., object], **params: Any
    ) -> None:
        """`call(**params)` when executing; either way, record it."""
        outcome: Literal["done", "already gone", "planned"] = "planned"
        if self.execute:
            outcome = "done"
            try:
                call(**params)
            except ClientError as error:
                if error_code(error) not in _GONE_CODES:
                    raise
                outcome = "already gone"
        self.done.append(
            Deletion(
                op=op,
                resource_id=resource_id,
                detail=detail,
                executed=self.execute,
                outcome=outcome,
            )
        )

    def mount_targets(self) -> None:
        volume = self.leftovers.file_system
        if volume is None or not volume.mount_target_ids:
            return
        for target_id in volume.mount_target_ids:
            self._do(
                "elasticfilesystem:DeleteMountTarget",
                target_id,
                f"mount target of {volume.file_system_id}",
                self.efs.delete_mount_target,
                MountTargetId=target_id,
            )
        if self.execute:
            self._wait_for_mount_targets(volume.file_system_id)

    def _wait_for_mount_targets(self, file_system_id: str) -> None:
        # DeleteMountTarget returns while the target is still "deleting".
        for _ in range(MOUNT_TARGET_MAX_POLLS):
            try:
                answer = self.efs.describe_mount_targets(FileSystemId=file_system_id)
            except ClientError as error:
                if error_code(error) == "FileSystemNotFound":
                    return
                raise
            if not answer.get("MountTargets"):
                return
            self.sleep(MOUNT_TARGET_POLL_S)
        raise LeftoversFailed(
            f"the mount targets of {file_system_id} were still being deleted after "
            f"{MOUNT_TARGET_POLL_S * MOUNT_TARGET_MAX_POLLS:.0f} s; run again later",
            self.done,
        )

    def file_system(self) -> None:
        volume = self.leftovers.file_system
        if volume is None:
            return
        self._do(
            "elasticfilesystem:DeleteFileSystem",
            volume.file_system_id,
            f"EFS home volume of {self.leftovers.domain_id}: users' home directories",
            self.efs.delete_file_system,
            FileSystemId=volume.file_system_id,
        )

    def group_references(self) -> None:
        for group in self.leftovers.security_groups:
            revokes = (
                ("Ingress", group.ingress_references, self.ec2.revoke_security_group_ingress),
                ("Egress", group.egress_references, self.ec2.revoke_security_group_egress),
            )
            for direction, permissions, revoke in revokes:
                if permissions:
                    self._do(
                        f"ec2:RevokeSecurityGroup{direction}",
                        group.group_id,
                        f"{direction.lower()} rules of {group.name} naming the other NFS group",
                        revoke,
                        GroupId=group.group_id,
                        IpPermissions=permissions,
                    )

    def groups(self) -> None:
        for group in self.leftovers.security_groups:
            self._do(
                "ec2:DeleteSecurityGroup",
                group.group_id,
                f"{group.name} in {group.vpc_id}",
                self.ec2.delete_security_group,
                GroupId=group.group_id,
            )
