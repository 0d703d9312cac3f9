"""The sandbox's GetCostForecast and GetCostAndUsageWithResources, and the demo's cost seed."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import boto3
import pytest
import requests  # moto's own dependency; the in-process mock intercepts it
import time_machine
from botocore.config import Config
from botocore.exceptions import ClientError
from moto import mock_aws
from watchdog_sandbox import cost_explorer, install
from watchdog_sandbox.seed_costs import seed_costs
from watchdog_sandbox.server import running_server, sandbox_session

# The sandbox validates dates against the clock's UTC date. A date read at import can be the day
# (or month) before the one the sandbox sees when the test runs, so the clock stands still at noon
# of a fixed day for every test here.
TODAY = date(2026, 6, 15)
NEXT_MONTH = (TODAY.replace(day=1) + timedelta(days=32)).replace(day=1)
SAGEMAKER_ONLY = {"Dimensions": {"Key": "SERVICE", "Values": ["Amazon SageMaker"]}}
FORECAST = {"Total": {"Amount": "1234.50", "Unit": "USD"}, "ForecastResultsByTime": []}


@pytest.fixture(autouse=True)
def clock_on_today() -> Iterator[None]:
    with time_machine.travel(datetime.combine(TODAY, time(12), tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def ce() -> Iterator[Any]:
    cost_explorer.install()
    with mock_aws():
        yield boto3.client("ce", region_name="us-east-1")


def forecast(ce: Any, **overrides: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "TimePeriod": {"Start": TODAY.isoformat(), "End": NEXT_MONTH.isoformat()},
        "Metric": "UNBLENDED_COST",
        "Granularity": "MONTHLY",
        **overrides,
    }
    response: dict[str, Any] = ce.get_cost_forecast(**params)
    return response


def with_resources(ce: Any, start_days_ago: int = 14, **overrides: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "TimePeriod": {
            "Start": (TODAY - timedelta(days=start_days_ago)).isoformat(),
            "End": TODAY.isoformat(),
        },
        "Granularity": "DAILY",
        "Filter": SAGEMAKER_ONLY,
        "GroupBy": [{"Type": "DIMENSION", "Key": "RESOURCE_ID"}],
        **overrides,
    }
    response: dict[str, Any] = ce.get_cost_and_usage_with_resources(**params)
    return response


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


# --- GetCostForecast ------------------------------------------------------------------------


def test_forecast_without_history_is_data_unavailable(ce: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        forecast(ce)
    assert error_of(excinfo) == (
        "DataUnavailableException",
        "Insufficient amount of historical data to generate forecast.",
    )


def test_a_queued_forecast_answers_one_request_shape_and_keeps_answering_it(ce: Any) -> None:
    cost_explorer.queue_cost_forecast(FORECAST)
    assert forecast(ce)["Total"] == {"Amount": "1234.50", "Unit": "USD"}
    assert forecast(ce)["Total"]["Amount"] == "1234.50"  # same request, same answer
    with pytest.raises(ClientError):  # another request takes the next answer: there is none
        forecast(ce, Granularity="DAILY")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"Granularity": "HOURLY"}, "Granularity HOURLY is not supported: use DAILY or MONTHLY"),
        ({"Metric": "USAGE_QUANTITY"}, "Metric USAGE_QUANTITY is not valid for a cost forecast"),
        (
            {"TimePeriod": {"Start": NEXT_MONTH.isoformat(), "End": TODAY.isoformat()}},
            f"Requested Start: {NEXT_MONTH} must be before requested End: {TODAY}",
        ),
        (
            {"TimePeriod": {"Start": TODAY.isoformat(), "End": TODAY.isoformat()}},
            f"Requested Start: {TODAY} must be before requested End: {TODAY}",
        ),
        (
            {
                "TimePeriod": {
                    "Start": (TODAY - timedelta(days=1)).isoformat(),
                    "End": NEXT_MONTH.isoformat(),
                }
            },
            f"Start date {TODAY - timedelta(days=1)} must be equal to or later than {TODAY}",
        ),
        (
            {
                "Granularity": "DAILY",
                "TimePeriod": {
                    "Start": TODAY.isoformat(),
                    "End": (TODAY + timedelta(days=120)).isoformat(),
                },
            },
            f"End date {TODAY + timedelta(days=120)} is too far ahead for a DAILY forecast",
        ),
    ],
    ids=["hourly", "usage-metric", "start-after-end", "start-equals-end", "past", "daily-horizon"],
)
def test_forecast_requests_are_validated(ce: Any, overrides: dict[str, Any], message: str) -> None:
    cost_explorer.queue_cost_forecast(FORECAST)
    with pytest.raises(ClientError) as excinfo:
        forecast(ce, **overrides)
    assert error_of(excinfo) == ("ValidationException", message)


# --- GetCostAndUsageWithResources -----------------------------------------------------------


def test_with_resources_answers_empty_until_something_is_queued(ce: Any) -> None:
    assert with_resources(ce)["ResultsByTime"] == []


def test_with_resources_requires_a_filter(ce: Any) -> None:
    # botocore refuses a request without Filter before sending it; the emulator refuses it too.
    unchecked = boto3.client(
        "ce", region_name="us-east-1", config=Config(parameter_validation=False)
    )
    with pytest.raises(ClientError) as excinfo:
        unchecked.get_cost_and_usage_with_resources(
            TimePeriod={"Start": TODAY.isoformat(), "End": NEXT_MONTH.isoformat()},
            Granularity="DAILY",
        )
    assert error_of(excinfo) == (
        "ValidationException",
        "Filter is required for GetCostAndUsageWithResources",
    )


def test_with_resources_reaches_back_14_days_at_most(ce: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        with_resources(ce, start_days_ago=15)
    code, message = error_of(excinfo)
    assert code == "ValidationException" and "covers the last 14 days" in message


def test_with_resources_is_daily_except_for_ec2_instances(ce: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        with_resources(ce, start_days_ago=1, Granularity="HOURLY")
    assert error_of(excinfo)[1] == (
        "Hourly granularity is only available for EC2-Instances resource-level data"
    )
    ec2 = {"Dimensions": {"Key": "SERVICE", "Values": [cost_explorer.EC2_INSTANCES]}}
    assert with_resources(ce, start_days_ago=1, Granularity="HOURLY", Filter=ec2)


def test_answers_can_be_queued_over_the_in_process_moto_api(ce: Any) -> None:
    answer = {"ResultsByTime": [{"TimePeriod": {}, "Total": {}, "Groups": [], "Estimated": True}]}
    response = requests.post(
        "http://motoapi.amazonaws.com/moto-api/static/ce/cost-and-usage-with-resources-results",
        json={"results": [answer]},
        timeout=10,
    )
    assert response.status_code == 201
    assert len(with_resources(ce)["ResultsByTime"]) == 1


def test_install_is_idempotent(ce: Any) -> None:
    install()
    install()
    cost_explorer.queue_cost_forecast(FORECAST)
    assert forecast(ce)["Total"]["Amount"] == "1234.50"


# --- the demo seed --------------------------------------------------------------------------


def test_seeded_costs_are_served_by_a_sandbox_server_over_http() -> None:
    with running_server() as url:
        seeded = seed_costs(sandbox_session(), endpoint_url=url)
        ce = sandbox_session().client("ce", endpoint_url=url)
        total = float(forecast(ce)["Total"]["Amount"])
        groups = ce.get_cost_and_usage(
            TimePeriod={"Start": TODAY.replace(day=1).isoformat(), "End": NEXT_MONTH.isoformat()},
            Granularity="MONTHLY",
            Metrics=["UnblendedCost"],
        )["ResultsByTime"][0]["Groups"]
        resources = with_resources(ce)["ResultsByTime"]

    assert seeded.forecast["genai"] > 5000
    assert all(usd < 5000 for team, usd in seeded.forecast.items() if team != "genai")
    assert total > 0 and {tuple(g["Keys"])[1] for g in groups} >= {"team$genai", "team$"}
    assert len(resources) == 14


def test_a_forecast_can_be_queued_over_a_servers_moto_api() -> None:
    install()
    with running_server() as url:
        body = json.dumps({"results": [FORECAST]}).encode()
        request = urllib.request.Request(
            f"{url}/moto-api/static/ce/cost-forecast-results", data=body, method="POST"
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 201
        ce = sandbox_session().client("ce", endpoint_url=url)
        assert forecast(ce)["Total"]["Amount"] == "1234.50"
