"""collect_metrics against the sandbox's CloudWatch (moto): series, empty series, call counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
from botocore.exceptions import ClientError

from watchdog.aws.clients import ApiCallCounter, ClientFactory
from watchdog.aws.scope import Shard
from watchdog.records import ResourceRecord, Variant
from watchdog.signals.metrics import collect_metrics
from watchdog.signals.models import MetricQuery

ACCOUNT = "123456789012"  # moto's default account
REGION = "us-east-1"
WEEK = timedelta(days=7)


def clients() -> tuple[ClientFactory, ApiCallCounter]:
    counter = ApiCallCounter()
    return ClientFactory(boto3.Session(region_name=REGION), counter), counter


def endpoint(name: str, *variants: str) -> ResourceRecord:
    return ResourceRecord(
        kind="sagemaker-endpoint",
        arn=f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/{name}",
        name=name,
        account=ACCOUNT,
        region=REGION,
        variants=tuple(Variant(name=v, instance_type="ml.g5.xlarge") for v in variants),
    )


def per_variant(record: ResourceRecord) -> tuple[MetricQuery, ...]:
    """Invocations and CPU per variant, dimensions in the order SageMaker emits them."""
    queries = []
    for variant in record.variants:
        dims = (("EndpointName", record.name), ("VariantName", variant.name))
        queries += [
            MetricQuery(
                resource_arn=record.arn,
                role="traffic",
                namespace="AWS/SageMaker",
                metric="Invocations",
                stat="Sum",
                dimensions=dims,
                part=variant.name,
            ),
            MetricQuery(
                resource_arn=record.arn,
                role="load",
                namespace="/aws/sagemaker/Endpoints",
                metric="CPUUtilization",
                stat="Average",
                dimensions=dims,
                part=variant.name,
            ),
        ]
    return tuple(queries)


def put_hourly(
    namespace: str,
    metric: str,
    endpoint_name: str,
    variant: str,
    values: list[float],
    end: datetime,
) -> None:
    """One datapoint per hour, the newest an hour before `end`'s hour, EndpointName first."""
    top = end.replace(minute=0, second=0, microsecond=0)
    boto3.client("cloudwatch", region_name=REGION).put_metric_data(
        Namespace=namespace,
        MetricData=[
            {
                "MetricName": metric,
                "Dimensions": [
                    {"Name": "EndpointName", "Value": endpoint_name},
                    {"Name": "VariantName", "Value": variant},
                ],
                "Timestamp": top - timedelta(hours=len(values) - i),
                "Value": value,
            }
            for i, value in enumerate(values)
        ],
    )


def test_series_come_back_per_variant_and_no_datapoints_is_an_empty_series(aws: None) -> None:
    now = datetime.now(UTC)
    busy, quiet = [float(10 + h % 5) for h in range(48)], [3.0] * 48
    put_hourly("AWS/SageMaker", "Invocations", "recsys", "champion", busy, now)
    put_hourly("/aws/sagemaker/Endpoints", "CPUUtilization", "recsys", "champion", busy, now)
    put_hourly("/aws/sagemaker/Endpoints", "CPUUtilization", "recsys", "challenger", quiet, now)
    put_hourly("AWS/SageMaker", "Invocations", "chat", "AllTraffic", [1.0, 0.0, 2.0], now)
    recsys = endpoint("recsys", "champion", "challenger")
    chat = endpoint("chat", "AllTraffic")
    silent = endpoint("silent", "AllTraffic")  # runs, but nothing was ever put for it
    factory, counter = clients()

    signals = collect_metrics(
        [Shard(ACCOUNT, REGION, factory)],
        [recsys, chat, silent],
        end=now,
        lookback=WEEK,
        queries_for=per_variant,
    )

    champion_calls, champion_cpu, challenger_calls, challenger_cpu = signals.for_resource(
        recsys.arn
    )
    assert (champion_calls.query.part, challenger_cpu.query.part) == ("champion", "challenger")
    assert [p.value for p in champion_calls.points] == busy
    assert [p.value for p in champion_cpu.points] == busy
    assert challenger_calls.points == () and challenger_calls.error is None
    assert [p.value for p in challenger_cpu.points] == quiet
    assert [p.value for p in signals.for_resource(chat.arn)[0].points] == [1.0, 0.0, 2.0]
    # Points are hour-aligned, oldest first, inside the window.
    window = signals.window
    assert window is not None
    stamps = [p.at for p in champion_calls.points]
    assert stamps == sorted(stamps) and window.start <= stamps[0] and stamps[-1] < window.end
    assert all(at.minute == 0 and at.tzinfo is not None for at in stamps)
    for series in signals.for_resource(silent.arn):
        assert series.points == () and series.error is None  # empty, not unknown
    assert signals.queries == 8
    assert signals.get_metric_data_calls == 1
    assert counter.by_operation() == {"cloudwatch:GetMetricData": 1}


