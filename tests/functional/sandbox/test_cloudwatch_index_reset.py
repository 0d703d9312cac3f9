"""The indexed GetMetricData after a moto reset: only what was put since, as moto answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto.cloudwatch.models import cloudwatch_backends
from moto.moto_api._internal.models import moto_api_backend
from watchdog_sandbox import cloudwatch_index

ACCOUNT = "123456789012"
REGION = "us-east-1"
NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
START, END = NOW - timedelta(hours=2), NOW


def put(cloudwatch: Any, endpoint: str, value: float) -> None:
    cloudwatch.put_metric_data(
        Namespace="AWS/SageMaker",
        MetricData=[
            {
                "MetricName": "Invocations",
                "Dimensions": [{"Name": "EndpointName", "Value": endpoint}],
                "Timestamp": NOW - timedelta(minutes=30),
                "Value": value,
            }
        ],
    )


def queries() -> list[dict[str, Any]]:
    return [
        {
            "Id": endpoint,
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/SageMaker",
                    "MetricName": "Invocations",
                    "Dimensions": [{"Name": "EndpointName", "Value": endpoint}],
                },
                "Period": 3600,
                "Stat": "Sum",
            },
        }
        for endpoint in ("old", "new")
    ]


def sums(cloudwatch: Any) -> dict[str, list[float]]:
    """What a user reads back: each endpoint's hourly sums over the window."""
    answer = cloudwatch.get_metric_data(MetricDataQueries=queries(), StartTime=START, EndTime=END)
    return {result["Id"]: result["Values"] for result in answer["MetricDataResults"]}


def reset_as_the_server_does() -> None:
    """The sandbox server's start and stop, and `POST /moto-api/reset` (mock_aws's stop too
    runs moto's BackendDict.reset): the backends are dropped and made anew on next use."""
    moto_api_backend.reset()


def reset_in_place() -> None:
    """moto's own BaseBackend.reset: the same backend object, re-initialised with a new list."""
    cloudwatch_backends[ACCOUNT].reset()


@pytest.mark.parametrize("reset", [reset_as_the_server_does, reset_in_place])
def test_after_a_reset_the_answer_holds_only_what_was_put_since(
    aws: None, reset: Callable[[], None]
) -> None:
    # The index is kept between calls: a reset must not leave the old datapoints in it.
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    put(cloudwatch, "old", 1.0)
    put(cloudwatch, "old", 2.0)
    assert sums(cloudwatch) == {"old": [3.0], "new": []}

    reset()
    put(cloudwatch, "new", 5.0)
    put(cloudwatch, "old", 7.0)

    assert sums(cloudwatch) == {"old": [7.0], "new": [5.0]}
    backend = cloudwatch_backends[ACCOUNT][REGION]
    naive = START.replace(tzinfo=None), END.replace(tzinfo=None)  # as moto's parsing hands it
    theirs = cloudwatch_index._ORIGINAL(backend, queries(), *naive)
    assert {result["id"]: result["values"] for result in theirs} == sums(cloudwatch)
