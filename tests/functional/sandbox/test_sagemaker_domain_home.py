"""What a Studio domain puts in the customer's account, and what its deletion leaves behind:
the EFS home volume, its mount targets, the two NFS security groups naming each other
(API_CreateDomain, API_RetentionPolicy, aws-facts.md "Teardown order"), and EC2's refusal to
delete a group something still depends on (API_DeleteSecurityGroup: DependencyViolation)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
import pytest
import watchdog_sandbox as sandbox
from botocore.exceptions import ClientError
from moto import mock_aws
from watchdog_sandbox import ec2_security_groups
from watchdog_sandbox.sagemaker_domains import MANAGED_BY_TAG
from watchdog_sandbox.server import running_server

from tests.functional.sandbox.conftest import REGION, install_sagemaker_additions

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client


@dataclass(frozen=True)
class Domain:
    id: str
    arn: str
    vpc_id: str
    subnet_ids: list[str]
    efs_id: str

    @property
    def group_names(self) -> list[str]:
        return [
            f"security-group-for-inbound-nfs-{self.id}",
            f"security-group-for-outbound-nfs-{self.id}",
        ]


def create_domain(endpoint_url: str | None = None, name: str = "lab") -> Domain:
    """A domain in a fresh VPC with two subnets in different zones, as quick setup makes."""
    ec2 = boto3.client("ec2", region_name=REGION, endpoint_url=endpoint_url)
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet_ids = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]
        for cidr, zone in (("10.0.1.0/24", "us-east-1a"), ("10.0.2.0/24", "us-east-1b"))
    ]
    sm = boto3.client("sagemaker", region_name=REGION, endpoint_url=endpoint_url)
    arn = sm.create_domain(
        DomainName=name,
        AuthMode="IAM",
        DefaultUserSettings={},
        SubnetIds=subnet_ids,
        VpcId=vpc_id,
    )["DomainArn"]
    domain_id = arn.rsplit("/", 1)[-1]
    efs_id = sm.describe_domain(DomainId=domain_id)["HomeEfsFileSystemId"]
    return Domain(domain_id, arn, vpc_id, subnet_ids, efs_id)


def groups(ec2: EC2Client, domain: Domain) -> dict[str, Any]:
    found = ec2.describe_security_groups(
        Filters=[{"Name": "group-name", "Values": domain.group_names}]
    )["SecurityGroups"]
    return {group["GroupName"]: group for group in found}


def referenced(permissions: list[Any]) -> set[str]:
    return {pair["GroupId"] for p in permissions for pair in p["UserIdGroupPairs"]}


@pytest.fixture
def aws() -> Iterator[None]:
    install_sagemaker_additions()
    ec2_security_groups.install()
    with mock_aws():
        yield


@pytest.fixture
def domain(aws: None) -> Domain:
    return create_domain()


def test_given_a_new_domain_then_its_volume_is_tagged_and_mounted_in_each_subnet(
    domain: Domain,
) -> None:
    efs = boto3.client("efs", region_name=REGION)
    ec2 = boto3.client("ec2", region_name=REGION)

    [volume] = efs.describe_file_systems(FileSystemId=domain.efs_id)["FileSystems"]
    targets = efs.describe_mount_targets(FileSystemId=domain.efs_id)["MountTargets"]

    assert {t["Key"]: t["Value"] for t in volume["Tags"]}[MANAGED_BY_TAG] == domain.arn
    assert volume["NumberOfMountTargets"] == 2
    assert sorted(t["SubnetId"] for t in targets) == sorted(domain.subnet_ids)
    inbound = groups(ec2, domain)[domain.group_names[0]]["GroupId"]
    for target in targets:
        attached = efs.describe_mount_target_security_groups(MountTargetId=target["MountTargetId"])
        assert attached["SecurityGroups"] == [inbound]


def test_given_a_new_domain_then_its_nfs_groups_reference_each_other(domain: Domain) -> None:
    ec2 = boto3.client("ec2", region_name=REGION)

    found = groups(ec2, domain)
    inbound, outbound = (found[name] for name in domain.group_names)

    assert {inbound["VpcId"], outbound["VpcId"]} == {domain.vpc_id}
    assert referenced(inbound["IpPermissions"]) == {outbound["GroupId"]}
    assert referenced(outbound["IpPermissionsEgress"]) == {inbound["GroupId"]}
    nfs = next(p for p in inbound["IpPermissions"] if p["UserIdGroupPairs"])
    assert (nfs["IpProtocol"], nfs["FromPort"], nfs["ToPort"]) == ("tcp", 2049, 2049)


def test_given_retain_when_the_domain_is_deleted_then_volume_targets_and_groups_remain(
    domain: Domain,
) -> None:
    sm = boto3.client("sagemaker", region_name=REGION)
    efs = boto3.client("efs", region_name=REGION)
    ec2 = boto3.client("ec2", region_name=REGION)

    sm.delete_domain(DomainId=domain.id, RetentionPolicy={"HomeEfsFileSystem": "Retain"})

    assert efs.describe_mount_targets(FileSystemId=domain.efs_id)["MountTargets"]
    assert set(groups(ec2, domain)) == set(domain.group_names)


def test_given_delete_when_the_domain_is_deleted_then_the_volume_goes_and_groups_stay(
    domain: Domain,
) -> None:
    sm = boto3.client("sagemaker", region_name=REGION)
    efs = boto3.client("efs", region_name=REGION)
    ec2 = boto3.client("ec2", region_name=REGION)

    sm.delete_domain(DomainId=domain.id, RetentionPolicy={"HomeEfsFileSystem": "Delete"})

    with pytest.raises(efs.exceptions.FileSystemNotFound):
        efs.describe_file_systems(FileSystemId=domain.efs_id)
    assert (
        ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [domain.vpc_id]}])[
            "NetworkInterfaces"
        ]
        == []
    )
    assert set(groups(ec2, domain)) == set(domain.group_names)


def test_given_a_domain_recreated_with_the_same_id_then_it_reuses_the_retained_groups(
    domain: Domain,
) -> None:
    sm = boto3.client("sagemaker", region_name=REGION)
    ec2 = boto3.client("ec2", region_name=REGION)
    sm.delete_domain(DomainId=domain.id)

    sm.create_domain(
        DomainName="lab",
        AuthMode="IAM",
        DefaultUserSettings={},
        SubnetIds=domain.subnet_ids,
        VpcId=domain.vpc_id,
    )

    assert set(groups(ec2, domain)) == set(domain.group_names)


def test_given_groups_naming_each_other_when_one_is_deleted_then_dependency_violation(
    domain: Domain,
) -> None:
    sm = boto3.client("sagemaker", region_name=REGION)
    efs = boto3.client("efs", region_name=REGION)
    ec2 = boto3.client("ec2", region_name=REGION)
    sm.delete_domain(DomainId=domain.id)
    for target in efs.describe_mount_targets(FileSystemId=domain.efs_id)["MountTargets"]:
        efs.delete_mount_target(MountTargetId=target["MountTargetId"])
    outbound = groups(ec2, domain)[domain.group_names[1]]

    with pytest.raises(ClientError) as refused:
        ec2.delete_security_group(GroupId=outbound["GroupId"])

    assert refused.value.response["Error"]["Code"] == "DependencyViolation"


def test_given_a_group_on_a_mount_target_when_deleted_then_dependency_violation(
    domain: Domain,
) -> None:
    sm = boto3.client("sagemaker", region_name=REGION)
    ec2 = boto3.client("ec2", region_name=REGION)
    sm.delete_domain(DomainId=domain.id)
    found = groups(ec2, domain)
    inbound, outbound = (found[name] for name in domain.group_names)
    ec2.revoke_security_group_egress(
        GroupId=outbound["GroupId"],
        IpPermissions=[p for p in outbound["IpPermissionsEgress"] if p["UserIdGroupPairs"]],
    )

    with pytest.raises(ClientError) as refused:  # the mount targets still carry it
        ec2.delete_security_group(GroupId=inbound["GroupId"])

    assert refused.value.response["Error"]["Code"] == "DependencyViolation"


def test_given_nothing_depends_on_a_group_when_deleted_then_it_goes(aws: None) -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc_id = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    group_id = ec2.create_security_group(GroupName="g", Description="d", VpcId=vpc_id)["GroupId"]

    ec2.delete_security_group(GroupId=group_id)

    assert (
        ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["g"]}])[
            "SecurityGroups"
        ]
        == []
    )


def test_given_the_sandbox_server_then_a_deleted_domain_leaves_its_home_behind() -> None:
    sandbox.install()
    with running_server() as url:
        domain = create_domain(url)
        sm = boto3.client("sagemaker", region_name=REGION, endpoint_url=url)
        efs = boto3.client("efs", region_name=REGION, endpoint_url=url)
        ec2 = boto3.client("ec2", region_name=REGION, endpoint_url=url)

        sm.delete_domain(DomainId=domain.id, RetentionPolicy={"HomeEfsFileSystem": "Retain"})

        [volume] = efs.describe_file_systems(FileSystemId=domain.efs_id)["FileSystems"]
        assert volume["NumberOfMountTargets"] == 2
        assert set(groups(ec2, domain)) == set(domain.group_names)