def test_1200_queries_in_one_region_make_exactly_three_calls(aws: None) -> None:
    now = datetime.now(UTC)
    put_hourly("AWS/SageMaker", "Invocations", "ep-0599", "v1", [7.0], now)
    records = [endpoint(f"ep-{i:04d}", "v0", "v1") for i in range(600)]  # 2 x 2 queries each
    factory, counter = clients()

    signals = collect_metrics(
        [Shard(ACCOUNT, REGION, factory)],
        records,
        end=now,
        lookback=WEEK,
        queries_for=lambda r: per_variant(r)[:1] + per_variant(r)[2:3],
    )

    assert signals.queries == 1200
    assert signals.get_metric_data_calls == 3
    assert counter.by_operation() == {"cloudwatch:GetMetricData": 3}
    # A query in the last batch still comes back to its own resource and variant.
    v0, v1 = signals.for_resource(records[-1].arn)
    assert (v0.points, [p.value for p in v1.points]) == ((), [7.0])
    assert all(s.error is None for items in signals.series.values() for s in items)


def test_an_account_that_denies_cloudwatch_gets_errors_not_empty_series(aws: None) -> None:
    """AccessDenied on the call is the unknown case: it must never read as 'no traffic'."""
    session = boto3.Session(region_name=REGION)

    def deny(**_: object) -> None:
        raise ClientError(
            {"Error": {"Code": "AccessDenied", "Message": "not authorized"}}, "GetMetricData"
        )

    session.events.register("before-call.cloudwatch.GetMetricData", deny)
    counter = ApiCallCounter()
    record = endpoint("chat", "AllTraffic")

    signals = collect_metrics(
        [Shard(ACCOUNT, REGION, ClientFactory(session, counter))],
        [record],
        end=datetime.now(UTC),
        lookback=WEEK,
        queries_for=per_variant,
    )

    assert [s.error for s in signals.for_resource(record.arn)] == [
        "AccessDenied: not authorized"
    ] * 2
    assert signals.get_metric_data_calls == 1 == counter.total


def test_traffic_of_the_last_minutes_is_read(aws: None) -> None:
    """An endpoint idle for a week and used two minutes ago is not idle: the window reaches now.
    (Rounded down to the hour, its end left out everything since the hour began.)"""
    now = datetime.now(UTC)
    just_now = now - timedelta(minutes=2)
    boto3.client("cloudwatch", region_name=REGION).put_metric_data(
        Namespace="AWS/SageMaker",
        MetricData=[
            {
                "MetricName": "Invocations",
                "Dimensions": [
                    {"Name": "EndpointName", "Value": "used-just-now"},
                    {"Name": "VariantName", "Value": "AllTraffic"},
                ],
                "Timestamp": just_now,
                "Value": 3.0,
            }
        ],
    )
    record = endpoint("used-just-now", "AllTraffic")
    factory, _ = clients()

    signals = collect_metrics(
        [Shard(ACCOUNT, REGION, factory)], [record], end=now, lookback=WEEK, queries_for=per_variant
    )

    calls = signals.for_resource(record.arn)[0]
    assert sum(p.value for p in calls.points) == 3.0
