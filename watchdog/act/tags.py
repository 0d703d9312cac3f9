"""Reading and writing a resource's tags, in its service's dialect: SageMaker's ListTags/AddTags
(`Key`/`Value`, `ResourceArn`) and Bedrock's ListTagsForResource/TagResource (`key`/`value`,
`resourceARN`). The executor reads them fresh before every step; the Exempt button writes one.
"""

from __future__ import annotations

from typing import Any

from watchdog.act.clients import Clients
from watchdog.kinds import BY_KIND
from watchdog.records import ResourceRecord

TAG_PAGE = 100


def current_tags(clients: Clients, record: ResourceRecord) -> dict[str, str]:
    """The resource's tags read now, one call (a page) per resource."""
    service = BY_KIND[record.kind].service
    client = clients.client(service, record.account, record.region)
    if service == "bedrock":
        answer: dict[str, Any] = client.list_tags_for_resource(resourceARN=record.arn)
        return {t["key"]: t["value"] for t in answer.get("tags", [])}
    tags: dict[str, str] = {}
    params: dict[str, Any] = {"ResourceArn": record.arn, "MaxResults": TAG_PAGE}
    while True:
        page = client.list_tags(**params)
        tags.update({t["Key"]: t["Value"] for t in page.get("Tags", [])})
        if not page.get("NextToken"):
            return tags
        params["NextToken"] = page["NextToken"]


def add_tag(clients: Clients, record: ResourceRecord, key: str, value: str) -> None:
    """Set one tag (replacing its value if the key is there)."""
    service = BY_KIND[record.kind].service
    client = clients.client(service, record.account, record.region)
    if service == "bedrock":
        client.tag_resource(resourceARN=record.arn, tags=[{"key": key, "value": value}])
    else:
        client.add_tags(ResourceArn=record.arn, Tags=[{"Key": key, "Value": value}])
