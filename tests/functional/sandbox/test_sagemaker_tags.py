"""Tags on the new kinds (API_AddTags/ListTags/DeleteTags) and SageMaker in the Resource Groups
Tagging API (GetResources), per account and region."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import boto3
import pytest
import watchdog_sandbox

from tests.functional.sandbox.conftest import REGION, ROLE_ARN, install_sagemaker_additions

if TYPE_CHECKING:
    from mypy_boto3_resourcegroupstaggingapi import ResourceGroupsTaggingAPIClient
    from mypy_boto3_sagemaker import SageMakerClient
    from mypy_boto3_sagemaker.type_defs import TagTypeDef

TEAM: list[TagTypeDef] = [{"Key": "team", "Value": "research"}]


def _profile(sm: SageMakerClient, domain_id: str) -> str:
    arn: str = sm.create_user_profile(DomainId=domain_id, UserProfileName="alice", Tags=TEAM)[
        "UserProfileArn"
    ]
    return arn


def _space(sm: SageMakerClient, domain_id: str) -> str:
    arn: str = sm.create_space(DomainId=domain_id, SpaceName="team", Tags=TEAM)["SpaceArn"]
    return arn


def _app(sm: SageMakerClient, domain_id: str) -> str:
    sm.create_space(DomainId=domain_id, SpaceName="team")
    arn: str = sm.create_app(
        DomainId=domain_id, SpaceName="team", AppType="JupyterLab", AppName="default", Tags=TEAM
    )["AppArn"]
    return arn


def _mlflow(sm: SageMakerClient, domain_id: str) -> str:
    arn: str = sm.create_mlflow_tracking_server(
        TrackingServerName="tracking", ArtifactStoreUri="s3://b/p", RoleArn=ROLE_ARN, Tags=TEAM
    )["TrackingServerArn"]
    return arn


def _component(sm: SageMakerClient, domain_id: str) -> str:
    sm.create_model(ModelName="m", ExecutionRoleArn=ROLE_ARN, PrimaryContainer={"Image": "i"})
    sm.create_endpoint_config(
        EndpointConfigName="c",
        ProductionVariants=[
            {"VariantName": "v", "InstanceType": "ml.g5.xlarge", "InitialInstanceCount": 1}
        ],
    )
    sm.create_endpoint(EndpointName="e", EndpointConfigName="c")
    arn: str = sm.create_inference_component(
        InferenceComponentName="ic",
        EndpointName="e",
        Specification={
            "ModelName": "m",
            "ComputeResourceRequirements": {"MinMemoryRequiredInMb": 1024},
        },
        RuntimeConfig={"CopyCount": 1},
        Tags=TEAM,
    )["InferenceComponentArn"]
    return arn


KINDS: dict[str, Callable[[SageMakerClient, str], str]] = {
    "sagemaker:user-profile": _profile,
    "sagemaker:space": _space,
    "sagemaker:app": _app,
    "sagemaker:mlflow-tracking-server": _mlflow,
    "sagemaker:inference-component": _component,
}


@pytest.fixture
def tagging(sandbox: None) -> ResourceGroupsTaggingAPIClient:
    client: ResourceGroupsTaggingAPIClient = boto3.client(
        "resourcegroupstaggingapi", region_name=REGION
    )
    return client


def _tags(sm: SageMakerClient, arn: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=arn)["Tags"]}


@pytest.mark.parametrize("kind", list(KINDS))
def test_given_tags_at_create_when_listed_then_they_are_there_and_add_delete_work(
    sm: SageMakerClient, domain_id: str, kind: str
) -> None:
    arn = KINDS[kind](sm, domain_id)

    created = _tags(sm, arn)
    sm.add_tags(ResourceArn=arn, Tags=[{"Key": "owner", "Value": "alice"}])
    sm.delete_tags(ResourceArn=arn, TagKeys=["team"])

    assert created == {"team": "research"}
    assert _tags(sm, arn) == {"owner": "alice"}


def test_given_an_existing_key_when_tags_are_added_then_the_value_is_overwritten(
    sm: SageMakerClient, domain_id: str
) -> None:
    arn = _profile(sm, domain_id)

    sm.add_tags(ResourceArn=arn, Tags=[{"Key": "team", "Value": "platform"}])

    assert sm.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "platform"}]


def test_given_a_domain_created_without_tags_when_tags_are_added_then_they_are_listed(
    sm: SageMakerClient, domain_id: str
) -> None:
    arn = sm.describe_domain(DomainId=domain_id)["DomainArn"]

    sm.add_tags(ResourceArn=arn, Tags=TEAM)

    assert _tags(sm, arn) == {"team": "research"}


def test_given_an_unknown_profile_arn_when_tagging_then_resource_not_found(
    sm: SageMakerClient, domain_id: str
) -> None:
    arn = f"arn:aws:sagemaker:{REGION}:123456789012:user-profile/{domain_id}/nobody"

    with pytest.raises(sm.exceptions.ResourceNotFound):
        sm.add_tags(ResourceArn=arn, Tags=TEAM)


def test_given_a_profile_app_when_created_then_it_inherits_the_profile_tags(
    sm: SageMakerClient, domain_id: str
) -> None:
    _profile(sm, domain_id)

    arn = sm.create_app(
        DomainId=domain_id,
        UserProfileName="alice",
        AppType="JupyterLab",
        AppName="default",
        Tags=[{"Key": "cost-center", "Value": "42"}],
    )["AppArn"]

    assert _tags(sm, arn) == {"team": "research", "cost-center": "42"}


def test_given_every_sagemaker_kind_when_get_resources_filters_sagemaker_then_all_appear(
    sm: SageMakerClient, tagging: ResourceGroupsTaggingAPIClient, domain_id: str
) -> None:
    expected = {KINDS[kind](sm, domain_id) for kind in ("sagemaker:user-profile", "sagemaker:app")}
    expected.add(_mlflow(sm, domain_id))
    expected.add(_component(sm, domain_id))
    sm.create_notebook_instance(
        NotebookInstanceName="nb", InstanceType="ml.t3.medium", RoleArn=ROLE_ARN, Tags=TEAM
    )
    for arn in (
        sm.describe_domain(DomainId=domain_id)["DomainArn"],
        sm.describe_endpoint(EndpointName="e")["EndpointArn"],
        sm.describe_endpoint_config(EndpointConfigName="c")["EndpointConfigArn"],
        sm.describe_model(ModelName="m")["ModelArn"],
    ):
        sm.add_tags(ResourceArn=arn, Tags=TEAM)
        expected.add(arn)
    expected.add(sm.describe_notebook_instance(NotebookInstanceName="nb")["NotebookInstanceArn"])

    for filters in (["sagemaker"], []):
        found = tagging.get_resources(ResourceTypeFilters=filters)["ResourceTagMappingList"]
        assert {r["ResourceARN"] for r in found} >= expected
        assert all(r["Tags"] for r in found)


def test_given_a_typed_filter_when_getting_resources_then_only_that_kind_is_returned(
    sm: SageMakerClient, tagging: ResourceGroupsTaggingAPIClient, domain_id: str
) -> None:
    app_arn = _app(sm, domain_id)
    _profile(sm, domain_id)

    found = tagging.get_resources(ResourceTypeFilters=["sagemaker:app"])["ResourceTagMappingList"]

    assert found == [{"ResourceARN": app_arn, "Tags": TEAM}]


def test_given_many_tagged_resources_when_paging_get_resources_then_each_comes_once(
    sm: SageMakerClient, tagging: ResourceGroupsTaggingAPIClient, domain_id: str
) -> None:
    arns = {
        sm.create_user_profile(DomainId=domain_id, UserProfileName=f"user-{i}", Tags=TEAM)[
            "UserProfileArn"
        ]
        for i in range(5)
    }

    first = tagging.get_resources(ResourceTypeFilters=["sagemaker"], ResourcesPerPage=2)
    pages = tagging.get_paginator("get_resources").paginate(
        ResourceTypeFilters=["sagemaker"], PaginationConfig={"PageSize": 2}
    )
    found = [r["ResourceARN"] for page in pages for r in page["ResourceTagMappingList"]]

    assert len(first["ResourceTagMappingList"]) == 2
    assert first["PaginationToken"]
    assert sorted(found) == sorted(arns)


def test_given_a_deleted_app_when_getting_resources_then_it_is_not_returned(
    sm: SageMakerClient, tagging: ResourceGroupsTaggingAPIClient, domain_id: str
) -> None:
    _app(sm, domain_id)
    app: dict[str, Any] = {
        "DomainId": domain_id,
        "SpaceName": "team",
        "AppType": "JupyterLab",
        "AppName": "default",
    }
    sm.delete_app(**app)
    while sm.describe_app(**app)["Status"] != "Deleted":
        pass

    found = tagging.get_resources(ResourceTypeFilters=["sagemaker:app"])["ResourceTagMappingList"]

    assert found == []


def test_given_two_accounts_when_each_lists_then_each_sees_only_its_own_resources(
    sm: SageMakerClient, domain_id: str
) -> None:
    _profile(sm, domain_id)
    credentials = boto3.client("sts", region_name=REGION).assume_role(
        RoleArn="arn:aws:iam::210987654321:role/watchdog-member", RoleSessionName="scan"
    )["Credentials"]
    member = boto3.client(
        "sagemaker",
        region_name=REGION,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    member_domain = member.create_domain(
        DomainName="member", AuthMode="IAM", DefaultUserSettings={}, SubnetIds=["s"], VpcId="v"
    )["DomainArn"].rsplit("/", 1)[-1]
    member_arn = member.create_user_profile(DomainId=member_domain, UserProfileName="bob")[
        "UserProfileArn"
    ]

    mine = [p["UserProfileName"] for p in sm.list_user_profiles()["UserProfiles"]]
    theirs = [p["UserProfileName"] for p in member.list_user_profiles()["UserProfiles"]]

    assert mine == ["alice"]
    assert theirs == ["bob"]
    assert ":210987654321:user-profile/" in member_arn


def test_given_repeated_installs_when_getting_resources_then_each_resource_appears_once(
    sm: SageMakerClient, tagging: ResourceGroupsTaggingAPIClient, domain_id: str
) -> None:
    install_sagemaker_additions()
    watchdog_sandbox.install()
    arn = _profile(sm, domain_id)

    found = tagging.get_resources(ResourceTypeFilters=["sagemaker"])["ResourceTagMappingList"]

    assert [r["ResourceARN"] for r in found] == [arn]
