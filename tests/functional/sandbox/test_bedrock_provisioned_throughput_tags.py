"""The sandbox's Bedrock provisioned throughput: tags, the Resource Groups Tagging API, the
seeding helper and server mode (create, list, update and delete: the sibling module)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
import requests
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.server import ThreadedMotoServer
from watchdog_sandbox.bedrock_provisioned_throughput import install, put_provisioned_throughput

from tests.functional.sandbox.test_bedrock_provisioned_throughput import (
    CLAUDE,
    REGION,
    _create,
    _custom_model,
    _error,
    _names,
)

# --- tags ----------------------------------------------------------------------------------


def test_tags_given_at_create_are_listed_and_can_be_changed(bedrock: Any) -> None:
    arn = _create(bedrock, "chat", tags=[{"key": "owner", "value": "ana"}])
    bedrock.tag_resource(resourceARN=arn, tags=[{"key": "team", "value": "ml"}])
    bedrock.untag_resource(resourceARN=arn, tagKeys=["owner"])
    assert bedrock.list_tags_for_resource(resourceARN=arn)["tags"] == [
        {"key": "team", "value": "ml"}
    ]


def test_create_with_more_than_fifty_tags_is_refused(bedrock: Any) -> None:
    tags = [{"key": f"k{index}", "value": "v"} for index in range(51)]
    with pytest.raises(ClientError) as excinfo:
        _create(bedrock, "chat", tags=tags)
    assert _error(excinfo)[0] == "TooManyTagsException"
    assert _names(bedrock) == []


def test_deleted_throughput_has_no_tags_left(bedrock: Any) -> None:
    arn = _create(bedrock, "chat", tags=[{"key": "owner", "value": "ana"}])
    bedrock.delete_provisioned_model_throughput(provisionedModelId=arn)
    with pytest.raises(ClientError) as excinfo:
        bedrock.list_tags_for_resource(resourceARN=arn)
    assert _error(excinfo)[0] == "ResourceNotFoundException"


# --- Resource Groups Tagging API -----------------------------------------------------------


def _tagged_arns(**params: Any) -> list[str]:
    tagging = boto3.client("resourcegroupstaggingapi", region_name=REGION)
    pages = tagging.get_paginator("get_resources").paginate(**params)
    return [m["ResourceARN"] for page in pages for m in page["ResourceTagMappingList"]]


def test_get_resources_lists_tagged_throughputs_and_custom_models(bedrock: Any) -> None:
    pt_arn = _create(bedrock, "chat", tags=[{"key": "owner", "value": "ana"}])
    _create(bedrock, "untagged")
    custom_arn = _custom_model(bedrock, "tuned")
    bedrock.tag_resource(resourceARN=custom_arn, tags=[{"key": "owner", "value": "bo"}])
    for filters in ([], ["bedrock"]):
        assert sorted(_tagged_arns(ResourceTypeFilters=filters)) == sorted([pt_arn, custom_arn])
    assert _tagged_arns(ResourceTypeFilters=["bedrock:provisioned-model"]) == [pt_arn]
    assert _tagged_arns(ResourceTypeFilters=["sagemaker"]) == []


def test_get_resources_applies_tag_filters_to_bedrock_resources(bedrock: Any) -> None:
    ana = _create(bedrock, "chat", tags=[{"key": "owner", "value": "ana"}])
    _create(bedrock, "other", tags=[{"key": "owner", "value": "bo"}])
    assert _tagged_arns(TagFilters=[{"Key": "owner", "Values": ["ana"]}]) == [ana]


def test_get_resources_pages_through_bedrock_resources_one_per_page(bedrock: Any) -> None:
    arns = [_create(bedrock, f"pt-{i}", tags=[{"key": "n", "value": str(i)}]) for i in range(3)]
    tagging = boto3.client("resourcegroupstaggingapi", region_name=REGION)
    first = tagging.get_resources(ResourceTypeFilters=["bedrock"], ResourcesPerPage=1)
    assert len(first["ResourceTagMappingList"]) == 1
    assert first["PaginationToken"]
    assert sorted(_tagged_arns(ResourceTypeFilters=["bedrock"], ResourcesPerPage=1)) == sorted(arns)


def test_installing_twice_reports_each_resource_once(bedrock: Any) -> None:
    install()
    arn = _create(bedrock, "chat", tags=[{"key": "owner", "value": "ana"}])
    assert _tagged_arns(ResourceTypeFilters=["bedrock"]) == [arn]


# --- seeding helper and isolation ----------------------------------------------------------


def test_seeded_throughput_keeps_its_history_and_status(bedrock: Any) -> None:
    created = datetime(2025, 1, 15, 9, 30, tzinfo=UTC)
    expires = datetime(2099, 7, 15, tzinfo=UTC)
    arn = put_provisioned_throughput(
        "legacy",
        CLAUDE,
        model_units=4,
        commitment_duration="SixMonths",
        creation_time=created,
        commitment_expiration_time=expires,
        status="Failed",
        failure_message="capacity",
        tags={"owner": "ana"},
    )
    described = bedrock.get_provisioned_model_throughput(provisionedModelId=arn)
    assert (described["creationTime"], described["commitmentExpirationTime"]) == (created, expires)
    assert (described["status"], described["failureMessage"], described["modelUnits"]) == (
        "Failed",
        "capacity",
        4,
    )
    assert bedrock.list_tags_for_resource(resourceARN=arn)["tags"] == [
        {"key": "owner", "value": "ana"}
    ]


def test_seeded_commitment_defaults_to_creation_plus_its_duration(bedrock: Any) -> None:
    created = datetime(2025, 8, 31, tzinfo=UTC)
    put_provisioned_throughput("p", CLAUDE, commitment_duration="SixMonths", creation_time=created)
    described = bedrock.get_provisioned_model_throughput(provisionedModelId="p")
    assert described["commitmentExpirationTime"] == datetime(2026, 2, 28, tzinfo=UTC)


def test_a_new_mock_starts_without_throughputs() -> None:
    install()
    with mock_aws():
        _create(boto3.client("bedrock", region_name=REGION), "chat")
    with mock_aws():
        assert _names(boto3.client("bedrock", region_name=REGION)) == []


# --- server mode ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    install()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def test_server_mode_serves_the_throughput_lifecycle(server_url: str) -> None:
    client = boto3.client("bedrock", region_name=REGION, endpoint_url=server_url)
    try:
        arn = _create(
            client, "chat", commitmentDuration="OneMonth", tags=[{"key": "k", "value": "v"}]
        )
        described = client.get_provisioned_model_throughput(provisionedModelId=arn)
        assert described["provisionedModelName"] == "chat"
        with pytest.raises(ClientError) as excinfo:
            client.delete_provisioned_model_throughput(provisionedModelId=arn)
        assert _error(excinfo) == ("ValidationException", 400)
        tagging = boto3.client(
            "resourcegroupstaggingapi", region_name=REGION, endpoint_url=server_url
        )
        mappings = tagging.get_resources(ResourceTypeFilters=["bedrock"])["ResourceTagMappingList"]
        assert [m["ResourceARN"] for m in mappings] == [arn]
    finally:
        requests.post(f"{server_url}/moto-api/reset", timeout=10)
