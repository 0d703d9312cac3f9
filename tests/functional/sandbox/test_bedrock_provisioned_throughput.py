"""The sandbox's Bedrock Provisioned Throughput, as a boto3 client sees it (mock_aws and server)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from watchdog_sandbox import transitions
from watchdog_sandbox.bedrock_provisioned_throughput import put_provisioned_throughput

REGION = "us-east-1"
CLAUDE = "anthropic.claude-v2"
CLAUDE_ARN = f"arn:aws:bedrock:{REGION}::foundation-model/{CLAUDE}"
TITAN_ARN = f"arn:aws:bedrock:{REGION}::foundation-model/amazon.titan-text-express-v1"
PT_ARN = re.compile(r"arn:aws:bedrock:us-east-1:123456789012:provisioned-model/[a-z0-9]{12}")


def _create(client: Any, name: str, **extra: Any) -> str:
    args = {"provisionedModelName": name, "modelId": CLAUDE, "modelUnits": 1, **extra}
    arn: str = client.create_provisioned_model_throughput(**args)["provisionedModelArn"]
    return arn


def _custom_model(client: Any, name: str, base: str = "amazon.titan-text-express-v1") -> str:
    client.create_model_customization_job(
        jobName=f"{name}-job",
        customModelName=name,
        roleArn="arn:aws:iam::123456789012:role/bedrock",
        baseModelIdentifier=base,
        trainingDataConfig={"s3Uri": "s3://bucket/train.jsonl"},
        outputDataConfig={"s3Uri": "s3://bucket/out/"},
        hyperParameters={},
    )
    arn: str = client.get_custom_model(modelIdentifier=name)["modelArn"]
    return arn


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def _names(client: Any, **params: Any) -> list[str]:
    summaries = client.list_provisioned_model_throughputs(**params)["provisionedModelSummaries"]
    return [s["provisionedModelName"] for s in summaries]


# --- create and get ------------------------------------------------------------------------


def test_create_returns_a_provisioned_model_arn_with_status_201(bedrock: Any) -> None:
    response = bedrock.create_provisioned_model_throughput(
        provisionedModelName="chat", modelId=CLAUDE, modelUnits=2
    )
    assert PT_ARN.fullmatch(response["provisionedModelArn"])
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201


def test_get_by_name_or_arn_describes_the_throughput(bedrock: Any) -> None:
    arn = _create(bedrock, "chat", modelUnits=3)
    by_name = bedrock.get_provisioned_model_throughput(provisionedModelId="chat")
    by_arn = bedrock.get_provisioned_model_throughput(provisionedModelId=arn)
    for described in (by_name, by_arn):
        assert described["provisionedModelArn"] == arn
        assert described["provisionedModelName"] == "chat"
        assert described["modelArn"] == described["desiredModelArn"] == CLAUDE_ARN
        assert described["foundationModelArn"] == CLAUDE_ARN
        assert described["modelUnits"] == described["desiredModelUnits"] == 3
        assert described["creationTime"] == described["lastModifiedTime"]


def test_new_throughput_is_creating_until_the_transition_settles(bedrock: Any) -> None:
    with transitions.overridden(reads=1):
        _create(bedrock, "chat")
        first = bedrock.get_provisioned_model_throughput(provisionedModelId="chat")
        second = bedrock.get_provisioned_model_throughput(provisionedModelId="chat")
    assert (first["status"], second["status"]) == ("Creating", "InService")


def test_get_unknown_throughput_is_not_found_404(bedrock: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        bedrock.get_provisioned_model_throughput(provisionedModelId="nope")
    assert _error(excinfo) == ("ResourceNotFoundException", 404)


def test_create_for_a_custom_model_records_its_base_as_foundation_model(bedrock: Any) -> None:
    custom_arn = _custom_model(bedrock, "tuned")
    _create(bedrock, "tuned-pt", modelId="tuned")
    described = bedrock.get_provisioned_model_throughput(provisionedModelId="tuned-pt")
    assert described["modelArn"] == custom_arn
    assert described["foundationModelArn"] == TITAN_ARN


def test_create_for_an_unknown_custom_model_is_not_found(bedrock: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        _create(bedrock, "pt", modelId="arn:aws:bedrock:us-east-1:123456789012:custom-model/x")
    assert _error(excinfo) == ("ResourceNotFoundException", 404)


def test_create_with_a_name_in_use_is_a_validation_error(bedrock: Any) -> None:
    _create(bedrock, "chat")
    with pytest.raises(ClientError) as excinfo:
        _create(bedrock, "chat")
    assert _error(excinfo) == ("ValidationException", 400)


def test_create_retried_with_the_same_client_token_creates_one_throughput(bedrock: Any) -> None:
    first = _create(bedrock, "chat", clientRequestToken="token-1")
    again = _create(bedrock, "chat", clientRequestToken="token-1")
    assert first == again
    assert _names(bedrock) == ["chat"]


# --- commitment ----------------------------------------------------------------------------


@pytest.mark.parametrize(("duration", "months"), [("OneMonth", 1), ("SixMonths", 6)])
def test_commitment_expires_calendar_months_after_creation(
    bedrock: Any, duration: str, months: int
) -> None:
    _create(bedrock, "chat", commitmentDuration=duration)
    described = bedrock.get_provisioned_model_throughput(provisionedModelId="chat")
    created, expires = described["creationTime"], described["commitmentExpirationTime"]
    assert described["commitmentDuration"] == duration
    assert (expires.year * 12 + expires.month) - (created.year * 12 + created.month) == months
    assert expires.time() == created.time()


def test_no_commitment_throughput_has_no_commitment_fields(bedrock: Any) -> None:
    _create(bedrock, "chat")
    described = bedrock.get_provisioned_model_throughput(provisionedModelId="chat")
    assert "commitmentDuration" not in described
    assert "commitmentExpirationTime" not in described


def test_delete_committed_throughput_before_expiry_is_refused(bedrock: Any) -> None:
    _create(bedrock, "chat", commitmentDuration="OneMonth")
    with pytest.raises(ClientError) as excinfo:
        bedrock.delete_provisioned_model_throughput(provisionedModelId="chat")
    assert _error(excinfo) == ("ValidationException", 400)
    assert _names(bedrock) == ["chat"]


def test_delete_committed_throughput_after_expiry_succeeds(bedrock: Any) -> None:
    arn = put_provisioned_throughput(
        "old",
        CLAUDE,
        commitment_duration="OneMonth",
        creation_time=datetime.now(UTC) - timedelta(days=70),
    )
    bedrock.delete_provisioned_model_throughput(provisionedModelId=arn)
    assert _names(bedrock) == []


def test_delete_no_commitment_throughput_removes_it(bedrock: Any) -> None:
    _create(bedrock, "chat")
    bedrock.delete_provisioned_model_throughput(provisionedModelId="chat")
    with pytest.raises(ClientError) as excinfo:
        bedrock.get_provisioned_model_throughput(provisionedModelId="chat")
    assert _error(excinfo) == ("ResourceNotFoundException", 404)


def test_delete_unknown_throughput_is_not_found(bedrock: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        bedrock.delete_provisioned_model_throughput(provisionedModelId="nope")
    assert _error(excinfo) == ("ResourceNotFoundException", 404)


# --- list: filters, order, pages -----------------------------------------------------------


def _seed_three() -> None:
    now = datetime.now(UTC)
    put_provisioned_throughput("alpha", CLAUDE, creation_time=now - timedelta(days=30))
    put_provisioned_throughput("beta", "amazon.titan-text-express-v1", status="Failed")
    put_provisioned_throughput("alpha-2", CLAUDE, creation_time=now - timedelta(days=10))


def test_list_filters_by_status_name_and_model(bedrock: Any) -> None:
    _seed_three()
    assert _names(bedrock, statusEquals="Failed") == ["beta"]
    assert sorted(_names(bedrock, nameContains="alpha")) == ["alpha", "alpha-2"]
    assert _names(bedrock, modelArnEquals=TITAN_ARN) == ["beta"]


def test_list_filters_by_creation_time_window(bedrock: Any) -> None:
    _seed_three()
    now = datetime.now(UTC)
    window = {
        "creationTimeAfter": now - timedelta(days=20),
        "creationTimeBefore": now - timedelta(days=1),
    }
    assert _names(bedrock, **window) == ["alpha-2"]


def test_list_sorts_by_creation_time_newest_first_by_default(bedrock: Any) -> None:
    _seed_three()
    assert _names(bedrock) == ["beta", "alpha-2", "alpha"]
    ascending = {"sortBy": "CreationTime", "sortOrder": "Ascending"}
    assert _names(bedrock, **ascending) == ["alpha", "alpha-2", "beta"]


def test_list_pages_with_max_results_and_next_token(bedrock: Any) -> None:
    for index in range(5):
        _create(bedrock, f"pt-{index}")
    first = bedrock.list_provisioned_model_throughputs(maxResults=2)
    assert len(first["provisionedModelSummaries"]) == 2
    pages = bedrock.get_paginator("list_provisioned_model_throughputs").paginate(
        PaginationConfig={"PageSize": 2}
    )
    seen = [s["provisionedModelName"] for page in pages for s in page["provisionedModelSummaries"]]
    assert sorted(seen) == [f"pt-{index}" for index in range(5)]


def test_list_next_token_survives_a_deletion_between_pages(bedrock: Any) -> None:
    for index in range(4):
        _create(bedrock, f"pt-{index}")
    first = bedrock.list_provisioned_model_throughputs(maxResults=2)
    for summary in first["provisionedModelSummaries"]:
        bedrock.delete_provisioned_model_throughput(
            provisionedModelId=summary["provisionedModelArn"]
        )
    rest = bedrock.list_provisioned_model_throughputs(maxResults=2, nextToken=first["nextToken"])
    assert len(rest["provisionedModelSummaries"]) == 2
    assert "nextToken" not in rest


def test_list_with_an_invalid_next_token_is_a_validation_error(bedrock: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        bedrock.list_provisioned_model_throughputs(nextToken="not-a-token")
    assert _error(excinfo) == ("ValidationException", 400)


# --- update --------------------------------------------------------------------------------


def test_update_renames_the_throughput(bedrock: Any) -> None:
    arn = _create(bedrock, "chat")
    bedrock.update_provisioned_model_throughput(
        provisionedModelId=arn, desiredProvisionedModelName="assistant"
    )
    assert (
        bedrock.get_provisioned_model_throughput(provisionedModelId="assistant")[
            "provisionedModelArn"
        ]
        == arn
    )
    assert _names(bedrock, nameContains="chat") == []


def test_update_model_of_a_base_model_throughput_is_refused(bedrock: Any) -> None:
    _create(bedrock, "chat")
    with pytest.raises(ClientError) as excinfo:
        bedrock.update_provisioned_model_throughput(
            provisionedModelId="chat", desiredModelId=TITAN_ARN
        )
    assert _error(excinfo) == ("ValidationException", 400)


def test_update_custom_model_throughput_to_its_base_goes_through_updating(bedrock: Any) -> None:
    custom_arn = _custom_model(bedrock, "tuned")
    _create(bedrock, "pt", modelId=custom_arn)
    with transitions.overridden(reads=1):
        bedrock.update_provisioned_model_throughput(
            provisionedModelId="pt", desiredModelId=TITAN_ARN
        )
        during = bedrock.get_provisioned_model_throughput(provisionedModelId="pt")
        after = bedrock.get_provisioned_model_throughput(provisionedModelId="pt")
    assert (during["status"], during["modelArn"], during["desiredModelArn"]) == (
        "Updating",
        custom_arn,
        TITAN_ARN,
    )
    assert (after["status"], after["modelArn"]) == ("InService", TITAN_ARN)


def test_update_custom_model_throughput_to_another_base_is_refused(bedrock: Any) -> None:
    _create(bedrock, "pt", modelId=_custom_model(bedrock, "tuned"))
    other = _custom_model(bedrock, "other", base=CLAUDE)
    with pytest.raises(ClientError) as excinfo:
        bedrock.update_provisioned_model_throughput(provisionedModelId="pt", desiredModelId=other)
    assert _error(excinfo) == ("ValidationException", 400)
