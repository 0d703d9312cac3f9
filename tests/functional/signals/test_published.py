"""ListMetrics as the proof that a provisioned throughput's traffic would be seen at all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3

from watchdog.aws.clients import ApiCallCounter, ClientFactory
from watchdog.aws.scope import Shard
from watchdog.kinds import BY_KIND
from watchdog.records import ON_DEMAND, ResourceRecord
from watchdog.signals.published import collect_published

ACCOUNT, REGION = "123456789012", "us-east-1"
KIND = "bedrock-provisioned-throughput"


def throughput(name: str) -> ResourceRecord:
    return ResourceRecord(
        kind=KIND,
        arn=f"arn:aws:bedrock:{REGION}:{ACCOUNT}:provisioned-model/{name}",
        name=name,
        account=ACCOUNT,
        region=REGION,
        billing=ON_DEMAND,
    )


def test_a_series_written_to_is_listed_and_one_never_written_to_is_not(aws: None) -> None:
    called, never = throughput("abcdefghij12"), throughput("zyxwvutsrq98")
    boto3.client("cloudwatch", region_name=REGION).put_metric_data(
        Namespace="AWS/Bedrock",
        MetricData=[
            {
                "MetricName": "Invocations",
                "Dimensions": [{"Name": "ModelId", "Value": called.arn}],
                "Timestamp": datetime.now(UTC) - timedelta(days=3),
                "Value": 0.0,
            }
        ],
    )
    counter = ApiCallCounter()
    shard = Shard(ACCOUNT, REGION, ClientFactory(boto3.Session(region_name=REGION), counter))

    published, calls = collect_published(
        [shard], [called, never], lambda r: BY_KIND[r.kind].published_under(r)
    )

    assert published == {called.arn.lower(): True, never.arn.lower(): False}
    assert calls == 1 and counter.by_operation() == {"cloudwatch:ListMetrics": 1}


def test_kinds_with_a_load_metric_are_not_asked(aws: None) -> None:
    endpoint = ResourceRecord(
        kind="sagemaker-endpoint",
        arn=f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/ep",
        name="ep",
        account=ACCOUNT,
        region=REGION,
    )
    counter = ApiCallCounter()
    shard = Shard(ACCOUNT, REGION, ClientFactory(boto3.Session(region_name=REGION), counter))

    assert collect_published([shard], [endpoint], lambda r: BY_KIND[r.kind].published_under(r)) == (
        {},
        0,
    )
    assert counter.total == 0
