"""Inference components as AWS documents them (API_*InferenceComponent*; dev guide "Delete
Endpoints and Resources")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from tests.functional.sandbox.conftest import ROLE_ARN

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient
    from mypy_boto3_sagemaker.type_defs import InferenceComponentSpecificationTypeDef

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/llm:1"
SPEC: InferenceComponentSpecificationTypeDef = {
    "ModelName": "llm",
    "Container": {"Image": IMAGE},
    "ComputeResourceRequirements": {
        "NumberOfAcceleratorDevicesRequired": 1,
        "MinMemoryRequiredInMb": 4096,
    },
}


def _create(sm: SageMakerClient, name: str, endpoint: str, copies: int = 2, **extra: Any) -> str:
    arn: str = sm.create_inference_component(
        InferenceComponentName=name,
        EndpointName=endpoint,
        Specification=SPEC,
        RuntimeConfig={"CopyCount": copies},
        **extra,
    )["InferenceComponentArn"]
    return arn


def _until_gone(sm: SageMakerClient, name: str) -> None:
    for _ in range(10):
        try:
            sm.describe_inference_component(InferenceComponentName=name)
        except ClientError:
            return
    raise AssertionError(f"{name} never vanished")


def test_given_a_component_when_described_then_spec_copies_and_endpoint_are_reported(
    sm: SageMakerClient, endpoint_name: str
) -> None:
    arn = _create(sm, "llm-ic", endpoint_name, VariantName="AllTraffic")

    described = sm.describe_inference_component(InferenceComponentName="llm-ic")

    assert arn == "arn:aws:sagemaker:us-east-1:123456789012:inference-component/llm-ic"
    assert described["InferenceComponentStatus"] == "InService"
    assert described["EndpointName"] == endpoint_name
    assert described["EndpointArn"].endswith(f":endpoint/{endpoint_name}")
    assert described["VariantName"] == "AllTraffic"
    assert described["Specification"]["ModelName"] == "llm"
    assert described["Specification"]["ComputeResourceRequirements"] == {
        "NumberOfAcceleratorDevicesRequired": 1.0,
        "MinMemoryRequiredInMb": 4096,
    }
    deployed = described["Specification"]["Container"]["DeployedImage"]
    assert deployed["SpecifiedImage"] == IMAGE
    assert described["RuntimeConfig"] == {"DesiredCopyCount": 2, "CurrentCopyCount": 2}


def test_given_no_variant_name_when_creating_then_the_endpoint_variant_is_used(
    sm: SageMakerClient, endpoint_name: str
) -> None:
    _create(sm, "llm-ic", endpoint_name)

    assert sm.describe_inference_component(InferenceComponentName="llm-ic")["VariantName"] == (
        "AllTraffic"
    )


@pytest.mark.parametrize(
    ("endpoint", "extra", "message"),
    [
        ("missing-endpoint", {}, "Could not find endpoint"),
        ("llm-endpoint", {"VariantName": "Canary"}, "variant Canary"),
    ],
)
def test_given_an_unknown_endpoint_or_variant_when_creating_then_validation_exception(
    sm: SageMakerClient, endpoint_name: str, endpoint: str, extra: dict[str, Any], message: str
) -> None:
    with pytest.raises(ClientError, match=message) as raised:
        _create(sm, "llm-ic", endpoint, **extra)

    assert raised.value.response["Error"]["Code"] == "ValidationException"


def test_given_an_unknown_model_when_creating_then_validation_exception(
    sm: SageMakerClient, endpoint_name: str
) -> None:
    with pytest.raises(ClientError, match="Could not find model"):
        sm.create_inference_component(
            InferenceComponentName="llm-ic",
            EndpointName=endpoint_name,
            Specification={**SPEC, "ModelName": "missing"},
            RuntimeConfig={"CopyCount": 1},
        )


def test_given_an_existing_component_when_created_again_then_validation_exception(
    sm: SageMakerClient, endpoint_name: str
) -> None:
    _create(sm, "llm-ic", endpoint_name)

    with pytest.raises(ClientError, match="already existing"):
        _create(sm, "llm-ic", endpoint_name)


def test_given_components_when_listed_with_filters_then_only_matches_are_returned(
    sm: SageMakerClient, endpoint_name: str
) -> None:
    for name in ("chat-small", "chat-large", "embed"):
        _create(sm, name, endpoint_name)

    chat = sm.list_inference_components(
        EndpointNameEquals=endpoint_name,
        VariantNameEquals="AllTraffic",
        StatusEquals="InService",
        NameContains="chat",
    )["InferenceComponents"]

    # API_ListInferenceComponents: newest first by default.
    assert [c["InferenceComponentName"] for c in chat] == ["chat-large", "chat-small"]
    assert chat[0].keys() >= {
        "InferenceComponentArn",
        "EndpointArn",
        "EndpointName",
        "VariantName",
        "InferenceComponentStatus",
        "CreationTime",
        "LastModifiedTime",
    }
    assert sm.list_inference_components(EndpointNameEquals="other")["InferenceComponents"] == []


def test_given_many_components_when_listed_then_pages_follow_next_token(
    sm: SageMakerClient, endpoint_name: str
) -> None:
    for index in range(4):
        _create(sm, f"ic-{index}", endpoint_name)

    names = [
        c["InferenceComponentName"]
        for page in sm.get_paginator("list_inference_components").paginate(
            SortBy="Name", SortOrder="Ascending", PaginationConfig={"PageSize": 3}
        )
        for c in page["InferenceComponents"]
    ]

    assert names == ["ic-0", "ic-1", "ic-2", "ic-3"]


def test_given_a_new_copy_count_when_updated_then_copies_follow_after_updating(
    sm: SageMakerClient, endpoint_name: str
) -> None:
    _create(sm, "llm-ic", endpoint_name, copies=2)

    sm.update_inference_component(InferenceComponentName="llm-ic", RuntimeConfig={"CopyCount": 0})

    seen = [
        (d["InferenceComponentStatus"], d["RuntimeConfig"]["CurrentCopyCount"])
        for d in (sm.describe_inference_component(InferenceComponentName="llm-ic") for _ in "abc")
    ]
    assert seen == [("Updating", 2), ("Updating", 2), ("InService", 0)]


def test_given_a_component_when_deleted_then_it_is_deleting_then_gone(
    sm: SageMakerClient, endpoint_name: str
) -> None:
    _create(sm, "llm-ic", endpoint_name)

    sm.delete_inference_component(InferenceComponentName="llm-ic")

    status = sm.describe_inference_component(InferenceComponentName="llm-ic")
    assert status["InferenceComponentStatus"] == "Deleting"
    _until_gone(sm, "llm-ic")
    with pytest.raises(ClientError, match="Could not find inference component"):
        sm.describe_inference_component(InferenceComponentName="llm-ic")


def test_given_an_endpoint_with_components_when_deleted_then_it_is_refused_until_they_go(
    sm: SageMakerClient, endpoint_name: str
) -> None:
    _create(sm, "llm-ic", endpoint_name)

    with pytest.raises(ClientError, match="inference components") as refused:
        sm.delete_endpoint(EndpointName=endpoint_name)
    sm.delete_inference_component(InferenceComponentName="llm-ic")
    _until_gone(sm, "llm-ic")
    sm.delete_endpoint(EndpointName=endpoint_name)

    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert sm.list_endpoints()["Endpoints"] == []


def test_given_a_variant_without_model_when_creating_an_endpoint_config_then_it_is_accepted(
    sm: SageMakerClient,
) -> None:
    # Endpoints that host inference components name no model in their variants.
    sm.create_endpoint_config(
        EndpointConfigName="ic-host",
        ExecutionRoleArn=ROLE_ARN,
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "InstanceType": "ml.g6.12xlarge",
                "InitialInstanceCount": 1,
            }
        ],
    )
    sm.create_endpoint(EndpointName="ic-host", EndpointConfigName="ic-host")

    assert sm.describe_endpoint(EndpointName="ic-host")["EndpointStatus"] == "InService"


def test_given_an_unknown_component_when_deleted_then_validation_exception(
    sm: SageMakerClient,
) -> None:
    with pytest.raises(ClientError, match="ValidationException"):
        sm.delete_inference_component(InferenceComponentName="missing")
