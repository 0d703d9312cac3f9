"""Search's endpoint records written straight to JSON are the bytes moto writes."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from moto.core.responses import ActionResult
from moto.sagemaker.responses import SageMakerResponse
from watchdog_sandbox import json_answer, sagemaker_search

from tests.functional.sandbox.conftest import ROLE_ARN

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient


def _variant(name: str, **spec: Any) -> dict[str, Any]:
    return {"VariantName": name, "ModelName": "m", **spec}


def _every_shape_of_endpoint(sm: SageMakerClient) -> None:
    """Instances, serverless with provisioned concurrency, a shadow variant, asynchronous
    inference, tags: what Search's records carry. And data capture, whose summary moto builds
    from the config's fields (keys that are no member of it): left to moto. Created first, it
    is the last page (Search sorts by LastModifiedTime, newest first)."""
    sm.create_model(ModelName="m", ExecutionRoleArn=ROLE_ARN, PrimaryContainer={"Image": "i"})
    gpu = {"InstanceType": "ml.g5.xlarge", "InitialInstanceCount": 2}
    configs: dict[str, dict[str, Any]] = {
        "captured": {
            "ProductionVariants": [_variant("AllTraffic", **gpu)],
            "DataCaptureConfig": {
                "EnableCapture": True,
                "InitialSamplingPercentage": 50,
                "DestinationS3Uri": "s3://bucket/capture",
                "CaptureOptions": [{"CaptureMode": "Input"}],
            },
        },
        "gpu": {"ProductionVariants": [_variant("AllTraffic", **gpu)]},
        "serverless": {
            "ProductionVariants": [
                _variant(
                    "AllTraffic",
                    ServerlessConfig={
                        "MemorySizeInMB": 2048,
                        "MaxConcurrency": 5,
                        "ProvisionedConcurrency": 2,
                    },
                )
            ]
        },
        "shadowed": {
            "ProductionVariants": [_variant("live", **gpu)],
            "ShadowProductionVariants": [_variant("shadow", **gpu)],
        },
        "async": {
            "ProductionVariants": [_variant("AllTraffic", **gpu)],
            "AsyncInferenceConfig": {"OutputConfig": {"S3OutputPath": "s3://bucket/out"}},
        },
    }
    for name, config in configs.items():
        sm.create_endpoint_config(EndpointConfigName=name, **config)
        sm.create_endpoint(
            EndpointName=f"ep-{name}",
            EndpointConfigName=name,
            Tags=[{"Key": "team", "Value": name}, {"Key": "watchdog:exempt", "Value": "false"}],
        )


def _bodies(sm: SageMakerClient, operation: str, calls: Callable[[], object]) -> list[str]:
    """The raw body of every `operation` answer while `calls()` runs."""
    bodies: list[str] = []

    def keep(response_dict: dict[str, Any], **_: Any) -> None:
        bodies.append(response_dict["body"].decode())

    sm.meta.events.register(f"before-parse.sagemaker.{operation}", keep)
    try:
        calls()
    finally:
        sm.meta.events.unregister(f"before-parse.sagemaker.{operation}", keep)
    return bodies


def _pages(sm: SageMakerClient) -> list[str]:
    """The raw bodies of every Search page, two endpoints a page."""
    pages = sm.get_paginator("search").paginate(
        Resource="Endpoint", PaginationConfig={"PageSize": 2}
    )
    return _bodies(sm, "Search", lambda: list(pages))


def test_the_endpoint_pages_are_the_bytes_moto_writes(
    sm: SageMakerClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _every_shape_of_endpoint(sm)
    written: list[bool] = []

    def watched(response: Any, operation: str, result: ActionResult) -> Any:
        answer = json_answer.json_answer(response, operation, result)
        written.append(not isinstance(answer, ActionResult))
        return answer

    monkeypatch.setattr(sagemaker_search, "json_answer", watched)
    ours = _pages(sm)
    monkeypatch.setattr(sagemaker_search, "json_answer", lambda _, __, result: result)
    theirs = _pages(sm)

    assert written == [True, True, False]  # the data capture page is moto's
    assert ours == theirs
    assert "ProvisionedConcurrency" in ours[0] + ours[1]
    assert "ShadowProductionVariants" in ours[0] + ours[1]
    assert "DataCaptureConfig" in ours[2]


def test_what_is_not_plain_data_is_left_to_moto(sm: SageMakerClient) -> None:
    class Answer:
        def __init__(self) -> None:
            self.result = {"Results": [{"Endpoint": {"EndpointName": "e", "not_a_member": 1}}]}

    class Response:
        boto3_service_name = "sagemaker"

        def determine_response_protocol(self, _: Any) -> str:
            return "json"

    result: Any = Answer()
    assert json_answer.json_answer(Response(), "Search", result) is result  # type: ignore[arg-type]


def _described(sm: SageMakerClient, names: list[str]) -> list[str]:
    return _bodies(
        sm,
        "DescribeEndpointConfig",
        lambda: [sm.describe_endpoint_config(EndpointConfigName=name) for name in names],
    )


def test_the_config_descriptions_are_the_bytes_moto_writes(
    sm: SageMakerClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """moto's record of a config also holds Arn and Tags, which no answer carries."""
    _every_shape_of_endpoint(sm)
    sm.create_endpoint_config(
        EndpointConfigName="encrypted",
        ProductionVariants=[_variant("AllTraffic", InstanceType="ml.m5.xlarge")],
        KmsKeyId="arn:aws:kms:us-east-1:123456789012:key/1",
        Tags=[{"Key": "team", "Value": "x"}],
    )
    names = ["captured", "gpu", "serverless", "shadowed", "async", "encrypted"]
    json_answer.install()  # once per process: other tests may have installed it already
    mine = SageMakerResponse.describe_endpoint_config
    moto_own = inspect.unwrap(mine)
    assert moto_own is not mine
    written: list[bool] = []
    real = json_answer.json_answer

    def watched(*args: Any, **kwargs: Any) -> Any:
        answer = real(*args, **kwargs)
        written.append(not isinstance(answer, ActionResult))
        return answer

    monkeypatch.setattr(json_answer, "json_answer", watched)
    ours = _described(sm, names)
    monkeypatch.setattr(SageMakerResponse, "describe_endpoint_config", moto_own)
    theirs = _described(sm, names)

    assert written == [True] * len(names)
    assert ours == theirs
    assert '"KmsKeyId"' in ours[-1] and '"Tags"' not in ours[-1]
