"""Studio spaces as AWS documents them (API_CreateSpace, API_ListSpaces, API_DeleteSpace)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient


@pytest.fixture
def owner(sm: SageMakerClient, domain_id: str) -> str:
    sm.create_user_profile(DomainId=domain_id, UserProfileName="alice")
    return "alice"


def _private_space(sm: SageMakerClient, domain_id: str, owner: str, name: str) -> str:
    return sm.create_space(
        DomainId=domain_id,
        SpaceName=name,
        SpaceSettings={"AppType": "JupyterLab"},
        OwnershipSettings={"OwnerUserProfileName": owner},
        SpaceSharingSettings={"SharingType": "Private"},
        SpaceDisplayName=name.title(),
    )["SpaceArn"]


def test_given_a_private_space_when_listed_then_summaries_carry_type_owner_and_sharing(
    sm: SageMakerClient, domain_id: str, owner: str
) -> None:
    _private_space(sm, domain_id, owner, "notebooks")

    (space,) = sm.list_spaces(DomainIdEquals=domain_id)["Spaces"]

    assert space["SpaceName"] == "notebooks"
    assert space["Status"] == "InService"
    assert space["SpaceSettingsSummary"]["AppType"] == "JupyterLab"
    assert space["OwnershipSettingsSummary"]["OwnerUserProfileName"] == "alice"
    assert space["SpaceSharingSettingsSummary"]["SharingType"] == "Private"
    assert space["SpaceDisplayName"] == "Notebooks"


def test_given_a_space_when_described_then_settings_come_back_as_given(
    sm: SageMakerClient, domain_id: str, owner: str
) -> None:
    arn = _private_space(sm, domain_id, owner, "notebooks")

    described = sm.describe_space(DomainId=domain_id, SpaceName="notebooks")

    assert arn == f"arn:aws:sagemaker:us-east-1:123456789012:space/{domain_id}/notebooks"
    assert described["SpaceArn"] == arn
    assert described["SpaceSettings"] == {"AppType": "JupyterLab"}
    assert described["OwnershipSettings"] == {"OwnerUserProfileName": "alice"}
    assert described["SpaceSharingSettings"] == {"SharingType": "Private"}


def test_given_an_unknown_owner_when_creating_a_private_space_then_resource_not_found(
    sm: SageMakerClient, domain_id: str
) -> None:
    with pytest.raises(sm.exceptions.ResourceNotFound):
        _private_space(sm, domain_id, "nobody", "notebooks")


def test_given_ownership_without_sharing_settings_when_creating_then_validation_exception(
    sm: SageMakerClient, domain_id: str, owner: str
) -> None:
    with pytest.raises(ClientError, match="ValidationException"):
        sm.create_space(
            DomainId=domain_id,
            SpaceName="notebooks",
            OwnershipSettings={"OwnerUserProfileName": owner},
        )


def test_given_an_existing_space_when_created_again_then_resource_in_use(
    sm: SageMakerClient, domain_id: str, owner: str
) -> None:
    _private_space(sm, domain_id, owner, "notebooks")

    with pytest.raises(sm.exceptions.ResourceInUse):
        _private_space(sm, domain_id, owner, "notebooks")


def test_given_a_space_with_a_running_app_when_deleted_then_resource_in_use(
    sm: SageMakerClient, domain_id: str, owner: str
) -> None:
    _private_space(sm, domain_id, owner, "notebooks")
    sm.create_app(
        DomainId=domain_id, SpaceName="notebooks", AppType="JupyterLab", AppName="default"
    )

    with pytest.raises(sm.exceptions.ResourceInUse, match="App"):
        sm.delete_space(DomainId=domain_id, SpaceName="notebooks")


def test_given_a_free_space_when_deleted_then_it_is_deleting_then_vanishes(
    sm: SageMakerClient, domain_id: str, owner: str
) -> None:
    _private_space(sm, domain_id, owner, "notebooks")

    sm.delete_space(DomainId=domain_id, SpaceName="notebooks")

    listed = [sm.list_spaces(DomainIdEquals=domain_id)["Spaces"][0]["Status"] for _ in range(2)]
    assert listed == ["Deleting", "Deleting"]
    with pytest.raises(sm.exceptions.ResourceNotFound):
        sm.describe_space(DomainId=domain_id, SpaceName="notebooks")


def test_given_spaces_when_listed_by_name_and_page_then_filters_and_tokens_apply(
    sm: SageMakerClient, domain_id: str, owner: str
) -> None:
    for name in ("team-a", "team-b", "solo"):
        sm.create_space(DomainId=domain_id, SpaceName=name)

    first = sm.list_spaces(SpaceNameContains="team", MaxResults=1)
    second = sm.list_spaces(SpaceNameContains="team", MaxResults=1, NextToken=first["NextToken"])

    assert [s["SpaceName"] for s in first["Spaces"] + second["Spaces"]] == ["team-a", "team-b"]
    assert "NextToken" not in second


def test_given_an_unknown_space_when_deleted_then_resource_not_found(
    sm: SageMakerClient, domain_id: str
) -> None:
    with pytest.raises(sm.exceptions.ResourceNotFound):
        sm.delete_space(DomainId=domain_id, SpaceName="nowhere")
