"""The SageMaker additions over HTTP: a ThreadedMotoServer serves them like mock_aws does, and
`POST /moto-api/reset` clears their state with moto's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import boto3
import pytest
import requests
from moto.server import ThreadedMotoServer

from tests.functional.sandbox.conftest import REGION, ROLE_ARN, install_sagemaker_additions

if TYPE_CHECKING:
    from mypy_boto3_resourcegroupstaggingapi import ResourceGroupsTaggingAPIClient
    from mypy_boto3_sagemaker import SageMakerClient


@pytest.fixture
def server_url() -> Iterator[str]:
    install_sagemaker_additions()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    requests.post(f"{url}/moto-api/reset", timeout=10)
    try:
        yield url
    finally:
        requests.post(f"{url}/moto-api/reset", timeout=10)
        server.stop()


def _sagemaker(url: str) -> SageMakerClient:
    return boto3.client("sagemaker", region_name=REGION, endpoint_url=url)


def _tagging(url: str) -> ResourceGroupsTaggingAPIClient:
    return boto3.client("resourcegroupstaggingapi", region_name=REGION, endpoint_url=url)


def test_given_a_moto_server_when_tearing_down_studio_then_async_states_and_rules_hold(
    server_url: str,
) -> None:
    sm = _sagemaker(server_url)
    domain_id = sm.create_domain(
        DomainName="lab", AuthMode="IAM", DefaultUserSettings={}, SubnetIds=["s"], VpcId="v"
    )["DomainArn"].rsplit("/", 1)[-1]
    sm.create_user_profile(DomainId=domain_id, UserProfileName="alice")
    app: dict[str, Any] = {
        "DomainId": domain_id,
        "UserProfileName": "alice",
        "AppType": "JupyterLab",
        "AppName": "default",
    }
    sm.create_app(**app)

    with pytest.raises(sm.exceptions.ResourceInUse):
        sm.delete_domain(DomainId=domain_id)
    sm.delete_app(**app)
    statuses = [sm.list_apps(DomainIdEquals=domain_id)["Apps"][0]["Status"] for _ in range(3)]
    sm.delete_user_profile(DomainId=domain_id, UserProfileName="alice")

    assert statuses == ["Deleting", "Deleting", "Deleted"]
    assert sm.describe_user_profile(DomainId=domain_id, UserProfileName="alice")["Status"] == (
        "Deleting"
    )


def test_given_a_moto_server_when_tagging_and_searching_then_the_additions_answer(
    server_url: str,
) -> None:
    sm = _sagemaker(server_url)
    sm.create_mlflow_tracking_server(
        TrackingServerName="tracking",
        ArtifactStoreUri="s3://bucket/mlflow",
        RoleArn=ROLE_ARN,
        Tags=[{"Key": "team", "Value": "ml"}],
    )
    sm.create_model(ModelName="m", ExecutionRoleArn=ROLE_ARN, PrimaryContainer={"Image": "i"})
    sm.create_endpoint_config(
        EndpointConfigName="c",
        ProductionVariants=[
            {
                "VariantName": "v",
                "ModelName": "m",
                "InstanceType": "ml.g6.xlarge",
                "InitialInstanceCount": 1,
            }
        ],
    )
    sm.create_endpoint(EndpointName="e", EndpointConfigName="c")

    found = _tagging(server_url).get_resources(
        ResourceTypeFilters=["sagemaker:mlflow-tracking-server"]
    )["ResourceTagMappingList"]
    searched = sm.search(Resource="Endpoint", MaxResults=100)["Results"]

    assert [r["ResourceARN"].rsplit("/", 1)[-1] for r in found] == ["tracking"]
    assert searched[0]["Endpoint"]["EndpointArn"].endswith(":endpoint/e")


def test_given_state_in_the_additions_when_moto_is_reset_then_it_is_gone(
    server_url: str,
) -> None:
    sm = _sagemaker(server_url)
    sm.create_mlflow_tracking_server(
        TrackingServerName="tracking", ArtifactStoreUri="s3://bucket/mlflow", RoleArn=ROLE_ARN
    )

    requests.post(f"{server_url}/moto-api/reset", timeout=10)

    assert sm.list_mlflow_tracking_servers()["TrackingServerSummaries"] == []
