"""Is the local AWS configuration usable at all? Checked before any work, in words a person acts on.

A missing profile, a region no partition knows, or an AWS_ENDPOINT_URL that is not a URL are
mistakes in the caller's environment: botocore raises them deep inside the first call, as a
traceback. `check_aws_setup` finds them up front without a network call, and `explain` turns the
same exceptions into one line wherever else they surface (a dead endpoint, a missing region).
"""

from __future__ import annotations

import boto3
from botocore.exceptions import (
    BotoCoreError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ProfileNotFound,
    UnknownRegionError,
)

NO_CREDENTIALS = (
    "no AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY "
    "(or point AWS_ENDPOINT_URL at the sandbox: ai-watchdog sandbox serve --seed)"
)
INVALID_ENDPOINT = "Invalid endpoint: "


class AwsSetupError(ValueError):
    """The AWS configuration cannot be used: nothing was sent."""


def check_aws_setup() -> None:
    """Raise AwsSetupError if the environment's profile, region or endpoint URL is unusable.

    Creating a client resolves all three (and an endpoint_url set in the profile) offline.
    """
    try:
        session = boto3.Session()
        region = session.region_name
        if region:
            session.get_partition_for_region(region)
        session.client("sts", region_name=region or "us-east-1")
    except (BotoCoreError, ValueError) as error:
        message = explain(error)
        if message is None:
            raise
        raise AwsSetupError(message) from error


def explain(error: BaseException) -> str | None:
    """One line for an AWS configuration or connection failure; None for anything else."""
    if isinstance(error, ProfileNotFound):
        return (
            f"AWS profile {error.kwargs.get('profile')!r} not found in the AWS config or "
            "credentials files (it comes from AWS_PROFILE or --profile)"
        )
    if isinstance(error, UnknownRegionError):
        return (
            f"unknown AWS region {error.kwargs.get('region_name')!r} (from AWS_REGION, "
            "AWS_DEFAULT_REGION or the profile): use a region name such as us-east-1"
        )
    if isinstance(error, NoRegionError):
        return "no AWS region: set AWS_DEFAULT_REGION (or AWS_REGION), or give the profile one"
    if isinstance(error, EndpointConnectionError):
        return (
            f"cannot reach the AWS endpoint {error.kwargs.get('endpoint_url')}: nothing answers "
            "there (check AWS_ENDPOINT_URL, the region and the network)"
        )
    if isinstance(error, NoCredentialsError):
        return NO_CREDENTIALS
    if isinstance(error, ValueError) and str(error).startswith(INVALID_ENDPOINT):
        url = str(error).removeprefix(INVALID_ENDPOINT)
        return (
            f"the AWS endpoint URL {url!r} is not a URL (from AWS_ENDPOINT_URL or the profile's "
            "endpoint_url): use e.g. http://127.0.0.1:5000"
        )
    return None
