"""GetMetricData's answer written straight to JSON is the document moto writes."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import boto3
import pytest
from moto.cloudwatch.responses import CloudWatchResponse
from watchdog_sandbox import cloudwatch_answer

from tests.functional.sandbox.test_cloudwatch_index import (
    NOW,
    invocation_queries,
    thirty_hours_of_invocations,
)

# Set per request by moto or the wire: not part of the answer.
VARYING = {"date", "x-amzn-requestid", "content-length", "server"}


def answered(cloudwatch: Any, queries: list[dict[str, Any]]) -> tuple[Any, dict[str, Any]]:
    """The client's parsed answer, and the raw body and headers it was parsed from."""
    raw: dict[str, Any] = {}

    def keep(response_dict: dict[str, Any], **_: Any) -> None:
        raw["body"] = json.loads(response_dict["body"])
        raw["headers"] = {
            k.lower(): v for k, v in response_dict["headers"].items() if k.lower() not in VARYING
        }
        raw["status"] = response_dict["status_code"]

    cloudwatch.meta.events.register("before-parse.cloudwatch.GetMetricData", keep)
    try:
        parsed = cloudwatch.get_metric_data(
            MetricDataQueries=queries,
            StartTime=NOW - timedelta(days=1),
            EndTime=NOW,
            ScanBy="TimestampAscending",
        )
    finally:
        cloudwatch.meta.events.unregister("before-parse.cloudwatch.GetMetricData", keep)
    parsed.pop("ResponseMetadata")
    return parsed, raw


def test_the_json_answer_is_the_document_moto_writes(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")
    thirty_hours_of_invocations(cloudwatch)
    queries = invocation_queries()

    ours, our_raw = answered(cloudwatch, queries)
    monkeypatch.setattr(CloudWatchResponse, "get_metric_data", cloudwatch_answer._ORIGINAL)
    theirs, their_raw = answered(cloudwatch, queries)

    assert our_raw == their_raw
    assert ours == theirs
    assert len(ours["MetricDataResults"]) == len(queries)
    assert sum(ours["MetricDataResults"][0]["Values"]) > 0


def test_a_label_holding_xml_is_answered_as_asked(aws: None) -> None:
    """moto writes its request id into any `<RequestId>` of an answer; a JSON answer has no
    XML, and a label that holds the text is the caller's (on AWS, and here)."""
    cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")
    thirty_hours_of_invocations(cloudwatch)
    query = dict(invocation_queries()[0], Label="<RequestId>mine</RequestId>")

    ours, _ = answered(cloudwatch, [query])
    metadata = cloudwatch.get_metric_data(
        MetricDataQueries=[query], StartTime=NOW - timedelta(days=1), EndTime=NOW
    )["ResponseMetadata"]

    assert ours["MetricDataResults"][0]["Label"] == "<RequestId>mine</RequestId>"
    assert sum(ours["MetricDataResults"][0]["Values"]) > 0
    assert len(metadata["HTTPHeaders"]["x-amzn-requestid"]) == 52  # the header, as moto sets it
