"""ListMetrics' RecentlyActive: series published to in the past three hours, by publication."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.exceptions import ClientError
from watchdog_sandbox import cloudwatch_recent
from watchdog_sandbox.seed_metrics import SAGEMAKER_NAMESPACE, MetricWriter
from watchdog_sandbox.server import running_server, sandbox_session

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_cloudwatch.type_defs import MetricDatumTypeDef

ACCOUNT = "123456789012"
REGION = "us-east-1"
NAMESPACE = "Custom/Test"


@pytest.fixture
def cloudwatch(aws: None) -> CloudWatchClient:
    client: CloudWatchClient = boto3.client("cloudwatch", region_name=REGION)
    return client


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[datetime]]:
    """The server's wall clock, moved by the test: `clock[0] = ...`."""
    now = [datetime.now(UTC)]
    monkeypatch.setattr(cloudwatch_recent, "clock", lambda: now[0])
    yield now


def put(
    cloudwatch: Any, name: str, at: datetime | None = None, endpoint: str = "e", metric: str = "m"
) -> None:
    """One datapoint of `metric` for (EndpointName, VariantName), timestamped `at` (or now)."""
    datum: dict[str, Any] = {
        "MetricName": metric,
        "Dimensions": [
            {"Name": "EndpointName", "Value": endpoint},
            {"Name": "VariantName", "Value": name},
        ],
        "Value": 1.0,
    }
    if at is not None:
        datum["Timestamp"] = at
    cloudwatch.put_metric_data(Namespace=NAMESPACE, MetricData=[datum])


def listed(cloudwatch: Any, **filters: Any) -> list[str]:
    """The VariantName of every metric ListMetrics lists (all pages), in order."""
    pages = cloudwatch.get_paginator("list_metrics").paginate(Namespace=NAMESPACE, **filters)
    return [
        next(d["Value"] for d in metric["Dimensions"] if d["Name"] == "VariantName")
        for page in pages
        for metric in page["Metrics"]
    ]


def recent(cloudwatch: Any, **filters: Any) -> list[str]:
    return listed(cloudwatch, RecentlyActive="PT3H", **filters)


def seeded_endpoints(cloudwatch: Any, **filters: Any) -> set[str]:
    """The EndpointName of every SageMaker metric listed (one page: the seeds here are small)."""
    metrics = cloudwatch.list_metrics(Namespace=SAGEMAKER_NAMESPACE, **filters)["Metrics"]
    return {
        d["Value"]
        for metric in metrics
        for d in metric["Dimensions"]
        if d["Name"] == "EndpointName"
    }


def test_a_series_put_now_is_listed_once(cloudwatch: CloudWatchClient) -> None:
    for _ in range(3):  # moto's own listing repeats a two-dimension series per datapoint
        put(cloudwatch, "now")
    assert recent(cloudwatch) == ["now"]


def test_a_series_last_published_over_three_hours_ago_is_listed_only_without_it(
    cloudwatch: CloudWatchClient, clock: list[datetime]
) -> None:
    start = clock[0]
    put(cloudwatch, "old")
    clock[0] = start + timedelta(minutes=50)
    put(cloudwatch, "edge")
    clock[0] = start + timedelta(hours=3, minutes=30)
    put(cloudwatch, "fresh")

    assert recent(cloudwatch) == ["edge", "fresh"]
    assert set(listed(cloudwatch)) == {"old", "edge", "fresh"}
    clock[0] = start + timedelta(hours=3, minutes=51)  # edge's publication is now 3 h 1 min old
    assert recent(cloudwatch) == ["fresh"]


def test_a_new_datapoint_makes_an_old_series_recent_again(
    cloudwatch: CloudWatchClient, clock: list[datetime]
) -> None:
    start = clock[0]
    put(cloudwatch, "revived")
    clock[0] = start + timedelta(hours=5)
    assert recent(cloudwatch) == []
    put(cloudwatch, "revived")
    assert recent(cloudwatch) == ["revived"]


def test_publication_not_the_datapoint_timestamp_counts(cloudwatch: CloudWatchClient) -> None:
    # A late datapoint for last week, sent now, was published now.
    put(cloudwatch, "late", at=datetime.now(UTC) - timedelta(days=7))
    assert recent(cloudwatch) == ["late"]


def test_the_usual_filters_apply(cloudwatch: CloudWatchClient) -> None:
    put(cloudwatch, "a", endpoint="one")
    put(cloudwatch, "b", endpoint="two")
    put(cloudwatch, "c", endpoint="two", metric="other")
    assert recent(cloudwatch, MetricName="m") == ["a", "b"]
    assert recent(cloudwatch, Dimensions=[{"Name": "EndpointName", "Value": "two"}]) == ["b", "c"]
    assert recent(cloudwatch, Dimensions=[{"Name": "VariantName"}]) == ["a", "b", "c"]
    assert listed(cloudwatch, RecentlyActive="PT3H", MetricName="nothing") == []


