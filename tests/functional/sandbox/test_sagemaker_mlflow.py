"""MLflow tracking servers as AWS documents them (API_*MlflowTrackingServer*)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from tests.functional.sandbox.conftest import ROLE_ARN

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient


def _create(sm: SageMakerClient, name: str = "tracking", **extra: Any) -> str:
    arn: str = sm.create_mlflow_tracking_server(
        TrackingServerName=name,
        ArtifactStoreUri=f"s3://bucket/{name}",
        RoleArn=ROLE_ARN,
        **extra,
    )["TrackingServerArn"]
    return arn


def _statuses(sm: SageMakerClient, reads: int, name: str = "tracking") -> list[tuple[str, str]]:
    described = [sm.describe_mlflow_tracking_server(TrackingServerName=name) for _ in range(reads)]
    return [(d["TrackingServerStatus"], d["IsActive"]) for d in described]


def test_given_a_new_server_when_described_then_it_is_created_active_and_small(
    sm: SageMakerClient,
) -> None:
    arn = _create(sm)

    described = sm.describe_mlflow_tracking_server(TrackingServerName="tracking")

    assert arn == "arn:aws:sagemaker:us-east-1:123456789012:mlflow-tracking-server/tracking"
    assert described["TrackingServerArn"] == arn
    assert described["TrackingServerStatus"] == "Created"
    assert described["IsActive"] == "Active"
    assert described["TrackingServerSize"] == "Small"
    assert described["ArtifactStoreUri"] == "s3://bucket/tracking"
    assert described["RoleArn"] == ROLE_ARN
    assert described["TrackingServerUrl"].startswith("https://")
    assert described["MlflowVersion"]


def test_given_an_invalid_size_when_creating_then_validation_exception(
    sm: SageMakerClient,
) -> None:
    with pytest.raises(ClientError, match="ValidationException"):
        _create(sm, TrackingServerSize="Huge")


def test_given_a_running_server_when_stopped_then_stopping_then_stopped_and_inactive(
    sm: SageMakerClient,
) -> None:
    _create(sm, TrackingServerSize="Large")

    sm.stop_mlflow_tracking_server(TrackingServerName="tracking")

    assert _statuses(sm, 3) == [
        ("Stopping", "Inactive"),
        ("Stopping", "Inactive"),
        ("Stopped", "Inactive"),
    ]


def test_given_a_stopped_server_when_started_then_starting_then_started_and_active(
    sm: SageMakerClient,
) -> None:
    _create(sm)
    sm.stop_mlflow_tracking_server(TrackingServerName="tracking")
    _statuses(sm, 3)

    sm.start_mlflow_tracking_server(TrackingServerName="tracking")

    assert _statuses(sm, 3)[-1] == ("Started", "Active")


def test_given_a_running_server_when_started_then_conflict(sm: SageMakerClient) -> None:
    _create(sm)

    with pytest.raises(sm.exceptions.ConflictException):
        sm.start_mlflow_tracking_server(TrackingServerName="tracking")


def test_given_a_stopping_server_when_stopped_again_then_conflict(sm: SageMakerClient) -> None:
    _create(sm)
    sm.stop_mlflow_tracking_server(TrackingServerName="tracking")

    with pytest.raises(sm.exceptions.ConflictException):
        sm.stop_mlflow_tracking_server(TrackingServerName="tracking")


def test_given_a_server_when_deleted_then_deleting_then_not_found(sm: SageMakerClient) -> None:
    arn = _create(sm)

    deleted = sm.delete_mlflow_tracking_server(TrackingServerName="tracking")

    assert deleted["TrackingServerArn"] == arn
    assert _statuses(sm, 2) == [("Deleting", "Inactive")] * 2
    with pytest.raises(sm.exceptions.ResourceNotFound):
        sm.describe_mlflow_tracking_server(TrackingServerName="tracking")


@pytest.mark.parametrize(
    "call",
    [
        "describe_mlflow_tracking_server",
        "stop_mlflow_tracking_server",
        "start_mlflow_tracking_server",
        "delete_mlflow_tracking_server",
    ],
)
def test_given_an_unknown_server_when_called_then_resource_not_found(
    sm: SageMakerClient, call: str
) -> None:
    with pytest.raises(sm.exceptions.ResourceNotFound):
        getattr(sm, call)(TrackingServerName="missing")


def test_given_servers_when_listed_then_newest_first_filtered_and_paged(
    sm: SageMakerClient,
) -> None:
    for name in ("alpha", "beta", "gamma"):
        _create(sm, name)
    sm.stop_mlflow_tracking_server(TrackingServerName="beta")

    default = sm.list_mlflow_tracking_servers()["TrackingServerSummaries"]
    stopping = sm.list_mlflow_tracking_servers(TrackingServerStatus="Stopping")
    first = sm.list_mlflow_tracking_servers(MaxResults=2, SortBy="Name", SortOrder="Ascending")
    rest = sm.list_mlflow_tracking_servers(
        MaxResults=2, SortBy="Name", SortOrder="Ascending", NextToken=first["NextToken"]
    )

    assert [s["TrackingServerName"] for s in default] == ["gamma", "beta", "alpha"]
    assert default[0].keys() >= {"TrackingServerArn", "CreationTime", "IsActive", "MlflowVersion"}
    assert [s["TrackingServerName"] for s in stopping["TrackingServerSummaries"]] == ["beta"]
    names = [s["TrackingServerName"] for s in first["TrackingServerSummaries"]]
    names += [s["TrackingServerName"] for s in rest["TrackingServerSummaries"]]
    assert names == ["alpha", "beta", "gamma"]


def test_given_an_existing_name_when_created_again_then_resource_in_use(
    sm: SageMakerClient,
) -> None:
    _create(sm)

    with pytest.raises(sm.exceptions.ResourceInUse):
        _create(sm)
