"""Studio user profiles as AWS documents them (API_*UserProfile, dev guide "Delete a domain")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient
    from mypy_boto3_sagemaker.type_defs import UserSettingsTypeDef

IDLE_SETTINGS: UserSettingsTypeDef = {
    "JupyterLabAppSettings": {
        "AppLifecycleManagement": {
            "IdleSettings": {"LifecycleManagement": "ENABLED", "IdleTimeoutInMinutes": 60}
        }
    }
}


def test_given_settings_when_a_profile_is_created_then_describe_returns_them_as_given(
    sm: SageMakerClient, domain_id: str
) -> None:
    arn = sm.create_user_profile(
        DomainId=domain_id,
        UserProfileName="alice",
        UserSettings=IDLE_SETTINGS,
    )["UserProfileArn"]

    described = sm.describe_user_profile(DomainId=domain_id, UserProfileName="alice")

    assert arn == f"arn:aws:sagemaker:us-east-1:123456789012:user-profile/{domain_id}/alice"
    assert described["UserProfileArn"] == arn
    assert described["Status"] == "InService"
    assert described["UserSettings"] == IDLE_SETTINGS
    assert described["HomeEfsFileSystemUid"].isdigit()
    assert described["CreationTime"] == described["LastModifiedTime"]


def test_given_an_unknown_domain_when_creating_a_profile_then_resource_not_found(
    sm: SageMakerClient,
) -> None:
    with pytest.raises(sm.exceptions.ResourceNotFound):
        sm.create_user_profile(DomainId="d-missing", UserProfileName="alice")


def test_given_an_existing_profile_when_creating_it_again_then_resource_in_use(
    sm: SageMakerClient, domain_id: str
) -> None:
    sm.create_user_profile(DomainId=domain_id, UserProfileName="alice")

    with pytest.raises(sm.exceptions.ResourceInUse):
        sm.create_user_profile(DomainId=domain_id, UserProfileName="alice")


def test_given_an_iam_domain_when_sso_fields_are_given_then_validation_exception(
    sm: SageMakerClient, domain_id: str
) -> None:
    with pytest.raises(ClientError, match="ValidationException"):
        sm.create_user_profile(
            DomainId=domain_id,
            UserProfileName="alice",
            SingleSignOnUserIdentifier="UserName",
            SingleSignOnUserValue="alice",
        )


def test_given_an_unknown_profile_when_described_then_resource_not_found(
    sm: SageMakerClient, domain_id: str
) -> None:
    with pytest.raises(sm.exceptions.ResourceNotFound):
        sm.describe_user_profile(DomainId=domain_id, UserProfileName="nobody")


def test_given_profiles_when_listed_with_filters_then_only_matches_are_returned(
    sm: SageMakerClient, domain_id: str
) -> None:
    for name in ("alice", "bob", "alina"):
        sm.create_user_profile(DomainId=domain_id, UserProfileName=name)

    listed = sm.list_user_profiles(DomainIdEquals=domain_id, UserProfileNameContains="ali")

    assert [p["UserProfileName"] for p in listed["UserProfiles"]] == ["alice", "alina"]
    assert listed["UserProfiles"][0].keys() >= {
        "DomainId",
        "UserProfileName",
        "Status",
        "CreationTime",
        "LastModifiedTime",
    }
    assert sm.list_user_profiles(DomainIdEquals="d-other")["UserProfiles"] == []


def test_given_more_profiles_than_max_results_when_listed_then_pages_follow_next_token(
    sm: SageMakerClient, domain_id: str
) -> None:
    for index in range(5):
        sm.create_user_profile(DomainId=domain_id, UserProfileName=f"user-{index}")

    first = sm.list_user_profiles(MaxResults=2)
    paged = [
        p["UserProfileName"]
        for page in sm.get_paginator("list_user_profiles").paginate(
            PaginationConfig={"PageSize": 2}
        )
        for p in page["UserProfiles"]
    ]

    assert len(first["UserProfiles"]) == 2
    assert "NextToken" in first
    assert paged == [f"user-{index}" for index in range(5)]


def test_given_descending_order_when_listed_then_newest_profile_comes_first(
    sm: SageMakerClient, domain_id: str
) -> None:
    for name in ("first", "second"):
        sm.create_user_profile(DomainId=domain_id, UserProfileName=name)

    listed = sm.list_user_profiles(SortBy="CreationTime", SortOrder="Descending")

    assert [p["UserProfileName"] for p in listed["UserProfiles"]] == ["second", "first"]


def test_given_max_results_over_100_when_listing_then_validation_exception(
    sm: SageMakerClient,
) -> None:
    with pytest.raises(ClientError, match="ValidationException"):
        sm.list_user_profiles(MaxResults=101)


def test_given_a_profile_when_updated_then_named_settings_change_and_others_stay(
    sm: SageMakerClient, domain_id: str
) -> None:
    sm.create_user_profile(
        DomainId=domain_id,
        UserProfileName="alice",
        UserSettings=IDLE_SETTINGS,
    )

    sm.update_user_profile(
        DomainId=domain_id,
        UserProfileName="alice",
        UserSettings={"ExecutionRole": "arn:aws:iam::123456789012:role/other"},
    )

    settings = sm.describe_user_profile(DomainId=domain_id, UserProfileName="alice")["UserSettings"]
    assert settings["ExecutionRole"] == "arn:aws:iam::123456789012:role/other"
    assert settings["JupyterLabAppSettings"] == IDLE_SETTINGS["JupyterLabAppSettings"]


def test_given_a_profile_with_a_running_app_when_deleted_then_resource_in_use(
    sm: SageMakerClient, domain_id: str
) -> None:
    sm.create_user_profile(DomainId=domain_id, UserProfileName="alice")
    sm.create_app(
        DomainId=domain_id, UserProfileName="alice", AppType="JupyterServer", AppName="default"
    )

    with pytest.raises(sm.exceptions.ResourceInUse, match="App"):
        sm.delete_user_profile(DomainId=domain_id, UserProfileName="alice")


def test_given_a_profile_owning_a_private_space_when_deleted_then_resource_in_use(
    sm: SageMakerClient, domain_id: str
) -> None:
    sm.create_user_profile(DomainId=domain_id, UserProfileName="alice")
    sm.create_space(
        DomainId=domain_id,
        SpaceName="alice-space",
        OwnershipSettings={"OwnerUserProfileName": "alice"},
        SpaceSharingSettings={"SharingType": "Private"},
    )

    with pytest.raises(sm.exceptions.ResourceInUse, match="Space"):
        sm.delete_user_profile(DomainId=domain_id, UserProfileName="alice")


def test_given_a_free_profile_when_deleted_then_it_is_deleting_then_vanishes(
    sm: SageMakerClient, domain_id: str
) -> None:
    sm.create_user_profile(DomainId=domain_id, UserProfileName="alice")

    sm.delete_user_profile(DomainId=domain_id, UserProfileName="alice")

    statuses = [
        sm.describe_user_profile(DomainId=domain_id, UserProfileName="alice")["Status"]
        for _ in range(2)
    ]
    assert statuses == ["Deleting", "Deleting"]
    with pytest.raises(sm.exceptions.ResourceNotFound):
        sm.describe_user_profile(DomainId=domain_id, UserProfileName="alice")
    assert sm.list_user_profiles(DomainIdEquals=domain_id)["UserProfiles"] == []


def test_given_a_profile_whose_apps_are_all_deleted_when_deleted_then_it_is_accepted(
    sm: SageMakerClient, domain_id: str
) -> None:
    sm.create_user_profile(DomainId=domain_id, UserProfileName="alice")
    app: dict[str, Any] = {
        "DomainId": domain_id,
        "UserProfileName": "alice",
        "AppType": "JupyterServer",
        "AppName": "default",
    }
    sm.create_app(**app)
    sm.delete_app(**app)
    while sm.describe_app(**app)["Status"] != "Deleted":
        pass

    sm.delete_user_profile(DomainId=domain_id, UserProfileName="alice")

    assert sm.describe_user_profile(DomainId=domain_id, UserProfileName="alice")["Status"] == (
        "Deleting"
    )


def test_given_a_deleting_profile_when_deleted_again_then_resource_in_use(
    sm: SageMakerClient, domain_id: str
) -> None:
    sm.create_user_profile(DomainId=domain_id, UserProfileName="alice")
    sm.delete_user_profile(DomainId=domain_id, UserProfileName="alice")

    with pytest.raises(sm.exceptions.ResourceInUse):
        sm.delete_user_profile(DomainId=domain_id, UserProfileName="alice")


def test_given_an_unknown_profile_when_deleted_then_resource_not_found(
    sm: SageMakerClient, domain_id: str
) -> None:
    with pytest.raises(sm.exceptions.ResourceNotFound):
        sm.delete_user_profile(DomainId=domain_id, UserProfileName="nobody")
