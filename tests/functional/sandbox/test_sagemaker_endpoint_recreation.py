"""An endpoint created again after a delete is `Creating` for a while, then InService, as AWS's
is; a first creation stays InService at once (the seed's and most tests')."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.functional.sandbox.conftest import ROLE_ARN

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient


def endpoint_with_config(sm: SageMakerClient) -> None:
    sm.create_model(ModelName="m", ExecutionRoleArn=ROLE_ARN, PrimaryContainer={"Image": "i"})
    sm.create_endpoint_config(
        EndpointConfigName="cfg",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "m",
                "InstanceType": "ml.m5.xlarge",
                "InitialInstanceCount": 1,
            }
        ],
    )
    sm.create_endpoint(EndpointName="ep", EndpointConfigName="cfg")


def status(sm: SageMakerClient) -> str:
    return sm.describe_endpoint(EndpointName="ep")["EndpointStatus"]


def searched(sm: SageMakerClient) -> str:
    [result] = sm.search(Resource="Endpoint")["Results"]
    return result["Endpoint"]["EndpointStatus"]


def test_a_first_endpoint_is_in_service_at_once(sm: SageMakerClient) -> None:
    endpoint_with_config(sm)

    assert status(sm) == "InService"


def test_an_endpoint_created_again_is_creating_for_two_reads_of_any_kind(
    sm: SageMakerClient,
) -> None:
    endpoint_with_config(sm)
    sm.delete_endpoint(EndpointName="ep")

    sm.create_endpoint(EndpointName="ep", EndpointConfigName="cfg")

    assert [status(sm), searched(sm), status(sm), searched(sm)] == [
        "Creating",
        "Creating",
        "InService",
        "InService",
    ]
