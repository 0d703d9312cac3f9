"""Shadow variants: CreateEndpointConfig takes them as AWS allows (API_CreateEndpointConfig;
dev guide "Shadow tests" > "Exclusions"), and DescribeEndpointConfig, DescribeEndpoint and
Search return them in AWS's shape."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from tests.functional.sandbox.conftest import ROLE_ARN

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient


def variant(name: str, model: str, instance_type: str = "ml.m5.xlarge", count: int = 1) -> Any:
    return {
        "VariantName": name,
        "ModelName": model,
        "InstanceType": instance_type,
        "InitialInstanceCount": count,
    }


@pytest.fixture
def models(sm: SageMakerClient) -> SageMakerClient:
    for name in ("prod-model", "candidate"):
        sm.create_model(ModelName=name, ExecutionRoleArn=ROLE_ARN, PrimaryContainer={"Image": "i"})
    return sm


def test_a_shadow_variant_is_configured_and_reported_with_its_instances(
    models: SageMakerClient,
) -> None:
    sm = models
    shadow = variant("shadow", "candidate", "ml.g5.xlarge", 2)
    sm.create_endpoint_config(
        EndpointConfigName="cfg",
        ProductionVariants=[variant("prod", "prod-model")],
        ShadowProductionVariants=[shadow],
    )
    sm.create_endpoint(EndpointName="ep", EndpointConfigName="cfg")

    assert sm.describe_endpoint_config(EndpointConfigName="cfg")["ShadowProductionVariants"] == [
        shadow
    ]
    described = sm.describe_endpoint(EndpointName="ep")["ShadowProductionVariants"]
    (searched,) = sm.search(Resource="Endpoint")["Results"]
    for summaries in (described, searched["Endpoint"]["ShadowProductionVariants"]):
        (summary,) = summaries
        assert summary["VariantName"] == "shadow"
        assert (summary["CurrentInstanceCount"], summary["DesiredInstanceCount"]) == (2, 2)
    assert searched["Endpoint"]["ProductionVariants"][0]["VariantName"] == "prod"


def test_an_endpoint_without_shadow_variants_has_no_such_field(models: SageMakerClient) -> None:
    sm = models
    sm.create_endpoint_config(
        EndpointConfigName="cfg", ProductionVariants=[variant("prod", "prod-model")]
    )
    sm.create_endpoint(EndpointName="ep", EndpointConfigName="cfg")

    assert "ShadowProductionVariants" not in sm.describe_endpoint_config(EndpointConfigName="cfg")
    assert "ShadowProductionVariants" not in sm.describe_endpoint(EndpointName="ep")
    (searched,) = sm.search(Resource="Endpoint")["Results"]
    assert "ShadowProductionVariants" not in searched["Endpoint"]


@pytest.mark.parametrize(
    ("production", "shadows", "extra"),
    [
        # One production and one shadow variant only (API_CreateEndpointConfig).
        ([variant("a", "prod-model"), variant("b", "prod-model")], [variant("s", "candidate")], {}),
        ([variant("a", "prod-model")], [variant("s", "candidate"), variant("t", "candidate")], {}),
        # Exclusions: serverless, asynchronous, Inf1.
        (
            [
                {
                    "VariantName": "a",
                    "ModelName": "prod-model",
                    "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 1},
                }
            ],
            [variant("s", "candidate")],
            {},
        ),
        (
            [variant("a", "prod-model")],
            [variant("s", "candidate")],
            {"AsyncInferenceConfig": {"OutputConfig": {"S3OutputPath": "s3://b/o"}}},
        ),
        ([variant("a", "prod-model")], [variant("s", "candidate", "ml.inf1.xlarge")], {}),
        # Checked like any variant: its model must exist.
        ([variant("a", "prod-model")], [variant("s", "no-such-model")], {}),
    ],
    ids=["two-production", "two-shadows", "serverless", "async", "inf1", "unknown-model"],
)
def test_what_aws_refuses_is_refused_and_nothing_is_created(
    models: SageMakerClient, production: Any, shadows: Any, extra: Any
) -> None:
    sm = models
    with pytest.raises(ClientError) as excinfo:
        sm.create_endpoint_config(
            EndpointConfigName="cfg",
            ProductionVariants=production,
            ShadowProductionVariants=shadows,
            **extra,
        )
    assert excinfo.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError):
        sm.describe_endpoint_config(EndpointConfigName="cfg")
