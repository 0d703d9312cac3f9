"""Studio domains: deletion order, NotFound, the retained EFS home volume (API_DeleteDomain,
API_RetentionPolicy; dev guide "Delete a domain"; aws-facts.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.functional.sandbox.conftest import REGION, ROLE_ARN

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient

MANAGED_BY = "ManagedByAmazonSageMakerResource"


def _create_mlflow(sm: SageMakerClient) -> None:
    sm.create_mlflow_tracking_server(
        TrackingServerName="tracking", ArtifactStoreUri="s3://bucket/mlflow", RoleArn=ROLE_ARN
    )


def _wait_app_deleted(sm: SageMakerClient, app: dict[str, Any]) -> None:
    for _ in range(10):
        if sm.describe_app(**app)["Status"] == "Deleted":
            return
    raise AssertionError("the app never reached Deleted")


def _wait_gone(describe: Callable[[], object]) -> None:
    for _ in range(10):
        try:
            describe()
        except ClientError as error:
            if error.response["Error"]["Code"] == "ResourceNotFound":
                return
            raise
    raise AssertionError("the resource never vanished")


def test_given_a_domain_with_a_user_profile_when_deleted_then_resource_in_use(
    sm: SageMakerClient, domain_id: str
) -> None:
    sm.create_user_profile(DomainId=domain_id, UserProfileName="alice")

    with pytest.raises(sm.exceptions.ResourceInUse, match="UserProfile"):
        sm.delete_domain(DomainId=domain_id)


def test_given_a_domain_with_a_shared_space_when_deleted_then_resource_in_use(
    sm: SageMakerClient, domain_id: str
) -> None:
    sm.create_space(DomainId=domain_id, SpaceName="team")

    with pytest.raises(sm.exceptions.ResourceInUse, match="Space"):
        sm.delete_domain(DomainId=domain_id)


def test_given_a_profile_still_deleting_when_the_domain_is_deleted_then_resource_in_use(
    sm: SageMakerClient, domain_id: str
) -> None:
    sm.create_user_profile(DomainId=domain_id, UserProfileName="alice")
    sm.delete_user_profile(DomainId=domain_id, UserProfileName="alice")

    with pytest.raises(sm.exceptions.ResourceInUse):
        sm.delete_domain(DomainId=domain_id)


def test_given_only_an_mlflow_server_when_the_domain_is_deleted_then_it_is_accepted(
    sm: SageMakerClient, domain_id: str
) -> None:
    _create_mlflow(sm)

    sm.delete_domain(DomainId=domain_id)

    assert sm.list_domains()["Domains"] == []
    assert sm.describe_mlflow_tracking_server(TrackingServerName="tracking")["IsActive"] == "Active"


def test_given_the_documented_order_when_tearing_down_then_the_domain_is_deleted(
    sm: SageMakerClient, domain_id: str
) -> None:
    sm.create_user_profile(DomainId=domain_id, UserProfileName="alice")
    sm.create_space(
        DomainId=domain_id,
        SpaceName="private",
        OwnershipSettings={"OwnerUserProfileName": "alice"},
        SpaceSharingSettings={"SharingType": "Private"},
    )
    profile_app: dict[str, Any] = {
        "DomainId": domain_id,
        "UserProfileName": "alice",
        "AppType": "JupyterServer",
        "AppName": "default",
    }
    space_app: dict[str, Any] = {
        "DomainId": domain_id,
        "SpaceName": "private",
        "AppType": "JupyterLab",
        "AppName": "default",
    }
    for app in (profile_app, space_app):
        sm.create_app(**app)

    for app in (profile_app, space_app):  # apps first...
        sm.delete_app(**app)
        _wait_app_deleted(sm, app)
    sm.delete_space(DomainId=domain_id, SpaceName="private")  # ...then spaces...
    _wait_gone(lambda: sm.describe_space(DomainId=domain_id, SpaceName="private"))
    sm.delete_user_profile(DomainId=domain_id, UserProfileName="alice")  # ...then profiles...
    _wait_gone(lambda: sm.describe_user_profile(DomainId=domain_id, UserProfileName="alice"))
    sm.delete_domain(DomainId=domain_id)  # ...then the domain.

    with pytest.raises(sm.exceptions.ResourceNotFound):
        sm.describe_domain(DomainId=domain_id)


@pytest.mark.parametrize("call", ["describe_domain", "delete_domain"])
def test_given_an_unknown_domain_when_called_then_resource_not_found(
    sm: SageMakerClient, call: str
) -> None:
    with pytest.raises(sm.exceptions.ResourceNotFound):
        getattr(sm, call)(DomainId="d-missing")


def test_given_a_new_domain_when_described_then_its_home_volume_exists_and_is_tagged(
    sm: SageMakerClient, domain_id: str
) -> None:
    described = sm.describe_domain(DomainId=domain_id)
    efs = boto3.client("efs", region_name=REGION)

    volume = efs.describe_file_systems(FileSystemId=described["HomeEfsFileSystemId"])
    tags = {t["Key"]: t["Value"] for t in volume["FileSystems"][0]["Tags"]}

    assert tags[MANAGED_BY] == described["DomainArn"]


def test_given_the_default_retention_when_the_domain_is_deleted_then_its_volume_remains(
    sm: SageMakerClient, domain_id: str
) -> None:
    volume_id = sm.describe_domain(DomainId=domain_id)["HomeEfsFileSystemId"]

    sm.delete_domain(DomainId=domain_id)

    efs = boto3.client("efs", region_name=REGION)
    assert efs.describe_file_systems(FileSystemId=volume_id)["FileSystems"]


def test_given_retention_delete_when_the_domain_is_deleted_then_its_volume_is_removed(
    sm: SageMakerClient, domain_id: str
) -> None:
    volume_id = sm.describe_domain(DomainId=domain_id)["HomeEfsFileSystemId"]

    sm.delete_domain(DomainId=domain_id, RetentionPolicy={"HomeEfsFileSystem": "Delete"})

    efs = boto3.client("efs", region_name=REGION)
    with pytest.raises(efs.exceptions.FileSystemNotFound):
        efs.describe_file_systems(FileSystemId=volume_id)


def test_given_a_domain_in_a_real_vpc_when_deleted_then_its_nfs_security_groups_remain(
    sm: SageMakerClient,
) -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    arn = sm.create_domain(
        DomainName="lab", AuthMode="IAM", DefaultUserSettings={}, SubnetIds=["s"], VpcId=vpc_id
    )["DomainArn"]
    domain_id = arn.rsplit("/", 1)[-1]

    sm.delete_domain(DomainId=domain_id, RetentionPolicy={"HomeEfsFileSystem": "Delete"})

    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
    names = {group["GroupName"] for group in groups["SecurityGroups"]}
    assert {
        f"security-group-for-inbound-nfs-{domain_id}",
        f"security-group-for-outbound-nfs-{domain_id}",
    } <= names
