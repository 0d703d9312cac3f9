"""Turning a recorded AWS description back into a Create* request, for restore.

Only what the Create call accepts is kept (botocore's own API model decides), empty values are
dropped, the recorded tags are added back, and what the request references (role, images,
model data) is listed for the person restoring it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# AWS reserves the aws: tag prefix for itself and refuses it in Create* calls.
RESERVED_TAG_PREFIX = "aws:"


def with_tags(request: dict[str, Any], recorded: Mapping[str, Any]) -> dict[str, Any]:
    """The request with the resource's recorded tags (the description holds none itself)."""
    tags = [
        {"Key": key, "Value": value}
        for key, value in (recorded.get("tags") or {}).items()
        if not key.startswith(RESERVED_TAG_PREFIX)
    ]
    out = {k: v for k, v in request.items() if k != "Tags"}
    return {**out, "Tags": tags} if tags else out


def references(request: Mapping[str, Any]) -> tuple[str, ...]:
    """The role, images and model data a CreateModel request names, for the person to see."""
    refs = []
    if request.get("ExecutionRoleArn"):
        refs.append(f"execution role {request['ExecutionRoleArn']}")
    containers = [request.get("PrimaryContainer") or {}, *(request.get("Containers") or [])]
    for container in containers:
        if container.get("Image"):
            refs.append(f"image {container['Image']}")
        if container.get("ModelDataUrl"):
            refs.append(f"model data {container['ModelDataUrl']}")
        source = (container.get("ModelDataSource") or {}).get("S3DataSource") or {}
        if source.get("S3Uri"):
            refs.append(f"model data {source['S3Uri']}")
    return tuple(refs)


def fit_to_input(client: Any, operation: str, described: Mapping[str, Any]) -> dict[str, Any]:
    """A Describe* answer as a Create* request: only the fields the Create call accepts (the
    API model decides, so read-only ones such as ModelArn and CreationTime fall away), and no
    empty values (a Describe answer may carry `VpcConfig: {}`, which Create refuses)."""
    shape = client.meta.service_model.operation_model(operation).input_shape
    fitted = _fit(dict(described), shape)
    assert isinstance(fitted, dict)
    return fitted


def _fit(value: Any, shape: Any) -> Any:
    if shape.type_name == "structure" and isinstance(value, dict):
        members = shape.members
        kept = {k: _fit(v, members[k]) for k, v in value.items() if k in members}
        return {k: v for k, v in kept.items() if not _empty(v)}
    if shape.type_name == "list" and isinstance(value, list):
        items = (_fit(item, shape.member) for item in value)
        return [item for item in items if not _empty(item)]
    return value


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == {} or value == []
