"""Reading and writing one resource's tags, in its service's dialect: SageMaker's ListTags/AddTags
(`Key`/`Value`, `ResourceArn`), Bedrock's ListTagsForResource/TagResource (`key`/`value`,
`resourceARN`), EC2's DescribeTags/CreateTags (by resource id), OpenSearch Serverless's and
Agents for Bedrock's ListTagsForResource/TagResource (`resourceArn`; a list of `key`/`value`,
a map). A kind uses its service's
dialect unless it declares its own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

TAG_PAGE = 100


@dataclass(frozen=True)
class TagDialect:
    """How one resource's tags are read now (one call per page) and one tag is set."""

    read: Callable[[Any, str], dict[str, str]]
    write: Callable[[Any, str, str, str], None]
    # The IAM actions of those calls ("sagemaker:ListTags", "sagemaker:AddTags"): the read runs
    # before every step, the write is the Exempt button's.
    read_action: str
    write_action: str
    # The service whose client the calls take, when not the kind's own (a Bedrock Marketplace
    # endpoint's tags are its SageMaker endpoint's).
    service: str | None = None


def _paged(client: Any, operation: str, **params: Any) -> dict[str, str]:
    """Every page of a `Tags: [{Key, Value}]` answer, through botocore's paginator."""
    pages = client.get_paginator(operation).paginate(**params)
    return {t["Key"]: t["Value"] for page in pages for t in page.get("Tags", [])}


def _sagemaker_read(client: Any, arn: str) -> dict[str, str]:
    return _paged(client, "list_tags", ResourceArn=arn, PaginationConfig={"PageSize": TAG_PAGE})


def _sagemaker_write(client: Any, arn: str, key: str, value: str) -> None:
    client.add_tags(ResourceArn=arn, Tags=[{"Key": key, "Value": value}])


def _bedrock_read(client: Any, arn: str) -> dict[str, str]:
    answer: dict[str, Any] = client.list_tags_for_resource(resourceARN=arn)
    return {t["key"]: t["value"] for t in answer.get("tags", [])}


def _bedrock_write(client: Any, arn: str, key: str, value: str) -> None:
    client.tag_resource(resourceARN=arn, tags=[{"key": key, "value": value}])


def _ec2_read(client: Any, arn: str) -> dict[str, str]:
    # EC2 tags by resource id (the ARN's last part: "instance/i-0abc" -> "i-0abc").
    resource_id = arn.rsplit("/", 1)[1]
    return _paged(
        client, "describe_tags", Filters=[{"Name": "resource-id", "Values": [resource_id]}]
    )


def _ec2_write(client: Any, arn: str, key: str, value: str) -> None:
    client.create_tags(Resources=[arn.rsplit("/", 1)[1]], Tags=[{"Key": key, "Value": value}])


def _aoss_read(client: Any, arn: str) -> dict[str, str]:
    # OpenSearch Serverless: ListTagsForResource(resourceArn) -> tags [{key, value}], unpaged.
    answer: dict[str, Any] = client.list_tags_for_resource(resourceArn=arn)
    return {t["key"]: t.get("value", "") for t in answer.get("tags", [])}


def _aoss_write(client: Any, arn: str, key: str, value: str) -> None:
    client.tag_resource(resourceArn=arn, tags=[{"key": key, "value": value}])


def _bedrock_agent_read(client: Any, arn: str) -> dict[str, str]:
    # Agents for Bedrock: ListTagsForResource(resourceArn) -> tags, a map.
    answer: dict[str, Any] = client.list_tags_for_resource(resourceArn=arn)
    return dict(answer.get("tags", {}))


def _bedrock_agent_write(client: Any, arn: str, key: str, value: str) -> None:
    client.tag_resource(resourceArn=arn, tags={key: value})


SERVICE_DIALECTS: dict[str, TagDialect] = {
    "sagemaker": TagDialect(
        _sagemaker_read, _sagemaker_write, "sagemaker:ListTags", "sagemaker:AddTags"
    ),
    "bedrock": TagDialect(
        _bedrock_read, _bedrock_write, "bedrock:ListTagsForResource", "bedrock:TagResource"
    ),
    "ec2": TagDialect(_ec2_read, _ec2_write, "ec2:DescribeTags", "ec2:CreateTags"),
    "opensearchserverless": TagDialect(
        _aoss_read, _aoss_write, "aoss:ListTagsForResource", "aoss:TagResource"
    ),
    # Agents for Bedrock's tag calls are IAM actions of the bedrock prefix.
    "bedrock-agent": TagDialect(
        _bedrock_agent_read,
        _bedrock_agent_write,
        "bedrock:ListTagsForResource",
        "bedrock:TagResource",
    ),
}
