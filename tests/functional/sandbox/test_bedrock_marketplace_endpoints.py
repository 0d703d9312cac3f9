"""The sandbox's Bedrock Marketplace endpoints behave as AWS documents: named by their SageMaker
endpoint's ARN, deleted together with it, deregistered without it, and refusing what AWS
refuses."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from mypy_boto3_sagemaker import SageMakerClient
from watchdog_sandbox.kinds import DemoTags, bedrock_marketplace_endpoints

REGION = "us-east-1"
SOURCE = f"arn:aws:sagemaker:{REGION}:aws:hub-content/SageMakerPublicHub/Model/mistral/1.0.0"


@pytest.fixture(autouse=True)
def installed() -> None:
    bedrock_marketplace_endpoints.install()


def bedrock() -> Any:
    return boto3.client("bedrock", region_name=REGION)


@pytest.fixture
def endpoint_arn(sm: SageMakerClient, endpoint_name: str) -> str:
    return sm.describe_endpoint(EndpointName=endpoint_name)["EndpointArn"]


def register(arn: str) -> dict[str, Any]:
    answer = bedrock().register_marketplace_model_endpoint(
        endpointIdentifier=arn, modelSourceIdentifier=SOURCE
    )
    return dict(answer["marketplaceModelEndpoint"])


def code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def test_a_registered_endpoint_is_listed_and_described_by_its_sagemaker_arn(
    endpoint_arn: str,
) -> None:
    registered = register(endpoint_arn)
    assert registered["endpointArn"] == endpoint_arn
    assert registered["status"] == "REGISTERED"
    [listed] = bedrock().list_marketplace_model_endpoints()["marketplaceModelEndpoints"]
    assert (listed["endpointArn"], listed["modelSourceIdentifier"]) == (endpoint_arn, SOURCE)
    got = bedrock().get_marketplace_model_endpoint(endpointArn=endpoint_arn)
    described = got["marketplaceModelEndpoint"]
    assert described["endpointStatus"] == "InService"
    assert described["endpointConfig"]["sageMaker"]["initialInstanceCount"] >= 1


def test_delete_removes_the_sagemaker_endpoint_too(
    sm: SageMakerClient, endpoint_name: str, endpoint_arn: str
) -> None:
    register(endpoint_arn)
    bedrock().delete_marketplace_model_endpoint(endpointArn=endpoint_arn)
    assert bedrock().list_marketplace_model_endpoints()["marketplaceModelEndpoints"] == []
    with pytest.raises(ClientError):
        sm.describe_endpoint(EndpointName=endpoint_name)
    with pytest.raises(ClientError) as gone:
        bedrock().get_marketplace_model_endpoint(endpointArn=endpoint_arn)
    assert code(gone) == "ResourceNotFoundException"
    assert gone.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_deregister_keeps_the_sagemaker_endpoint_billing(
    sm: SageMakerClient, endpoint_name: str, endpoint_arn: str
) -> None:
    register(endpoint_arn)
    bedrock().deregister_marketplace_model_endpoint(endpointArn=endpoint_arn)
    assert bedrock().list_marketplace_model_endpoints()["marketplaceModelEndpoints"] == []
    assert sm.describe_endpoint(EndpointName=endpoint_name)["EndpointStatus"] == "InService"


def test_what_aws_refuses(endpoint_arn: str) -> None:
    with pytest.raises(ClientError) as missing:
        bedrock().delete_marketplace_model_endpoint(endpointArn=endpoint_arn)
    assert code(missing) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as bad_source:
        bedrock().register_marketplace_model_endpoint(
            endpointIdentifier=endpoint_arn, modelSourceIdentifier="not-a-hub-model"
        )
    assert code(bad_source) == "ValidationException"
    with pytest.raises(ClientError) as no_endpoint:
        register(endpoint_arn.replace("endpoint/", "endpoint/nothing-"))
    assert code(no_endpoint) == "ResourceNotFoundException"


def test_a_sagemaker_endpoint_deleted_directly_is_no_longer_listed(
    sm: SageMakerClient, endpoint_name: str, endpoint_arn: str
) -> None:
    register(endpoint_arn)
    sm.delete_endpoint(EndpointName=endpoint_name)
    assert bedrock().list_marketplace_model_endpoints()["marketplaceModelEndpoints"] == []


def test_the_demo_deploys_one_marketplace_model() -> None:
    # What the demo promises of this kind, written out so a change to it is deliberate
    # (test_seed checks that what is seeded is listed as the summary counts).
    owners = DemoTags(genai={}, nlp={}, risk={}, recsys={}, exempt={})
    assert len(bedrock_marketplace_endpoints.SANDBOX.demo(owners)) == 1
