"""Bedrock for the seeders: a fine-tuned custom model and provisioned throughputs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from mypy_boto3_bedrock import BedrockClient
    from mypy_boto3_bedrock.type_defs import TagTypeDef


@dataclass(frozen=True)
class CustomModelSpec:
    name: str
    base_model: str = "amazon.titan-text-express-v1"
    tags: Mapping[str, str] = field(default_factory=dict)
    age: timedelta | None = None  # before the seed's `now`; None: the emulator's clock


@dataclass(frozen=True)
class ThroughputSpec:
    name: str
    model: str  # a custom model's name or a foundation model id
    busy: bool
    commitment: Literal["OneMonth", "SixMonths"] | None = None
    model_units: int = 1
    tags: Mapping[str, str] = field(default_factory=dict)
    age: timedelta | None = None  # when it was bought: a commitment runs from then


def br_tags(tags: Mapping[str, str]) -> list[TagTypeDef]:
    # Bedrock spells its tag members in lower case, unlike SageMaker.
    return [{"key": key, "value": value} for key, value in tags.items()]


def create_custom_model(
    bedrock: BedrockClient, region: str, spec: CustomModelSpec, role_arn: str
) -> str:
    """Fine-tune the way a team does before buying throughput; return the custom model's ARN."""
    bucket = f"s3://bedrock-{region}-finetune/{spec.name}"
    bedrock.create_model_customization_job(
        jobName=f"{spec.name}-job",
        customModelName=spec.name,
        roleArn=role_arn,
        baseModelIdentifier=spec.base_model,
        customizationType="FINE_TUNING",
        trainingDataConfig={"s3Uri": f"{bucket}/train.jsonl"},
        outputDataConfig={"s3Uri": f"{bucket}/output/"},
        hyperParameters={"epochCount": "2", "batchSize": "1", "learningRate": "0.00001"},
        customModelTags=br_tags(spec.tags),
    )
    return bedrock.get_custom_model(modelIdentifier=spec.name)["modelArn"]


def create_throughput(bedrock: BedrockClient, spec: ThroughputSpec, model_id: str) -> str:
    """Buy provisioned throughput for `model_id`; return the provisioned model's ARN."""
    kwargs: dict[str, Any] = {
        "provisionedModelName": spec.name,
        "modelId": model_id,
        "modelUnits": spec.model_units,
        "tags": br_tags(spec.tags),
    }
    if spec.commitment is not None:
        kwargs["commitmentDuration"] = spec.commitment
    return bedrock.create_provisioned_model_throughput(**kwargs)["provisionedModelArn"]
