"""Studio apps as AWS documents them (API_CreateApp, API_DescribeApp, API_ListApps,
API_DeleteApp; aws-facts.md "Teardown order and states")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError
from watchdog_sandbox import sagemaker_common

from tests.functional.sandbox.conftest import REGION, ROLE_ARN

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient
    from mypy_boto3_sagemaker.type_defs import ResourceSpecTypeDef

ACCOUNT = "123456789012"
ML_M5_LARGE: ResourceSpecTypeDef = {"InstanceType": "ml.m5.large"}


@pytest.fixture
def profile_app(sm: SageMakerClient, domain_id: str) -> dict[str, Any]:
    """The identifying fields of user `alice`'s running JupyterServer app."""
    sm.create_user_profile(DomainId=domain_id, UserProfileName="alice")
    app: dict[str, Any] = {
        "DomainId": domain_id,
        "UserProfileName": "alice",
        "AppType": "JupyterServer",
        "AppName": "default",
    }
    sm.create_app(**app)
    return app


@pytest.fixture
def space_app(sm: SageMakerClient, domain_id: str) -> dict[str, Any]:
    """The identifying fields of shared space `team`'s running JupyterLab app."""
    sm.create_space(DomainId=domain_id, SpaceName="team")
    app: dict[str, Any] = {
        "DomainId": domain_id,
        "SpaceName": "team",
        "AppType": "JupyterLab",
        "AppName": "default",
    }
    sm.create_app(**app, ResourceSpec={"InstanceType": "ml.g5.xlarge"})
    return app


def test_given_a_profile_app_when_described_then_it_is_in_service_with_its_arn_and_spec(
    sm: SageMakerClient, profile_app: dict[str, Any], domain_id: str
) -> None:
    described = sm.describe_app(**profile_app)

    assert described["AppArn"] == (
        f"arn:aws:sagemaker:us-east-1:123456789012:app/{domain_id}/alice/jupyterserver/default"
    )
    assert described["Status"] == "InService"
    assert described["UserProfileName"] == "alice"
    assert "SpaceName" not in described
    assert described["ResourceSpec"] == {"InstanceType": "system"}
    assert described["LastUserActivityTimestamp"] >= described["CreationTime"]


def test_given_a_space_app_when_listed_then_it_belongs_to_the_space_not_a_profile(
    sm: SageMakerClient, space_app: dict[str, Any], domain_id: str
) -> None:
    (app,) = sm.list_apps(DomainIdEquals=domain_id, SpaceNameEquals="team")["Apps"]

    assert app["SpaceName"] == "team"
    assert "UserProfileName" not in app
    assert app["ResourceSpec"] == {"InstanceType": "ml.g5.xlarge"}
    assert app.keys() >= {"DomainId", "AppType", "AppName", "Status", "CreationTime"}
    assert sm.describe_app(**space_app)["AppArn"].endswith(
        f"app/{domain_id}/team/jupyterlab/default"
    )


def test_given_no_resource_spec_when_creating_then_the_profile_default_applies(
    sm: SageMakerClient, domain_id: str
) -> None:
    sm.create_user_profile(
        DomainId=domain_id,
        UserProfileName="bob",
        UserSettings={"KernelGatewayAppSettings": {"DefaultResourceSpec": ML_M5_LARGE}},
    )
    app: dict[str, Any] = {
        "DomainId": domain_id,
        "UserProfileName": "bob",
        "AppType": "KernelGateway",
        "AppName": "datascience",
    }

    sm.create_app(**app)

    assert sm.describe_app(**app)["ResourceSpec"] == ML_M5_LARGE


@pytest.mark.parametrize("owners", [{}, {"UserProfileName": "alice", "SpaceName": "team"}])
def test_given_not_exactly_one_owner_when_creating_an_app_then_validation_exception(
    sm: SageMakerClient, domain_id: str, owners: dict[str, Any]
) -> None:
    with pytest.raises(ClientError, match="ValidationException"):
        sm.create_app(DomainId=domain_id, AppType="JupyterLab", AppName="default", **owners)


def test_given_an_unknown_profile_when_creating_an_app_then_resource_not_found(
    sm: SageMakerClient, domain_id: str
) -> None:
    with pytest.raises(sm.exceptions.ResourceNotFound):
        sm.create_app(
            DomainId=domain_id, UserProfileName="nobody", AppType="JupyterLab", AppName="x"
        )


