"""Studio domains: the parts of AWS's behaviour that moto's Create/Describe/DeleteDomain miss.

- DeleteDomain is refused with ResourceInUse while the domain has user profiles or spaces
  (MLflow tracking servers do not block it). (API_DeleteDomain; dev guide "Delete a domain".)
- DescribeDomain/DeleteDomain of an unknown domain answer ResourceNotFound (moto: Validation).
- CreateDomain creates the EFS home volume, tagged ManagedByAmazonSageMakerResource=<domain
  ARN> (DescribeDomain's HomeEfsFileSystemId) and, when the VPC exists in the emulator, the two
  NFS security groups, whose rules reference each other (inbound NFS from the outbound group;
  outbound NFS to the inbound group), and a mount target in each of the domain's subnets that
  exists (one per availability zone), carrying the inbound group.
- DeleteDomain keeps all of that unless RetentionPolicy.HomeEfsFileSystem is Delete, which
  removes the mount targets and the volume; the security groups always stay behind.
  (API_RetentionPolicy: Retain is the default.)
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from moto.ec2.exceptions import InvalidPermissionDuplicateError, InvalidSubnetIdError
from moto.ec2.models import ec2_backends
from moto.efs.models import efs_backends
from moto.sagemaker.exceptions import ResourceInUseException, ResourceNotFound
from moto.sagemaker.models import SageMakerModelBackend

from watchdog_sandbox import sagemaker_common as common
from watchdog_sandbox import sagemaker_studio_models as models

MANAGED_BY_TAG = "ManagedByAmazonSageMakerResource"
_TAG = "watchdog.sagemaker_domains"


def install() -> None:
    common.wrap_method(SageMakerModelBackend, "create_domain", _TAG, _wrap_create)
    common.wrap_method(SageMakerModelBackend, "describe_domain", _TAG, _wrap_describe)
    common.wrap_method(SageMakerModelBackend, "delete_domain", _TAG, _wrap_delete)


def _not_found(backend: Any, domain_id: str) -> ResourceNotFound:
    resource = common.arn(backend.account_id, backend.region_name, f"domain/{domain_id}")
    return ResourceNotFound(f"Domain [{resource}] does not exist.")


def _wrap_create(original: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def create_domain(self: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        result = original(self, *args, **kwargs)
        domain = next(d for d in self.domains.values() if d.arn == result["DomainArn"])
        _create_home_volume(self, domain)
        return result

    return create_domain


def _wrap_describe(original: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def describe_domain(self: Any, domain_id: str) -> dict[str, Any]:
        if domain_id not in self.domains:
            raise _not_found(self, domain_id)
        return original(self, domain_id)

    return describe_domain


def _wrap_delete(original: Callable[..., None]) -> Callable[..., None]:
    def delete_domain(
        self: Any, domain_id: str, retention_policy: dict[str, str] | None = None
    ) -> None:
        domain = self.domains.get(domain_id)
        if domain is None:
            raise _not_found(self, domain_id)
        if models.domain_members(self.account_id, self.region_name, domain_id):
            raise ResourceInUseException(
                f"Unable to delete Domain [{domain.arn}] because UserProfile(s) or Space(s) "
                "are associated with it."
            )
        original(self, domain_id, retention_policy)
        if (retention_policy or {}).get("HomeEfsFileSystem", "Retain") == "Delete":
            _delete_home_volume(self, domain)
        models.forget_domain_apps(self.account_id, self.region_name, domain_id)

    return delete_domain


NFS_PORT = 2049


def security_group_names(domain_id: str) -> tuple[str, str]:
    """The (inbound, outbound) NFS security group names Studio gives a domain."""
    return (
        f"security-group-for-inbound-nfs-{domain_id}",
        f"security-group-for-outbound-nfs-{domain_id}",
    )


def _create_home_volume(backend: Any, domain: Any) -> None:
    efs = efs_backends[backend.account_id][backend.region_name]
    volume = efs.create_file_system(
        # moto derives domain ids from names, so the token needs its own uniqueness.
        creation_token=f"{domain.id}-home-{common.next_sequence()}",
        performance_mode="generalPurpose",
        encrypted=bool(domain.home_efs_file_system_kms_key_id),
        kms_key_id=domain.home_efs_file_system_kms_key_id,
        throughput_mode="bursting",
        provisioned_throughput_in_mibps=0,
        # None: a regional (multi-AZ) volume, as Studio creates; moto types it as str.
        availability_zone_name=None,  # type: ignore[arg-type]
        backup=False,
        tags=[{"Key": MANAGED_BY_TAG, "Value": domain.arn}],
    )
    domain.home_efs_file_system_id = volume.file_system_id
    ec2 = ec2_backends[backend.account_id][backend.region_name]
    if domain.vpc_id not in ec2.vpcs:
        return
    inbound_id = _create_nfs_groups(ec2, domain)
    for subnet_id in _subnets_one_per_zone(ec2, domain):
        efs.create_mount_target(volume.file_system_id, subnet_id, security_groups=[inbound_id])


def _create_nfs_groups(ec2: Any, domain: Any) -> str:
    """The two NFS groups and their rules naming each other; returns the inbound group's id."""
    inbound_name, outbound_name = security_group_names(domain.id)
    inbound = _nfs_group(ec2, domain, inbound_name, "inbound")
    outbound = _nfs_group(ec2, domain, outbound_name, "outbound")
    _allow_nfs(ec2.authorize_security_group_ingress, inbound.id, peer=outbound.id)
    _allow_nfs(ec2.authorize_security_group_egress, outbound.id, peer=inbound.id)
    return str(inbound.id)


