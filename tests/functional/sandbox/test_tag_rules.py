"""The sandbox refuses the tags AWS refuses (the TagKey/TagValue shapes of botocore's models)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/SageMakerExecutionRole"


def sagemaker() -> Any:
    return boto3.client("sagemaker", region_name=REGION)


def notebook(tags: dict[str, str]) -> Any:
    return sagemaker().create_notebook_instance(
        NotebookInstanceName="nb",
        InstanceType="ml.t3.medium",
        RoleArn=ROLE,
        Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
    )


@pytest.mark.parametrize("value", ["#nlp-team", "<!channel>", "a|b", "x,y", "hey!"])
def test_sagemaker_refuses_tag_values_outside_its_pattern(aws: None, value: str) -> None:
    with pytest.raises(ClientError) as refused:
        notebook({"slack-channel": value})
    error = refused.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"].startswith(f"1 validation error detected: Value '{value}' at 'tags.1")
    assert r"\p{L}\p{Z}\p{N}" in error["Message"]
    assert sagemaker().list_notebook_instances()["NotebookInstances"] == []


def test_sagemaker_takes_what_aws_takes(aws: None) -> None:
    allowed = {"owner": "ana@example.com", "slack-channel": "C0123ABCD", "team": "nlp team ü/2"}
    arn = notebook(allowed)["NotebookInstanceArn"]
    tags = sagemaker().list_tags(ResourceArn=arn)["Tags"]
    assert {t["Key"]: t["Value"] for t in tags} == allowed

    with pytest.raises(ClientError, match="ValidationException"):
        sagemaker().add_tags(ResourceArn=arn, Tags=[{"Key": "owner", "Value": "#ml"}])


def test_bedrock_refuses_what_its_ascii_pattern_refuses(aws: None) -> None:
    bedrock = boto3.client("bedrock", region_name=REGION)
    with pytest.raises(ClientError) as refused:
        bedrock.tag_resource(
            resourceARN=f"arn:aws:bedrock:{REGION}:123456789012:provisioned-model/abcdefghij12",
            tags=[{"key": "owner", "value": "#team"}],
        )
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert "a-zA-Z0-9" in refused.value.response["Error"]["Message"]