def test_given_a_running_app_when_created_again_then_resource_in_use(
    sm: SageMakerClient, profile_app: dict[str, Any]
) -> None:
    with pytest.raises(sm.exceptions.ResourceInUse):
        sm.create_app(**profile_app)


def test_given_a_running_app_when_deleted_then_deleting_then_deleted_and_still_visible(
    sm: SageMakerClient, profile_app: dict[str, Any], domain_id: str
) -> None:
    sm.delete_app(**profile_app)

    described = [sm.describe_app(**profile_app)["Status"] for _ in range(3)]
    listed = sm.list_apps(DomainIdEquals=domain_id, UserProfileNameEquals="alice")["Apps"]

    assert described == ["Deleting", "Deleting", "Deleted"]
    assert [app["Status"] for app in listed] == ["Deleted"]


def test_given_polling_by_list_apps_when_deleting_then_list_reads_count_too(
    sm: SageMakerClient, profile_app: dict[str, Any]
) -> None:
    sm.delete_app(**profile_app)

    statuses = [sm.list_apps()["Apps"][0]["Status"] for _ in range(3)]

    assert statuses == ["Deleting", "Deleting", "Deleted"]


@pytest.mark.parametrize("polls", [0, 3])
def test_given_an_app_not_in_service_when_deleted_then_resource_in_use(
    sm: SageMakerClient, profile_app: dict[str, Any], polls: int
) -> None:
    sm.delete_app(**profile_app)
    for _ in range(polls):  # 0: still Deleting; 3: already Deleted
        sm.describe_app(**profile_app)

    with pytest.raises(sm.exceptions.ResourceInUse, match="only InService"):
        sm.delete_app(**profile_app)


def test_given_an_unknown_app_when_deleted_then_resource_not_found(
    sm: SageMakerClient, domain_id: str
) -> None:
    with pytest.raises(sm.exceptions.ResourceNotFound):
        sm.delete_app(
            DomainId=domain_id, UserProfileName="alice", AppType="JupyterLab", AppName="none"
        )


def test_given_a_deleted_app_when_created_again_then_it_runs_under_the_same_name(
    sm: SageMakerClient, profile_app: dict[str, Any]
) -> None:
    sm.delete_app(**profile_app)
    while sm.describe_app(**profile_app)["Status"] != "Deleted":
        pass

    sm.create_app(**profile_app)

    assert sm.describe_app(**profile_app)["Status"] == "InService"


def test_given_both_owner_filters_when_listing_apps_then_validation_exception(
    sm: SageMakerClient,
) -> None:
    with pytest.raises(ClientError, match="ValidationException"):
        sm.list_apps(UserProfileNameEquals="alice", SpaceNameEquals="team")


def test_given_many_apps_when_listed_then_pages_follow_next_token(
    sm: SageMakerClient, domain_id: str
) -> None:
    sm.create_user_profile(
        DomainId=domain_id, UserProfileName="alice", UserSettings={"ExecutionRole": ROLE_ARN}
    )
    for index in range(12):
        sm.create_app(
            DomainId=domain_id,
            UserProfileName="alice",
            AppType="KernelGateway",
            AppName=f"kernel-{index}",
        )

    default_page = sm.list_apps()
    names = [
        app["AppName"]
        for page in sm.get_paginator("list_apps").paginate(PaginationConfig={"PageSize": 5})
        for app in page["Apps"]
    ]

    assert len(default_page["Apps"]) == 10  # API_ListApps: MaxResults defaults to 10
    assert "NextToken" in default_page
    assert names == [f"kernel-{index}" for index in range(12)]


def test_given_a_failed_app_when_its_profile_is_deleted_then_it_does_not_block(
    sm: SageMakerClient, profile_app: dict[str, Any], domain_id: str
) -> None:
    arn = sm.describe_app(**profile_app)["AppArn"]
    sagemaker_common.set_status(ACCOUNT, REGION, arn, "Failed")

    with pytest.raises(sm.exceptions.ResourceInUse):
        sm.delete_app(**profile_app)
    sm.delete_user_profile(DomainId=domain_id, UserProfileName="alice")

    assert sm.describe_app(**profile_app)["Status"] == "Failed"
