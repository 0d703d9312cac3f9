"""The indexed GetMetricData answers exactly as moto's own, only faster."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto.cloudwatch.models import cloudwatch_backends
from watchdog_sandbox import cloudwatch_index

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


VARIANT_A = [
    {"Name": "EndpointName", "Value": "a"},
    {"Name": "VariantName", "Value": "AllTraffic"},
]
VARIANT_B = [
    {"Name": "EndpointName", "Value": "b"},
    {"Name": "VariantName", "Value": "AllTraffic"},
]


def thirty_hours_of_invocations(cloudwatch: Any) -> None:
    for hours in range(30):
        at = NOW - timedelta(hours=hours, minutes=17)
        for dimensions in (VARIANT_A, VARIANT_B):
            cloudwatch.put_metric_data(
                Namespace="AWS/SageMaker",
                MetricData=[
                    {
                        "MetricName": "Invocations",
                        "Dimensions": dimensions,
                        "Timestamp": at,
                        "Value": float(hours % 5),
                        "Unit": "Count",
                    }
                ],
            )


def invocation_queries() -> list[dict[str, Any]]:
    """Every plain statistic, another period, a unit that matches and one that does not, and a
    dimension set that is a subset of the one put."""
    asked = [
        (VARIANT_A, 3600, "Sum", None),
        (VARIANT_B, 7200, "Average", "Count"),
        ([{"Name": "EndpointName", "Value": "a"}], 3600, "Sum", None),
        (VARIANT_A, 3600, "Maximum", "Percent"),
        (VARIANT_B, 3600, "Minimum", None),
        (VARIANT_A, 7200, "SampleCount", None),
        (VARIANT_B, 7200, "Maximum", None),
    ]
    return [
        {
            "Id": f"q{i}",
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/SageMaker",
                    "MetricName": "Invocations",
                    "Dimensions": dims,
                },
                "Period": period,
                "Stat": stat,
                **({"Unit": unit} if unit else {}),
            },
        }
        for i, (dims, period, stat, unit) in enumerate(asked)
    ]


def test_the_same_answers_as_moto_for_sums_averages_units_and_exact_dimension_sets(
    aws: None,
) -> None:
    cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")
    thirty_hours_of_invocations(cloudwatch)
    queries = invocation_queries()
    backend = cloudwatch_backends["123456789012"]["us-east-1"]
    # moto hands the backend naive UTC times, as its request parsing does.
    start, end = (NOW - timedelta(days=1)).replace(tzinfo=None), NOW.replace(tzinfo=None)

    ours = cloudwatch_index._indexed_get_metric_data(backend, queries, start, end)
    theirs = cloudwatch_index._ORIGINAL(backend, queries, start, end)

    for mine, moto_s in zip(ours, theirs, strict=True):
        assert mine == moto_s, (mine["id"], mine["values"], moto_s["values"])
    assert len(ours[0]["values"]) == 24 and sum(ours[0]["values"]) > 0
    assert ours[2]["values"] == []  # EndpointName alone matches nothing, as on AWS

    # AWS matches the dimension set whatever the order; moto only the order it was put in.
    reordered = [dict(queries[0], Id="r0")]
    reordered[0]["MetricStat"] = dict(
        queries[0]["MetricStat"],
        Metric=dict(
            queries[0]["MetricStat"]["Metric"],
            Dimensions=list(reversed(queries[0]["MetricStat"]["Metric"]["Dimensions"])),
        ),
    )
    [again] = cloudwatch_index._indexed_get_metric_data(backend, reordered, start, end)
    assert again["values"] == ours[0]["values"]


def test_data_put_after_a_call_is_in_the_next_answer(aws: None) -> None:
    # The index is kept between calls: what is put later must still be read.
    cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")
    thirty_hours_of_invocations(cloudwatch)
    backend = cloudwatch_backends["123456789012"]["us-east-1"]
    start, end = (NOW - timedelta(days=1)).replace(tzinfo=None), NOW.replace(tzinfo=None)
    [before] = cloudwatch_index._indexed_get_metric_data(
        backend, invocation_queries()[:1], start, end
    )
    cloudwatch.put_metric_data(
        Namespace="AWS/SageMaker",
        MetricData=[
            {
                "MetricName": "Invocations",
                "Dimensions": VARIANT_A,
                "Timestamp": NOW - timedelta(minutes=30),
                "Value": 100.0,
                "Unit": "Count",
            }
        ],
    )
    queries = invocation_queries()
    [after] = cloudwatch_index._indexed_get_metric_data(backend, queries[:1], start, end)
    [theirs] = cloudwatch_index._ORIGINAL(backend, queries[:1], start, end)
    assert after == theirs
    assert sum(after["values"]) == sum(before["values"]) + 100.0


@pytest.mark.parametrize("scan_by", ["TimestampAscending", "TimestampDescending"])
def test_every_plain_statistic_of_one_datapoint_a_period_as_moto_answers_it(
    aws: None, scan_by: str
) -> None:
    """Hourly data asked hourly (each datapoint alone in its period, answered without
    buckets), in either order."""
    cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")
    thirty_hours_of_invocations(cloudwatch)
    backend = cloudwatch_backends["123456789012"]["us-east-1"]
    start, end = (NOW - timedelta(days=1)).replace(tzinfo=None), NOW.replace(tzinfo=None)
    queries = [
        {
            "Id": f"q{i}",
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/SageMaker",
                    "MetricName": "Invocations",
                    "Dimensions": VARIANT_A,
                },
                "Period": 3600,
                "Stat": stat,
            },
        }
        for i, stat in enumerate(["Sum", "Average", "Maximum", "Minimum", "SampleCount"])
    ]
    theirs = cloudwatch_index._ORIGINAL(backend, queries, start, end, scan_by)
    ours = cloudwatch_index._indexed_get_metric_data(backend, queries, start, end, scan_by)

    assert repr(ours) == repr(theirs)  # the same numbers of the same types: the same JSON
    assert [len(answer["values"]) for answer in ours] == [24] * 5
