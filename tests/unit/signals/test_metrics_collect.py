"""collect_metrics with a fake CloudWatch: batching per shard, paging, failures, ordering."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from structlog.testing import capture_logs

from watchdog.aws.clients import ClientFactory
from watchdog.aws.scope import Shard
from watchdog.kinds import BY_KIND
from watchdog.records import ResourceRecord, Variant
from watchdog.signals.metrics import MAX_PAGES_PER_BATCH, collect_metrics, default_queries
from watchdog.signals.models import MetricQuery

NOW = datetime(2026, 11, 24, 12, 34, tzinfo=UTC)
T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
WEEK = timedelta(days=7)
ACCOUNT, OTHER = "111122223333", "444455556666"
EAST, WEST = "us-east-1", "us-west-2"

Answer = Callable[[dict[str, Any], int], Mapping[str, Any]]


def echo(params: dict[str, Any], call: int) -> Mapping[str, Any]:
    """Every query answered Complete with one point whose value is its dimension's number,
    so a test can tell whether each series came back to the query that asked for it."""
    results = []
    for query in params["MetricDataQueries"]:
        number = float(query["MetricStat"]["Metric"]["Dimensions"][-1]["Value"])
        results.append(
            {"Id": query["Id"], "Timestamps": [T0], "Values": [number], "StatusCode": "Complete"}
        )
    return {"MetricDataResults": results}


class FakeCloudWatch:
    def __init__(self, answer: Answer = echo) -> None:
        self.answer = answer
        self.calls: list[dict[str, Any]] = []

    def get_metric_data(self, **params: Any) -> Mapping[str, Any]:
        self.calls.append(params)
        return self.answer(params, len(self.calls))


class FakeClients:
    """Stands in for ClientFactory: hands out one fake CloudWatch per region."""

    def __init__(self, **by_region: FakeCloudWatch) -> None:
        self.by_region = by_region

    def client(self, service: str, region: str) -> FakeCloudWatch:
        assert service == "cloudwatch"
        return self.by_region[region]


def shard(clients: FakeClients, region: str = EAST, account: str = ACCOUNT) -> Shard:
    return Shard(account_id=account, region=region, clients=cast(ClientFactory, clients))


def endpoint(name: str, region: str = EAST, account: str = ACCOUNT) -> ResourceRecord:
    return ResourceRecord(
        kind="sagemaker-endpoint",
        arn=f"arn:aws:sagemaker:{region}:{account}:endpoint/{name.upper()}",
        name=name,
        account=account,
        region=region,
        variants=(Variant(name="AllTraffic", instance_type="ml.g5.xlarge"),),
    )


def numbered(count: int) -> Callable[[ResourceRecord], tuple[MetricQuery, ...]]:
    """`count` queries per record, numbered across the run in the order they are asked for."""
    counter = iter(range(10**9))

    def queries_for(record: ResourceRecord) -> tuple[MetricQuery, ...]:
        return tuple(
            MetricQuery(
                resource_arn=record.arn,
                role="traffic",
                namespace="AWS/SageMaker",
                metric="Invocations",
                dimensions=(("EndpointName", record.name), ("N", str(next(counter)))),
            )
            for _ in range(count)
        )

    return queries_for


def test_1499_queries_make_three_calls_of_500_500_499() -> None:
    cloudwatch = FakeCloudWatch()
    records = [endpoint(f"ep-{i}") for i in range(1499)]
    signals = collect_metrics(
        [shard(FakeClients(**{EAST: cloudwatch}))],
        records,
        end=NOW,
        lookback=WEEK,
        queries_for=numbered(1),
    )
    # The batches overlap (collect_shard), so the calls may arrive in any order.
    sizes = sorted((len(c["MetricDataQueries"]) for c in cloudwatch.calls), reverse=True)
    assert sizes == [500, 500, 499]
    assert signals.get_metric_data_calls == 3 and signals.queries == 1499
    for call in cloudwatch.calls:
        ids = [q["Id"] for q in call["MetricDataQueries"]]
        assert ids == [f"q{i}" for i in range(len(ids))]
        # Up to now (12:34) rounded up, so the newest traffic is read.
        assert call["StartTime"] == T0 - WEEK and call["EndTime"] == T0 + timedelta(hours=1)
    # Every series went back to its own query (q7 of the second call is query 507).
    for n, record in enumerate(records):
        (series,) = signals.for_resource(record.arn)
        assert series.query.dimensions[-1] == ("N", str(n))
        assert [p.value for p in series.points] == [float(n)]
    assert signals.window is not None and signals.window.period_seconds == 3600


def test_series_are_keyed_by_lower_cased_arn_in_query_order_across_shards() -> None:
    east, west = FakeCloudWatch(), FakeCloudWatch()
    clients = FakeClients(**{EAST: east, WEST: west})
    records = [endpoint("a", EAST), endpoint("b", WEST), endpoint("c", EAST)]
    signals = collect_metrics(
        [shard(clients, EAST), shard(clients, WEST)],
        records,
        end=NOW,
        lookback=WEEK,
        queries_for=numbered(3),
    )
    assert len(east.calls) == 1 and len(west.calls) == 1  # one call per region
    assert len(east.calls[0]["MetricDataQueries"]) == 6
    assert set(signals.series) == {r.arn.lower() for r in records}
    b = signals.series[records[1].arn.lower()]
    assert [s.points[0].value for s in b] == [3.0, 4.0, 5.0]
    assert signals.queries == 9 and signals.get_metric_data_calls == 2


def test_next_token_is_followed_and_counted() -> None:
    def paged(params: dict[str, Any], call: int) -> Mapping[str, Any]:
        query = params["MetricDataQueries"][0]["Id"]
        if call == 1:
            assert "NextToken" not in params
            page = {"Id": query, "Timestamps": [T0], "Values": [1.0], "StatusCode": "PartialData"}
            return {"MetricDataResults": [page], "NextToken": "more"}
        assert params["NextToken"] == "more"
        later = T0 + timedelta(hours=1)
        page = {"Id": query, "Timestamps": [later], "Values": [2.0], "StatusCode": "Complete"}
        return {"MetricDataResults": [page]}

    cloudwatch = FakeCloudWatch(paged)
    signals = collect_metrics(
        [shard(FakeClients(**{EAST: cloudwatch}))],
        [endpoint("a")],
        end=NOW,
        lookback=WEEK,
        queries_for=numbered(1),
    )
    (series,) = signals.for_resource(endpoint("a").arn)
    assert series.error is None and [p.value for p in series.points] == [1.0, 2.0]
    assert signals.get_metric_data_calls == 2


def test_endless_paging_is_cut_off_as_a_failure() -> None:
    def endless(params: dict[str, Any], call: int) -> Mapping[str, Any]:
        return {"MetricDataResults": [], "NextToken": f"page-{call}"}

    cloudwatch = FakeCloudWatch(endless)
    signals = collect_metrics(
        [shard(FakeClients(**{EAST: cloudwatch}))],
        [endpoint("a")],
        end=NOW,
        lookback=WEEK,
        queries_for=numbered(1),
    )
    (series,) = signals.for_resource(endpoint("a").arn)
    assert series.error is not None and "still paging" in series.error
    assert signals.get_metric_data_calls == MAX_PAGES_PER_BATCH


def test_a_failed_call_fails_its_batch_only() -> None:
    def second_fails(params: dict[str, Any], call: int) -> Mapping[str, Any]:
        # The second batch by what it asks (queries 500-999), not by when it is sent: the
        # batches of a region are fetched side by side, in no fixed order.
        first = params["MetricDataQueries"][0]["MetricStat"]["Metric"]["Dimensions"][-1]
        if first["Value"] == "500":
            raise ClientError(
                {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}},
                "GetMetricData",
            )
        return echo(params, call)

    cloudwatch = FakeCloudWatch(second_fails)
    records = [endpoint(f"ep-{i}") for i in range(1200)]
    with capture_logs() as logs:
        signals = collect_metrics(
            [shard(FakeClients(**{EAST: cloudwatch}))],
            records,
            end=NOW,
            lookback=WEEK,
            queries_for=numbered(1),
        )
    errors = [signals.for_resource(r.arn)[0].error for r in records]
    assert errors[:500] == [None] * 500
    assert errors[500:1000] == ["ThrottlingException: Rate exceeded"] * 500
    assert errors[1000:] == [None] * 200
    assert signals.get_metric_data_calls == 3
    (failure,) = [entry for entry in logs if entry["event"] == "metric batch failed"]
    assert failure["account"] == ACCOUNT and failure["region"] == EAST
    assert failure["log_level"] == "warning" and failure["queries"] == 500


def test_connection_errors_and_bugs_fail_the_batch_without_stopping_the_run() -> None:
    def unreachable(params: dict[str, Any], call: int) -> Mapping[str, Any]:
        raise EndpointConnectionError(endpoint_url="https://monitoring.us-west-2.amazonaws.com")

    def broken(params: dict[str, Any], call: int) -> Mapping[str, Any]:
        return {"MetricDataResults": [{"Id": "q0", "Timestamps": None}]}

    clients = FakeClients(**{EAST: FakeCloudWatch(broken), WEST: FakeCloudWatch(unreachable)})
    with capture_logs() as logs:
        signals = collect_metrics(
            [shard(clients, EAST), shard(clients, WEST)],
            [endpoint("a", EAST), endpoint("b", WEST)],
            end=NOW,
            lookback=WEEK,
            queries_for=numbered(1),
        )
    (east,) = signals.for_resource(endpoint("a", EAST).arn)
    (west,) = signals.for_resource(endpoint("b", WEST).arn)
    assert east.error is not None and east.error.startswith("TypeError")
    assert west.error is not None and "Could not connect" in west.error
    assert signals.get_metric_data_calls == 2
    tracebacks = {entry["region"]: entry.get("exc_info") for entry in logs}
    assert tracebacks == {EAST: True, WEST: False}  # a bug shows its traceback; AWS does not


def test_per_query_error_statuses_are_logged_with_the_place() -> None:
    def forbidden(params: dict[str, Any], call: int) -> Mapping[str, Any]:
        message = [{"Code": "AccessDenied", "Value": "not authorized"}]
        answer = {"Id": "q0", "StatusCode": "Forbidden", "Messages": message}
        return {"MetricDataResults": [answer, *echo(params, call)["MetricDataResults"][1:]]}

    with capture_logs() as logs:
        signals = collect_metrics(
            [shard(FakeClients(**{EAST: FakeCloudWatch(forbidden)}))],
            [endpoint("a")],
            end=NOW,
            lookback=WEEK,
            queries_for=numbered(2),
        )
    first, second = signals.for_resource(endpoint("a").arn)
    assert first.error == "CloudWatch answered Forbidden: not authorized"
    assert second.error is None and second.points
    (entry,) = logs
    assert (entry["event"], entry["account"], entry["region"]) == (
        "metric queries failed",
        ACCOUNT,
        EAST,
    )


def test_records_without_a_shard_fail_without_a_call() -> None:
    cloudwatch = FakeCloudWatch()
    records = [endpoint("a"), endpoint("b", account=OTHER)]
    with capture_logs() as logs:
        signals = collect_metrics(
            [shard(FakeClients(**{EAST: cloudwatch}))],
            records,
            end=NOW,
            lookback=WEEK,
            queries_for=numbered(1),
        )
    (reached,) = signals.for_resource(records[0].arn)
    (missed,) = signals.for_resource(records[1].arn)
    assert reached.error is None
    assert missed.error is not None and f"account {OTHER} in {EAST}" in missed.error
    assert signals.get_metric_data_calls == 1 and signals.queries == 2
    assert any(e["event"] == "metrics skipped" and e["account"] == OTHER for e in logs)


def test_nothing_to_ask_makes_no_call() -> None:
    cloudwatch = FakeCloudWatch()
    signals = collect_metrics(
        [shard(FakeClients(**{EAST: cloudwatch}))],
        [endpoint("a")],
        end=NOW,
        lookback=WEEK,
        queries_for=lambda record: (),
    )
    assert cloudwatch.calls == [] and signals.series == {} and signals.queries == 0
    assert signals.window is not None and signals.window.end == T0 + timedelta(hours=1)


def test_default_queries_are_the_kinds_own() -> None:
    record = endpoint("a")
    assert default_queries(record) == BY_KIND["sagemaker-endpoint"].metric_queries(record)
    model = record.model_copy(update={"kind": "sagemaker-model"})
    assert default_queries(model) == BY_KIND["sagemaker-model"].metric_queries(model)


def test_lookback_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        collect_metrics([], [], end=NOW, lookback=timedelta(0))