def _allow_nfs(authorize: Callable[..., Any], group_id: str, peer: str) -> None:
    """NFS (TCP 2049) between `group_id` and its peer group, in the direction `authorize` sets."""
    port = str(NFS_PORT)
    # Retained groups (see _nfs_group) may already name each other.
    with contextlib.suppress(InvalidPermissionDuplicateError):
        authorize(group_id, "tcp", port, port, ip_ranges=[], source_groups=[{"GroupId": peer}])


def _nfs_group(ec2: Any, domain: Any, name: str, direction: str) -> Any:
    # moto derives domain ids from names, so a re-created domain can meet its predecessor's
    # retained groups: reuse them (on AWS the new id, and so the names, would be new).
    existing = ec2.get_security_group_from_name(name, domain.vpc_id)
    return existing or ec2.create_security_group(
        name=name,
        description=f"[DO NOT DELETE] Security Group that allows {direction} NFS traffic "
        f"for SageMaker Notebooks Domain [{domain.id}]",
        vpc_id=domain.vpc_id,
        tags={MANAGED_BY_TAG: domain.arn},
    )


def _subnets_one_per_zone(ec2: Any, domain: Any) -> list[str]:
    """The domain's subnets that exist in its VPC, the first of each zone (EFS allows one mount
    target per zone)."""
    chosen: dict[str, str] = {}
    for subnet_id in domain.subnet_ids or []:
        try:
            subnet = ec2.get_subnet(subnet_id)
        except InvalidSubnetIdError:
            continue
        if subnet.vpc_id == domain.vpc_id:
            chosen.setdefault(subnet.availability_zone, subnet_id)
    return list(chosen.values())


def _delete_home_volume(backend: Any, domain: Any) -> None:
    # EFS refuses to delete a volume that still has mount targets (FileSystemInUse).
    efs = efs_backends[backend.account_id][backend.region_name]
    volume = efs.file_systems_by_id.get(domain.home_efs_file_system_id)
    if volume is None:
        return
    for target in list(volume.iter_mount_targets()):
        efs.delete_mount_target(target.mount_target_id)
    efs.delete_file_system(volume.file_system_id)
