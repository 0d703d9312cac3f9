"""Shared helpers for the AWS calls kind modules make to stop, delete and re-read a resource.

A kind's `invoke` makes one call for one step; its `describe` reads the resource's full
description now, or None when AWS says it no longer exists; its `probe` is the status field of
that same description, so the executor's "is it still there?" and the audit's "what was it?"
can never disagree. AWS says "gone" in several dialects (ResourceNotFound,
ValidationException "Could not find ...", Bedrock's ResourceNotFoundException), so they are
recognised in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

NOT_FOUND_CODES = frozenset(
    {"ResourceNotFound", "ResourceNotFoundException", "NotFoundException", "NoSuchEntity"}
)
# DescribeNotebookInstance answers ValidationException "RecordNotFound".
NOT_FOUND_PHRASES = ("could not find", "does not exist", "not found", "recordnotfound")

# Page sizes for the list calls: each the maximum its service model allows (SageMaker's List*
# MaxResults: 1-100; Bedrock's maxResults: 1-1000). AWS's default page is 10
# (ListInferenceComponents: "This value defaults to 10"): 1,000 models would take 100 calls.
LIST_PAGE_SIZE = 100
BEDROCK_PAGE_SIZE = 1000

# What a probe answers for a resource that exists but has no status of its own (configs).
EXISTS = "Exists"


def error_code(error: ClientError) -> str:
    """AWS's error code ("FileSystemNotFound"), or "" when the answer has none."""
    return str(error.response.get("Error", {}).get("Code", ""))


def is_gone(error: ClientError) -> bool:
    info = error.response.get("Error", {})
    code = error_code(error)
    message = str(info.get("Message", "")).lower()
    if code in NOT_FOUND_CODES:
        return True
    return code == "ValidationException" and any(p in message for p in NOT_FOUND_PHRASES)


def description_or_gone(read: Callable[[], dict[str, Any]]) -> dict[str, Any] | None:
    """A Describe*/Get* call's answer without boto3's ResponseMetadata (which describes the
    HTTP exchange, not the resource); None when AWS says the resource is gone. Any other
    failure (throttling, access denied) is raised: "could not tell" is not "gone"."""
    try:
        answer = read()
    except ClientError as error:
        if is_gone(error):
            return None
        raise
    return {key: value for key, value in answer.items() if key != "ResponseMetadata"}


def status_of(description: dict[str, Any] | None, field: str | None) -> str | None:
    """A probe's answer from a description: None when gone, EXISTS for a resource that has no
    status field of its own (configs, models) or whose answer omits it."""
    if description is None:
        return None
    if field is None:
        return EXISTS
    value = description.get(field)
    return str(value) if value is not None else EXISTS


def status_or_gone(read: Callable[[], dict[str, Any]], field: str | None) -> str | None:
    """The status field of a describe call's answer; None when the resource is gone."""
    return status_of(description_or_gone(read), field)
