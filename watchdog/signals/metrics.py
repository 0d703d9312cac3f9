"""CloudWatch series for every resource's metric queries, fetched with batched GetMetricData.

Why GetMetricData: it answers up to 500 queries per call, so one call covers hundreds of
endpoints where GetMetricStatistics would need one call per metric (aws-facts.md). The period is
chosen so that no call needs paging (a call returns at most 100,800 datapoints), which makes the
number of calls predictable: ceil(queries / 500) per (account, region). NextToken is still
followed if CloudWatch sends one.

Failures are confined and recorded, never fatal: a call that fails marks every query of its batch
as failed, a query CloudWatch answers with InternalError or Forbidden is marked failed alone, and
queries for an account that could not be entered are marked failed without a call. A failed
series is "unknown", which evaluate never reads as "no traffic".

The pure helpers (period choice, window alignment, batching) are separate from the boto3 call
so that they are tested without AWS; reading an answer into series is metric_answers.py's.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

import structlog
from botocore.exceptions import BotoCoreError, ClientError

from watchdog.aws.clients import REGION_CONCURRENCY
from watchdog.aws.errors import describe_error
from watchdog.aws.scope import Shard
from watchdog.kinds import BY_KIND
from watchdog.records import ResourceRecord
from watchdog.signals.metric_answers import as_utc, failed_series, query_id, series_from_pages
from watchdog.signals.models import (
    MetricQuery,
    MetricSeries,
    MetricSignals,
    MetricWindow,
)

log = structlog.get_logger(__name__)

T = TypeVar("T")
QueriesFor = Callable[[ResourceRecord], tuple[MetricQuery, ...]]
Place = tuple[str, str]  # (account id, region)

MAX_QUERIES_PER_CALL = 500  # GetMetricData's MetricDataQueries limit
MAX_DATAPOINTS_PER_CALL = 100_800  # GetMetricData's limit on datapoints returned per call
PERIOD_STEP_SECONDS = 3600  # hourly data is kept 455 days; any multiple of it is valid at any age
# Paging is not expected (the period rules it out); a bound keeps a misbehaving answer from
# looping forever.
MAX_PAGES_PER_BATCH = 20


class MetricDataClient(Protocol):
    """The one CloudWatch operation this module uses (a boto3 client, or a test's fake)."""

    def get_metric_data(self, **params: Any) -> Mapping[str, Any]: ...


def default_queries(record: ResourceRecord) -> tuple[MetricQuery, ...]:
    """The queries the record's kind declares (kinds own their CloudWatch knowledge)."""
    return BY_KIND[record.kind].metric_queries(record)


# --- pure helpers --------------------------------------------------------------------------


def choose_period(lookback: timedelta, queries_per_call: int = MAX_QUERIES_PER_CALL) -> int:
    """The smallest multiple of an hour at which a full call fits in one page.

    A full call returns `queries_per_call` series of ceil(lookback / period) + 1 points each
    (the window's ends are rounded outwards, so it spans one period more), and CloudWatch
    pages beyond 100,800 datapoints: 7 days -> 3600 s, 14 days -> 7200 s.
    """
    seconds = _positive_seconds(lookback)
    multiple = 1
    while queries_per_call * (math.ceil(seconds / (PERIOD_STEP_SECONDS * multiple)) + 1) > (
        MAX_DATAPOINTS_PER_CALL
    ):
        multiple += 1
    return PERIOD_STEP_SECONDS * multiple


def metric_window(end: datetime, lookback: timedelta) -> MetricWindow:
    """The fetched window: from `end - lookback` floored to the period to `end` rounded up.

    Aligned bounds make every datapoint cover a whole period (CloudWatch aggregates from
    StartTime). The end is rounded up, never down: rounded down, the traffic of up to one
    period before `end` (59 minutes at 7 days, hours at longer windows) was never read, and an
    endpoint used an hour ago read idle (aws-facts.md, "Window ends"). An EndTime after now is
    what CloudWatch answers to the latest datapoint for. The start rounded down keeps the
    window at least `lookback` long, which evaluate checks before trusting an absence of
    traffic.
    """
    period = choose_period(lookback)
    now = int(as_utc(end).timestamp())
    first = now - math.ceil(_positive_seconds(lookback))
    start = datetime.fromtimestamp(first - first % period, UTC)
    return MetricWindow(
        start=start, end=datetime.fromtimestamp(now + -now % period, UTC), period_seconds=period
    )


def batches(items: Sequence[T], size: int = MAX_QUERIES_PER_CALL) -> list[Sequence[T]]:
    """`items` in consecutive slices of at most `size`, in order."""
    if size < 1:
        raise ValueError("batch size must be at least 1")
    return [items[start : start + size] for start in range(0, len(items), size)]


def metric_data_queries(batch: Sequence[MetricQuery], period: int) -> list[dict[str, Any]]:
    """The MetricDataQueries of one call. Dimensions keep the order the kind gave (moto, like
    CloudWatch's exact-match semantics, needs the exact set in the emitted order)."""
    return [
        {
            "Id": query_id(position),
            "MetricStat": {
                "Metric": {
                    "Namespace": query.namespace,
                    "MetricName": query.metric,
                    "Dimensions": [
                        {"Name": name, "Value": value} for name, value in query.dimensions
                    ],
                },
                "Period": period,
                "Stat": query.stat,
            },
            "ReturnData": True,
        }
        for position, query in enumerate(batch)
    ]


def request_params(
    batch: Sequence[MetricQuery], window: MetricWindow, next_token: str | None = None
) -> dict[str, Any]:
    """The keyword arguments of one GetMetricData call (a page of it, with `next_token`)."""
    params: dict[str, Any] = {
        "MetricDataQueries": metric_data_queries(batch, window.period_seconds),
        "StartTime": window.start,
        "EndTime": window.end,
        "ScanBy": "TimestampAscending",
    }
    if next_token:
        params["NextToken"] = next_token
    return params


def _positive_seconds(lookback: timedelta) -> float:
    seconds = lookback.total_seconds()
    if seconds <= 0:
        raise ValueError(f"lookback must be positive, not {lookback}")
    return seconds


# --- the calls -----------------------------------------------------------------------------


@dataclass
class BatchOutcome:
    series: list[MetricSeries]
    calls: int  # GetMetricData calls made, pages included, failed ones too


def fetch_batch(
    client: MetricDataClient,
    batch: Sequence[MetricQuery],
    window: MetricWindow,
    logger: Any = log,
    max_pages: int = MAX_PAGES_PER_BATCH,
) -> BatchOutcome:
    """One batch's GetMetricData call, following NextToken. A failed call fails the batch."""
    pages: list[Mapping[str, Any]] = []
    token: str | None = None
    calls = 0
    try:
        while calls < max_pages:
            calls += 1  # counted when sent, as botocore's counter does, even if it fails
            pages.append(client.get_metric_data(**request_params(batch, window, token)))
            token = pages[-1].get("NextToken")
            if not token:
                series = series_from_pages(batch, pages)
                _log_failed_queries(logger, series)
                return BatchOutcome(series, calls)
        message = f"GetMetricData was still paging after {max_pages} pages"
        logger.warning("metric batch failed", queries=len(batch), error=message)
    except Exception as error:  # one batch failing must not stop the others
        message = describe_error(error)
        logger.warning(
            "metric batch failed", queries=len(batch), error=message, exc_info=not _is_aws(error)
        )
    return BatchOutcome(failed_series(batch, message), calls)


def _is_aws(error: Exception) -> bool:
    """An AWS failure (logged as a line); anything else is a bug (logged with its traceback)."""
    return isinstance(error, BotoCoreError | ClientError)


def _log_failed_queries(logger: Any, series: Sequence[MetricSeries]) -> None:
    failed = [s for s in series if s.error]
    if failed:
        logger.warning("metric queries failed", count=len(failed), first_error=failed[0].error)


def collect_shard(
    shard: Shard,
    queries: Sequence[MetricQuery],
    window: MetricWindow,
    concurrency: int = REGION_CONCURRENCY,
) -> BatchOutcome:
    """Every query of one (account, region), 500 per call, `concurrency` calls at a time."""
    logger = log.bind(account=shard.account_id, region=shard.region)
    try:
        client: MetricDataClient = shard.clients.client("cloudwatch", shard.region)
    except Exception as error:  # this shard's queries fail; the other shards go on
        message = describe_error(error)
        logger.warning("no CloudWatch client", error=message, exc_info=not _is_aws(error))
        return BatchOutcome(failed_series(queries, message), 0)
    series: list[MetricSeries] = []
    calls = 0
    chunks = list(batches(queries))
    # The batches of one region overlap, as many at once as the region's bound allows:
    # GetMetricData's wire time is most of a large region's signal time.
    workers = max(1, min(concurrency, len(chunks)))
    with ThreadPoolExecutor(workers, thread_name_prefix=f"metrics-{shard.region}") as pool:
        for outcome in pool.map(lambda batch: fetch_batch(client, batch, window, logger), chunks):
            series += outcome.series
            calls += outcome.calls
    return BatchOutcome(series, calls)


def collect_metrics(
    shards: Sequence[Shard],
    records: Sequence[ResourceRecord],
    *,
    end: datetime,
    lookback: timedelta,
    max_workers: int = 8,
    queries_for: QueriesFor | None = None,
    region_concurrency: int = REGION_CONCURRENCY,
) -> MetricSignals:
    """Fetch every record's metric queries over `lookback` before `end`.

    Queries go to the shard of their record's (account, region); shards run concurrently,
    at most `max_workers` at a time. Series come back by lower-cased ARN, in query order.
    """
    window = metric_window(end, lookback)
    planned = _plan(records, queries_for or default_queries)
    places = _positions_by_place(planned)
    by_place = {(shard.account_id, shard.region): shard for shard in shards}
    results: dict[int, MetricSeries] = {}
    calls = 0
    with ThreadPoolExecutor(max_workers=max(1, max_workers)) as pool:
        running: list[tuple[list[int], Future[BatchOutcome]]] = []
        for place, positions in places.items():
            queries = [planned[i][1] for i in positions]
            shard = by_place.get(place)
            if shard is None:
                results.update(zip(positions, _unreachable(place, queries), strict=True))
                continue
            call = pool.submit(collect_shard, shard, queries, window, region_concurrency)
            running.append((positions, call))
        for positions, future in running:
            outcome = future.result()
            results.update(zip(positions, outcome.series, strict=True))
            calls += outcome.calls
    ordered = [results[i] for i in range(len(planned))]
    return MetricSignals(
        window=window,
        series=_by_arn(ordered),
        get_metric_data_calls=calls,
        queries=len(planned),
    )


def _plan(
    records: Sequence[ResourceRecord], queries_for: QueriesFor
) -> list[tuple[Place, MetricQuery]]:
    return [((r.account, r.region), q) for r in records for q in queries_for(r)]


def _positions_by_place(planned: Sequence[tuple[Place, MetricQuery]]) -> dict[Place, list[int]]:
    places: dict[Place, list[int]] = defaultdict(list)
    for position, (place, _) in enumerate(planned):
        places[place].append(position)
    return places


def _unreachable(place: Place, queries: Sequence[MetricQuery]) -> list[MetricSeries]:
    """No shard for the place: its account could not be entered (or the region not scanned)."""
    account, region = place
    message = f"account {account} in {region} could not be entered, so nothing was fetched"
    log.warning("metrics skipped", account=account, region=region, queries=len(queries))
    return failed_series(queries, message)


def _by_arn(series: Sequence[MetricSeries]) -> dict[str, tuple[MetricSeries, ...]]:
    grouped: dict[str, list[MetricSeries]] = defaultdict(list)
    for item in series:
        grouped[item.query.resource_arn.lower()].append(item)
    return {arn: tuple(items) for arn, items in grouped.items()}
