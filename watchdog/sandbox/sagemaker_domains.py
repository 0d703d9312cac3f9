"""Studio domains: the parts of AWS's behaviour that moto's Create/Describe/DeleteDomain miss.

- DeleteDomain is refused with ResourceInUse while the domain has user profiles or spaces
  (MLflow tracking servers do not block it). (API_DeleteDomain; dev guide "Delete a domain".)
- DescribeDomain/DeleteDomain of an unknown domain answer ResourceNotFound (moto: Validation).
- CreateDomain creates the EFS home volume, tagged ManagedByAmazonSageMakerResource=<domain
  ARN>, and, when the VPC exists in the emulator, the two NFS security groups. DeleteDomain
  keeps them unless RetentionPolicy.HomeEfsFileSystem is Delete, which removes the volume; the
  security groups always stay behind. (API_RetentionPolicy: Retain is the default.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.ec2.models import ec2_backends
from moto.efs.models import efs_backends
from moto.sagemaker.exceptions import ResourceInUseException, ResourceNotFound
from moto.sagemaker.models import SageMakerModelBackend

from watchdog.sandbox import sagemaker_common as common
from watchdog.sandbox import sagemaker_studio_models as models

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


def _create_home_volume(backend: Any, domain: Any) -> None:
    tags = [{"Key": MANAGED_BY_TAG, "Value": domain.arn}]
    volume = efs_backends[backend.account_id][backend.region_name].create_file_system(
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
        tags=tags,
    )
    domain.home_efs_file_system_id = volume.file_system_id
    ec2 = ec2_backends[backend.account_id][backend.region_name]
    if domain.vpc_id not in ec2.vpcs:
        return
    for direction in ("inbound", "outbound"):
        ec2.create_security_group(
            name=f"security-group-for-{direction}-nfs-{domain.id}",
            description=f"[DO NOT DELETE] Security Group that allows {direction} NFS traffic "
            f"for SageMaker Notebooks Domain [{domain.id}]",
            vpc_id=domain.vpc_id,
            tags={MANAGED_BY_TAG: domain.arn},
        )


def _delete_home_volume(backend: Any, domain: Any) -> None:
    efs = efs_backends[backend.account_id][backend.region_name]
    if domain.home_efs_file_system_id in efs.file_systems_by_id:
        efs.delete_file_system(domain.home_efs_file_system_id)
