"""Reading and writing one resource's tags, in its service's dialect: SageMaker's ListTags/AddTags
(`Key`/`Value`, `ResourceArn`) and Bedrock's ListTagsForResource/TagResource (`key`/`value`,
`resourceARN`). A kind uses its service's dialect unless it declares its own."""

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
    # The service whose client the calls take, when not the kind's own (a Bedrock Marketplace
    # endpoint's tags are its SageMaker endpoint's).
    service: str | None = None


def _sagemaker_read(client: Any, arn: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    params: dict[str, Any] = {"ResourceArn": arn, "MaxResults": TAG_PAGE}
    while True:
        page = client.list_tags(**params)
        tags.update({t["Key"]: t["Value"] for t in page.get("Tags", [])})
        if not page.get("NextToken"):
            return tags
        params["NextToken"] = page["NextToken"]


def _sagemaker_write(client: Any, arn: str, key: str, value: str) -> None:
    client.add_tags(ResourceArn=arn, Tags=[{"Key": key, "Value": value}])


def _bedrock_read(client: Any, arn: str) -> dict[str, str]:
    answer: dict[str, Any] = client.list_tags_for_resource(resourceARN=arn)
    return {t["key"]: t["value"] for t in answer.get("tags", [])}


def _bedrock_write(client: Any, arn: str, key: str, value: str) -> None:
    client.tag_resource(resourceARN=arn, tags=[{"key": key, "value": value}])


SERVICE_DIALECTS: dict[str, TagDialect] = {
    "sagemaker": TagDialect(_sagemaker_read, _sagemaker_write),
    "bedrock": TagDialect(_bedrock_read, _bedrock_write),
}
