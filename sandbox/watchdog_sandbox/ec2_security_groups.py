"""EC2 security groups: DeleteSecurityGroup refuses while something depends on the group.

AWS answers `DependencyViolation` ("resource sg-... has a dependent object") while the group is
referenced by a rule of any security group (its own included) or is attached to a network
interface (a mount target's, for instance). moto deletes it regardless, which would let a
teardown that skips revoking rules or deleting mount targets pass its tests and fail on AWS.
(EC2 API_DeleteSecurityGroup; AWS knowledge center "troubleshoot-delete-vpc-sg".)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.ec2.exceptions import DependencyViolationError
from moto.ec2.models.security_groups import SecurityGroupBackend

from watchdog_sandbox import sagemaker_common as common

_TAG = "watchdog.ec2_security_groups"


def install() -> None:
    common.wrap_method(SecurityGroupBackend, "delete_security_group", _TAG, _wrap_delete)


def _wrap_delete(original: Callable[..., None]) -> Callable[..., None]:
    def delete_security_group(
        self: Any, name: str | None = None, group_id: str | None = None
    ) -> None:
        group = (
            self.get_security_group_by_name_or_id(group_id or name) if group_id or name else None
        )
        if group is not None and (_referenced(self, group.id) or _attached(self, group.id)):
            raise DependencyViolationError(f"resource {group.id} has a dependent object")
        original(self, name=name, group_id=group_id)

    return delete_security_group


def _referenced(backend: Any, group_id: str) -> bool:
    """Whether any group's ingress or egress rule names `group_id` as its source/destination."""
    for groups in list(backend.groups.values()):
        for group in list(groups.values()):
            for rule in [*group.ingress_rules, *group.egress_rules]:
                if (rule.source_group or {}).get("GroupId") == group_id:
                    return True
    return False


def _attached(backend: Any, group_id: str) -> bool:
    """Whether a network interface still carries the group."""
    return any(
        group.id == group_id
        for interface in list(backend.enis.values())
        for group in interface.group_set
    )
