"""The pure parts of metric collection: period, window, batching, ids, result parsing."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from watchdog.signals.metric_answers import position_of, query_id, series_from_pages
from watchdog.signals.metrics import (
    MAX_DATAPOINTS_PER_CALL,
    MAX_QUERIES_PER_CALL,
    batches,
    choose_period,
    metric_window,
    request_params,
)
from watchdog.signals.models import MetricQuery

T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
ARN = "arn:aws:sagemaker:us-east-1:111122223333:endpoint/llm"


def invocations(variant: str = "AllTraffic") -> MetricQuery:
    return MetricQuery(
        resource_arn=ARN,
        role="traffic",
        namespace="AWS/SageMaker",
        metric="Invocations",
        stat="Sum",
        dimensions=(("EndpointName", "llm"), ("VariantName", variant)),
        part=variant,
    )


def result(
    position: int, status: str = "Complete", hours: tuple[int, ...] = (), **extra: Any
) -> dict[str, Any]:
    """One MetricDataResults entry as boto3 returns it."""
    return {
        "Id": query_id(position),
        "Label": "Invocations",
        "Timestamps": [T0 + timedelta(hours=h) for h in hours],
        "Values": [float(h) for h in hours],
        "StatusCode": status,
        **extra,
    }


# --- period and window ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lookback", "period"),
    [
        (timedelta(hours=1), 3600),
        (timedelta(days=7), 3600),
        # The window's ends are rounded outwards: one point more than the lookback's hours.
        (timedelta(hours=200), 3600),  # 500 x 201 = 100,500 datapoints: fits
        (timedelta(hours=201), 7200),  # 500 x 202 = 101,000: does not
        (timedelta(days=14), 7200),
        (timedelta(days=63), 8 * 3600),
    ],
)
def test_period_is_the_smallest_hour_multiple_that_needs_no_paging(
    lookback: timedelta, period: int
) -> None:
    assert choose_period(lookback) == period


def test_period_bound_holds_for_every_lookback_up_to_63_days() -> None:
    for hours in range(1, 63 * 24 + 1):
        lookback = timedelta(hours=hours, minutes=30)
        period = choose_period(lookback)
        seconds = lookback.total_seconds()
        assert period % 3600 == 0
        points = math.ceil(seconds / period) + 1
        assert MAX_QUERIES_PER_CALL * points <= MAX_DATAPOINTS_PER_CALL
        smaller = period - 3600
        assert smaller == 0 or (
            MAX_QUERIES_PER_CALL * (math.ceil(seconds / smaller) + 1) > MAX_DATAPOINTS_PER_CALL
        )


def test_non_positive_lookback_is_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        choose_period(timedelta(0))


def test_window_is_aligned_to_the_period_and_at_least_the_lookback() -> None:
    window = metric_window(datetime(2026, 11, 24, 12, 34, 56, tzinfo=UTC), timedelta(days=7))
    assert window.period_seconds == 3600
    assert window.end == T0 + timedelta(hours=1)
    assert window.start == T0 - timedelta(days=7)

    # An odd lookback still starts on a whole period, never later than asked.
    odd = metric_window(T0, timedelta(days=7, minutes=30))
    assert odd.end == T0
    assert odd.start == T0 - timedelta(days=7, hours=1)


@pytest.mark.parametrize(
    ("lookback", "period"), [(timedelta(days=7), 3600), (timedelta(days=30), 4 * 3600)]
)
def test_the_newest_traffic_is_inside_the_window(lookback: timedelta, period: int) -> None:
    """Rounded down, the end left out up to a period of the newest traffic: an endpoint used
    minutes ago read idle."""
    now = datetime(2026, 11, 24, 12, 59, 30, tzinfo=UTC)
    window = metric_window(now, lookback)
    assert window.period_seconds == period
    assert window.end >= now and window.end - now < timedelta(seconds=period)
    assert window.start <= now - lookback
    assert int(window.start.timestamp()) % period == int(window.end.timestamp()) % period == 0


def test_window_with_two_hour_periods_ends_on_an_even_hour() -> None:
    window = metric_window(datetime(2026, 11, 24, 13, 5, tzinfo=UTC), timedelta(days=14))
    assert window.period_seconds == 7200
    assert window.end == T0 + timedelta(hours=2)
    assert window.start == T0 - timedelta(days=14)


def test_naive_end_is_read_as_utc() -> None:
    window = metric_window(datetime(2026, 11, 24, 12, 30), timedelta(days=7))
    assert window.end == T0 + timedelta(hours=1) and window.end.tzinfo is not None


# --- batching and ids ----------------------------------------------------------------------


def test_batches_of_500() -> None:
    sizes = [len(batch) for batch in batches(list(range(1499)))]
    assert sizes == [500, 500, 499]
    assert batches([]) == []
    assert [list(b) for b in batches([1, 2, 3], size=2)] == [[1, 2], [3]]


def test_query_ids_are_valid_unique_and_map_back() -> None:
    ids = [query_id(i) for i in range(MAX_QUERIES_PER_CALL)]
    assert ids[0] == "q0" and ids[-1] == "q499"
    assert len(set(ids)) == len(ids)
    for position, identifier in enumerate(ids):
        assert identifier[0].islower() and identifier[1:].isalnum()
        assert position_of(identifier) == position


@pytest.mark.parametrize("identifier", ["", "q", "m1", "q01", "qx", "q-1", "Q1"])
def test_foreign_ids_map_to_nothing(identifier: str) -> None:
    assert position_of(identifier) is None


def test_request_shape() -> None:
    window = metric_window(T0, timedelta(days=7))
    params = request_params([invocations("a"), invocations("b")], window)
    assert params["StartTime"] == window.start and params["EndTime"] == window.end
    assert params["ScanBy"] == "TimestampAscending"
    assert "NextToken" not in params
    first = params["MetricDataQueries"][0]
    assert first["Id"] == "q0" and first["ReturnData"] is True
    assert first["MetricStat"] == {
        "Metric": {
            "Namespace": "AWS/SageMaker",
            "MetricName": "Invocations",
            # In the order the kind gave them: moto only matches the order they were put in.
            "Dimensions": [
                {"Name": "EndpointName", "Value": "llm"},
                {"Name": "VariantName", "Value": "a"},
            ],
        },
        "Period": 3600,
        "Stat": "Sum",
    }
    assert params["MetricDataQueries"][1]["Id"] == "q1"
    assert request_params([invocations()], window, "tok")["NextToken"] == "tok"


# --- result parsing ------------------------------------------------------------------------


def test_complete_results_become_points_in_time_order() -> None:
    batch = [invocations("a"), invocations("b")]
    # Results may come in any order; ids put them back.
    page = {"MetricDataResults": [result(1, hours=(3, 1, 2)), result(0, hours=())]}
    series = series_from_pages(batch, [page])
    assert [s.query for s in series] == batch
    assert series[0].points == () and series[0].error is None  # no datapoints: not an error
    assert [p.value for p in series[1].points] == [1.0, 2.0, 3.0]
    assert series[1].points[0].at == T0 + timedelta(hours=1)


@pytest.mark.parametrize("status", ["InternalError", "Forbidden"])
def test_failed_statuses_set_the_error_with_the_message(status: str) -> None:
    messages = [{"Code": "Err", "Value": "metric store unavailable"}]
    page = {"MetricDataResults": [result(0, status, Messages=messages), result(1, hours=(1,))]}
    failed, fine = series_from_pages([invocations("a"), invocations("b")], [page])
    assert failed.error == f"CloudWatch answered {status}: metric store unavailable"
    assert failed.points == ()
    assert fine.error is None and len(fine.points) == 1


def test_partial_data_is_joined_across_pages() -> None:
    pages: list[dict[str, Any]] = [
        {"MetricDataResults": [result(0, "PartialData", hours=(1, 2))], "NextToken": "t"},
        {"MetricDataResults": [result(0, hours=(3,))]},
    ]
    (series,) = series_from_pages([invocations()], pages)
    assert series.error is None
    assert [p.value for p in series.points] == [1.0, 2.0, 3.0]


def test_an_error_on_any_page_sticks() -> None:
    pages: list[dict[str, Any]] = [
        {"MetricDataResults": [result(0, "InternalError")], "NextToken": "t"},
        {"MetricDataResults": [result(0, hours=(3,))]},
    ]
    (series,) = series_from_pages([invocations()], pages)
    assert series.error is not None and "InternalError: no message" in series.error


@pytest.mark.parametrize(
    ("page", "error"),
    [
        ({"MetricDataResults": []}, "no result"),
        ({"MetricDataResults": [result(0, "PartialData", hours=(1,))]}, "partial data"),
        ({"MetricDataResults": [result(0, "Weird")]}, "unknown status Weird"),
        (
            {"MetricDataResults": [{**result(0, hours=(1, 2)), "Values": [1.0]}]},
            "2 timestamps for 1 values",
        ),
    ],
)
def test_answers_that_could_hide_traffic_are_errors(page: dict[str, Any], error: str) -> None:
    (series,) = series_from_pages([invocations()], [page])
    assert series.error is not None and error in series.error


def test_results_for_ids_outside_the_batch_are_ignored() -> None:
    page = {"MetricDataResults": [result(0, hours=(1,)), result(7, hours=(2,)), {"Id": "x"}]}
    (series,) = series_from_pages([invocations()], [page])
    assert [p.value for p in series.points] == [1.0]
