"""Application Auto Scaling on endpoint variants as AWS documents it: registering a target puts
the variant's instance count inside the new range, and deleting the endpoint deregisters it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import boto3

from tests.functional.sandbox.test_sagemaker_endpoint_recreation import endpoint_with_config

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient

TARGET = "endpoint/ep/variant/AllTraffic"
DIMENSION = "sagemaker:variant:DesiredInstanceCount"


def register(low: int, high: int) -> None:
    boto3.client("application-autoscaling", region_name="us-east-1").register_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId=TARGET,
        ScalableDimension=DIMENSION,
        MinCapacity=low,
        MaxCapacity=high,
    )


def instances(sm: SageMakerClient) -> int:
    [variant] = sm.describe_endpoint(EndpointName="ep")["ProductionVariants"]
    return int(variant["CurrentInstanceCount"])


def targets() -> list[str]:
    found = boto3.client("application-autoscaling", region_name="us-east-1")
    answer = found.describe_scalable_targets(ServiceNamespace="sagemaker")
    return [t["ResourceId"] for t in answer["ScalableTargets"]]


def test_a_new_range_moves_the_instance_count_inside_it(sm: SageMakerClient) -> None:
    endpoint_with_config(sm)
    assert instances(sm) == 1
    register(3, 5)
    assert instances(sm) == 3  # raised to the new minimum
    register(0, 5)
    assert instances(sm) == 3  # inside the range: unchanged (scaling in is its policy's work)
    register(0, 2)
    assert instances(sm) == 2  # lowered to the new maximum


def test_deleting_an_endpoint_deregisters_its_variants(sm: SageMakerClient) -> None:
    endpoint_with_config(sm)
    register(1, 4)
    assert targets() == [TARGET]
    sm.delete_endpoint(EndpointName="ep")
    assert targets() == []
