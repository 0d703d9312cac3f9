"""A resource deleted between its list call and its describe (a teardown running while a scan
does) is simply absent: it must not cost the scan the whole kind in that region."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.fakes import FakeScanContext
from watchdog.kinds import (
    sagemaker_domain,
    sagemaker_inference_component,
    sagemaker_mlflow_tracking_server,
    sagemaker_user_profile,
)


def gone(**_: Any) -> dict[str, Any]:
    raise ClientError({"Error": {"Code": "ResourceNotFound", "Message": "does not exist"}}, "X")


def throttled(**_: Any) -> dict[str, Any]:
    raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "Rate"}}, "X")


CASES = [
    (sagemaker_domain, "ListDomains", {"Domains": [{"DomainId": "d-1"}]}, "describe_domain"),
    (
        sagemaker_user_profile,
        "ListUserProfiles",
        {"UserProfiles": [{"DomainId": "d-1", "UserProfileName": "bob"}]},
        "describe_user_profile",
    ),
    (
        sagemaker_mlflow_tracking_server,
        "ListMlflowTrackingServers",
        {"TrackingServerSummaries": [{"TrackingServerName": "t"}]},
        "describe_mlflow_tracking_server",
    ),
    (
        sagemaker_inference_component,
        "ListInferenceComponents",
        {"InferenceComponents": [{"InferenceComponentName": "ic", "InferenceComponentArn": "a"}]},
        "describe_inference_component",
    ),
]


@pytest.mark.parametrize(("module", "operation", "page", "describe"), CASES)
def test_a_resource_gone_before_its_describe_is_skipped(
    module: Any, operation: str, page: dict[str, Any], describe: str
) -> None:
    ctx = FakeScanContext(pages={operation: [page]}, describes={describe: gone})

    assert module.collect(ctx) == []


@pytest.mark.parametrize(("module", "operation", "page", "describe"), CASES)
def test_any_other_failure_still_fails_the_kind(
    module: Any, operation: str, page: dict[str, Any], describe: str
) -> None:
    ctx = FakeScanContext(pages={operation: [page]}, describes={describe: throttled})

    with pytest.raises(ClientError):
        module.collect(ctx)
