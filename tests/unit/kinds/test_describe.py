"""One read path per kind: describe() answers the description, probe() its status field."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from watchdog.kinds import BY_KIND, REGISTRY
from watchdog.kinds._calls import EXISTS, description_or_gone, status_of
from watchdog.records import ResourceRecord


def error(code: str, message: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "Describe")


def test_description_or_gone_drops_response_metadata() -> None:
    answer = {"EndpointName": "e", "ResponseMetadata": {"HTTPStatusCode": 200}}
    assert description_or_gone(lambda: answer) == {"EndpointName": "e"}


def test_description_or_gone_is_none_for_a_gone_resource() -> None:
    def missing() -> dict[str, Any]:
        raise error("ValidationException", "Could not find endpoint 'e'.")

    assert description_or_gone(missing) is None


def test_description_or_gone_raises_what_is_not_gone() -> None:
    def throttled() -> dict[str, Any]:
        raise error("ThrottlingException", "Rate exceeded")

    with pytest.raises(ClientError):
        description_or_gone(throttled)


@pytest.mark.parametrize(
    ("description", "field", "status"),
    [
        (None, "Status", None),
        (None, None, None),
        ({"Status": "InService"}, "Status", "InService"),
        ({"EndpointConfigName": "c"}, None, EXISTS),
        ({"Name": "no status in the answer"}, "Status", EXISTS),
    ],
)
def test_status_of(description: dict[str, Any] | None, field: str | None, status: str) -> None:
    assert status_of(description, field) == status


@pytest.mark.parametrize("spec", REGISTRY, ids=lambda s: s.kind)
def test_every_kind_describes_and_probes(spec: Any) -> None:
    assert spec.teardown.describe is not None
    assert spec.teardown.probe is not None


class FakeSageMaker:
    """Answers DescribeApp with one status, the way boto3 would (metadata included)."""

    def __init__(self, status: str) -> None:
        self.status = status

    def describe_app(self, **identity: str) -> dict[str, Any]:
        return {**identity, "Status": self.status, "ResponseMetadata": {}}


APP = ResourceRecord(
    kind="sagemaker-app",
    arn="arn:aws:sagemaker:us-east-1:123456789012:app/d-1/alice/jupyterlab/default",
    name="default",
    account="123456789012",
    region="us-east-1",
    attributes={
        "domain_id": "d-1",
        "app_type": "JupyterLab",
        "owner_kind": "user-profile",
        "owner_name": "alice",
    },
)


def test_an_app_describes_and_probes_through_one_read() -> None:
    teardown = BY_KIND["sagemaker-app"].teardown
    assert teardown.describe is not None and teardown.probe is not None
    client = FakeSageMaker("InService")
    assert teardown.describe(client, APP) == {
        "DomainId": "d-1",
        "AppType": "JupyterLab",
        "AppName": "default",
        "UserProfileName": "alice",
        "Status": "InService",
    }
    assert teardown.probe(client, APP) == "InService"


def test_a_deleted_app_is_gone_to_describe_and_probe_alike() -> None:
    teardown = BY_KIND["sagemaker-app"].teardown
    assert teardown.describe is not None and teardown.probe is not None
    client = FakeSageMaker("Deleted")
    assert teardown.describe(client, APP) is None
    assert teardown.probe(client, APP) is None