def test_the_backdate_dates_a_history_put_at_once_by_its_newest_datapoint(
    cloudwatch: CloudWatchClient, clock: list[datetime]
) -> None:
    start = clock[0]
    newest = start - timedelta(hours=2)
    history: list[MetricDatumTypeDef] = [
        {
            "MetricName": "m",
            "Dimensions": [{"Name": "VariantName", "Value": "history"}],
            "Timestamp": newest - timedelta(hours=h),
            "Value": float(h),
        }
        for h in range(48)
    ]
    cloudwatch.put_metric_data(Namespace=NAMESPACE, MetricData=history)
    put(cloudwatch, "future", at=start + timedelta(hours=1))  # AWS takes up to 2 h ahead

    assert cloudwatch_recent.backdate_published(ACCOUNT, REGION) == 1
    assert cloudwatch_recent.backdate_published(ACCOUNT, REGION) == 0  # never forward again
    clock[0] = newest + timedelta(hours=3) - timedelta(seconds=1)
    assert recent(cloudwatch) == ["history", "future"]
    clock[0] = newest + timedelta(hours=3, seconds=1)
    assert recent(cloudwatch) == ["future"]  # published at `start`, not at its timestamp


def test_a_seeded_history_looks_published_live(
    cloudwatch: CloudWatchClient, clock: list[datetime]
) -> None:
    # Two histories: one ending a day ago, one ending in the past hour or two, as a seed's does.
    now = clock[0]
    for endpoint, until in (("yesterday", now - timedelta(days=1)), ("today", now)):
        writer = MetricWriter(cloudwatch, until, hours=24)
        writer.endpoint_variant(endpoint, "AllTraffic", "busy", gpu=False, with_instances=False)
        writer.flush()
    assert seeded_endpoints(cloudwatch, RecentlyActive="PT3H") == {"today"}
    assert seeded_endpoints(cloudwatch) == {"today", "yesterday"}


def test_more_than_a_page_of_recent_series(
    cloudwatch: CloudWatchClient, clock: list[datetime]
) -> None:
    start = clock[0]

    def batch(names: list[str]) -> None:
        data: Any = [
            {"MetricName": "m", "Dimensions": [{"Name": "VariantName", "Value": n}], "Value": 1.0}
            for n in names
        ]
        cloudwatch.put_metric_data(Namespace=NAMESPACE, MetricData=data)

    batch([f"old-{i:03d}" for i in range(40)])
    clock[0] = start + timedelta(hours=4)
    names = [f"v-{i:03d}" for i in range(620)]
    batch(names[:500])
    batch(names[500:])

    first = cloudwatch.list_metrics(Namespace=NAMESPACE, RecentlyActive="PT3H")
    assert len(first["Metrics"]) == 500 and "NextToken" in first
    assert recent(cloudwatch) == names


def test_any_other_value_is_refused_as_aws_does(cloudwatch: CloudWatchClient) -> None:
    put(cloudwatch, "now")
    with pytest.raises(ClientError) as refused:
        cloudwatch.list_metrics(RecentlyActive="PT1H")  # type: ignore[arg-type]
    error = refused.value.response["Error"]
    assert error["Code"] == "ValidationError"
    assert error["Message"] == (
        "1 validation error detected: Value 'PT1H' at 'recentlyActive' failed to satisfy "
        "constraint: Member must satisfy enum value set: [PT3H]"
    )
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_other_accounts_and_regions_are_not_listed(cloudwatch: CloudWatchClient) -> None:
    put(boto3.client("cloudwatch", region_name="us-west-2"), "west")
    creds = boto3.client("sts", region_name=REGION).assume_role(
        RoleArn="arn:aws:iam::210987654321:role/other", RoleSessionName="other"
    )["Credentials"]
    other = boto3.client(
        "cloudwatch",
        region_name=REGION,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    put(other, "other-account")
    put(cloudwatch, "here", at=datetime.now(UTC) - timedelta(days=7))
    assert recent(cloudwatch) == ["here"]
    assert recent(other) == ["other-account"]
    # Backdating another region or account leaves this one's publications alone.
    cloudwatch_recent.backdate_published(region="us-west-2")
    cloudwatch_recent.backdate_published("210987654321", REGION)
    assert recent(cloudwatch) == ["here"]
    cloudwatch_recent.backdate_published(ACCOUNT, REGION)
    assert recent(cloudwatch) == []


def test_the_backdate_reaches_the_sandbox_server_in_this_process() -> None:
    with running_server() as url:
        client = sandbox_session().client("cloudwatch", endpoint_url=url)
        day_ago = datetime.now(UTC) - timedelta(days=1)
        writer = MetricWriter(client, day_ago, hours=3)
        writer.endpoint_variant("served", "AllTraffic", "busy", gpu=False, with_instances=False)
        writer.flush()
        assert seeded_endpoints(client, RecentlyActive="PT3H") == set()
        assert seeded_endpoints(client) == {"served"}
