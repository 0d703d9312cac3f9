"""fetch_costs: the month window, parsing and forecasts (its request budget and its failures:
test_costs_budget.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from watchdog.cache import MemoryCache
from watchdog.signals.costs import (
    MonthWindow,
    fetch_costs,
    monthly_by_resource,
    parse_cost_groups,
    refresh_interval,
    requests_per_refresh,
)
from watchdog.signals.models import Spend

NOW = datetime(2026, 3, 11, 6, 0, tzinfo=UTC)  # 10 complete days into a 31-day month
SM, BR = "Amazon SageMaker", "Amazon Bedrock"
ARN = "arn:aws:sagemaker:us-east-1:123456789012:endpoint/LLM-Endpoint"


def usd(amount: float) -> dict[str, Any]:
    return {"UnblendedCost": {"Amount": str(amount), "Unit": "USD"}}


def page(*groups: tuple[list[str], float], token: str | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "ResultsByTime": [
            {
                "TimePeriod": {"Start": "2026-03-01", "End": "2026-03-11"},
                "Total": {},
                "Groups": [{"Keys": keys, "Metrics": usd(amount)} for keys, amount in groups],
                "Estimated": True,
            }
        ]
    }
    if token:
        answer["NextPageToken"] = token
    return answer


TEAM_PAGE = page(([SM, "team$genai"], 300.0), ([BR, "team$genai"], 100.0), ([SM, "team$"], 100.0))


def aws_error(code: str, operation: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": f"{code} says no"}}, operation)


class FakeCostExplorer:
    """Answers per operation: a response, an exception, or a callable taking the params."""

    def __init__(self, **answers: Any) -> None:
        self.answers = {
            "get_cost_and_usage": TEAM_PAGE,
            "get_cost_forecast": {"Total": {"Amount": "1050.0", "Unit": "USD"}},
            "get_cost_and_usage_with_resources": page(),
            **answers,
        }
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, operation: str) -> Any:
        def call(**params: Any) -> dict[str, Any]:
            self.calls.append((operation, params))
            answer = self.answers[operation]
            answer = answer(params) if callable(answer) else answer
            if isinstance(answer, BaseException):
                raise answer
            return dict(answer)

        return call


class FakeClients:
    def __init__(self, ce: FakeCostExplorer) -> None:
        self.ce = ce
        self.asked: list[tuple[str, str]] = []

    def client(self, service: str, region: str) -> FakeCostExplorer:
        self.asked.append((service, region))
        return self.ce


def run(
    ce: FakeCostExplorer,
    cache: MemoryCache | None = None,
    now: datetime = NOW,
    *,
    tag_keys: list[str] | None = None,
    max_requests_per_day: int = 4,
    per_resource: bool = False,
) -> tuple[Any, list[str]]:
    return fetch_costs(
        FakeClients(ce),
        cache if cache is not None else MemoryCache(),
        now,
        tag_keys=["team"] if tag_keys is None else tag_keys,
        max_requests_per_day=max_requests_per_day,
        per_resource=per_resource,
    )


# --- pure parts ----------------------------------------------------------------------------


def test_month_window_mid_month_covers_complete_days() -> None:
    window = MonthWindow.for_day(date(2026, 3, 11))
    assert (window.month_start, window.end, window.next_month) == (
        date(2026, 3, 1),
        date(2026, 3, 11),
        date(2026, 4, 1),
    )
    assert (window.days_covered, window.days_in_month, window.includes_today) == (10, 31, False)


def test_month_window_on_the_first_is_the_first_itself() -> None:
    window = MonthWindow.for_day(date(2026, 3, 1))
    assert (window.month_start, window.end) == (date(2026, 3, 1), date(2026, 3, 2))
    assert window.days_covered == 1 and window.includes_today


@pytest.mark.parametrize(
    ("today", "next_month", "days"),
    [
        (date(2026, 12, 31), date(2027, 1, 1), 31),
        (date(2028, 2, 29), date(2028, 3, 1), 29),
        (date(2026, 2, 28), date(2026, 3, 1), 28),
    ],
)
def test_month_window_ends_of_months(today: date, next_month: date, days: int) -> None:
    window = MonthWindow.for_day(today)
    assert window.next_month == next_month and window.days_in_month == days
    assert window.end == today < window.next_month  # the forecast period is never empty


def test_tag_groups_are_read_without_the_key_prefix_and_untagged_is_empty() -> None:
    rows = parse_cost_groups(TEAM_PAGE, grouped_by_tag=True)
    assert [(r.service, r.tag_value, r.usd) for r in rows] == [
        (SM, "genai", 300.0),
        (BR, "genai", 100.0),
        (SM, "", 100.0),
    ]
    (only,) = parse_cost_groups(page(([SM], 7.5)), grouped_by_tag=False)
    assert (only.service, only.tag_value, only.usd) == (SM, None, 7.5)


def test_monthly_by_resource_averages_the_days_a_resource_cost_something() -> None:
    daily = [(ARN, 0.0), (ARN, 10.0), (ARN, 20.0), ("other", 0.0)]
    assert monthly_by_resource(daily) == {ARN.lower(): 15.0 * 30.4, "other": 0.0}


def test_requests_per_refresh_and_the_refresh_interval() -> None:
    assert requests_per_refresh(["team"], per_resource=False) == 2
    assert requests_per_refresh([], per_resource=False) == 2
    assert requests_per_refresh(["team", "project"], per_resource=True) == 4
    assert refresh_interval(4, 2) == timedelta(hours=12)
    assert refresh_interval(4, 3) == timedelta(hours=24)  # whole refreshes only
    assert refresh_interval(1, 2) is None


# --- a refresh -----------------------------------------------------------------------------


def test_a_refresh_gives_month_to_date_and_forecasts_by_service_and_tag() -> None:
    ce = FakeCostExplorer()
    costs, notes = run(ce)

    assert notes == [] and not costs.from_cache and costs.requests_made == 2
    assert costs.month_start == date(2026, 3, 1) and costs.fetched_at == NOW
    # Month forecast = 500 (complete days) + 1050 (rest of month) = 1550, split by MTD share.
    assert costs.by_service == {
        SM: Spend(month_to_date=400.0, forecast=1240.0),
        BR: Spend(month_to_date=100.0, forecast=310.0),
    }
    assert costs.by_tag == {
        "team": {
            "genai": Spend(month_to_date=400.0, forecast=1240.0),
            "": Spend(month_to_date=100.0, forecast=310.0),
        }
    }
    assert costs.by_resource == {}


def test_the_requests_are_shaped_as_cost_explorer_documents() -> None:
    ce = FakeCostExplorer()
    clients = FakeClients(ce)
    fetch_costs(
        clients,
        MemoryCache(),
        NOW,
        tag_keys=["team"],
        max_requests_per_day=4,
        per_resource=False,
    )
    assert clients.asked == [("ce", "us-east-1")]
    (_, usage), (_, forecast) = ce.calls
    services = {"Dimensions": {"Key": "SERVICE", "Values": [SM, BR]}}
    assert usage == {
        "TimePeriod": {"Start": "2026-03-01", "End": "2026-03-11"},
        "Granularity": "MONTHLY",
        "Metrics": ["UnblendedCost"],
        "Filter": services,
        "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}, {"Type": "TAG", "Key": "team"}],
    }
    assert forecast == {
        "TimePeriod": {"Start": "2026-03-11", "End": "2026-04-01"},
        "Metric": "UNBLENDED_COST",
        "Granularity": "MONTHLY",
        "Filter": services,
    }


def test_without_tag_keys_one_query_groups_by_service_only() -> None:
    ce = FakeCostExplorer(get_cost_and_usage=page(([SM], 40.0)))
    costs, _ = run(ce, tag_keys=[])
    assert ce.calls[0][1]["GroupBy"] == [{"Type": "DIMENSION", "Key": "SERVICE"}]
    assert costs.by_tag == {} and costs.by_service[SM].month_to_date == 40.0
    assert costs.by_service[BR] == Spend(month_to_date=0.0, forecast=0.0)


def test_one_query_per_distinct_tag_key() -> None:
    ce = FakeCostExplorer()
    costs, _ = run(ce, tag_keys=["team", "project", "team"], max_requests_per_day=6)
    tags = [params["GroupBy"][1]["Key"] for op, params in ce.calls if op == "get_cost_and_usage"]
    assert tags == ["team", "project"] and set(costs.by_tag) == {"team", "project"}


def test_on_the_first_the_window_is_today_and_the_forecast_covers_the_whole_month() -> None:
    ce = FakeCostExplorer()
    costs, _ = run(ce, now=datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    usage, forecast = ce.calls[0][1], ce.calls[1][1]
    assert usage["TimePeriod"] == {"Start": "2026-03-01", "End": "2026-03-02"}
    assert forecast["TimePeriod"] == {"Start": "2026-03-01", "End": "2026-04-01"}
    # Today's partial spend is inside the forecast period: not added twice.
    assert costs.by_service[SM] == Spend(month_to_date=400.0, forecast=1050.0 * 400 / 500)


def test_without_a_forecast_every_figure_is_a_linear_projection() -> None:
    no_history = aws_error("DataUnavailableException", "GetCostForecast")
    costs, notes = run(FakeCostExplorer(get_cost_forecast=no_history))
    assert costs.by_service[SM] == Spend(month_to_date=400.0, forecast=400.0 / 10 * 31)
    assert costs.by_tag["team"][""].forecast == pytest.approx(100.0 / 10 * 31)
    assert notes == [
        "Cost Explorer forecast unavailable (DataUnavailableException: DataUnavailableException"
        " says no): forecasts are linear projections of month-to-date spend"
    ]


def test_pages_are_followed_and_each_counts_as_a_request() -> None:
    pages = iter([page(([SM, "team$a"], 1.0), token="t1"), page(([SM, "team$b"], 2.0))])
    ce = FakeCostExplorer(get_cost_and_usage=lambda params: next(pages))
    costs, _ = run(ce)
    assert ce.calls[1][1]["NextPageToken"] == "t1"
    assert costs.requests_made == 3 and set(costs.by_tag["team"]) == {"a", "b"}


def test_per_resource_costs_are_monthly_by_lower_cased_arn() -> None:
    daily = page(([ARN], 24.0))
    ce = FakeCostExplorer(get_cost_and_usage_with_resources=daily)
    costs, _ = run(ce, per_resource=True)
    (_, params) = ce.calls[-1]
    assert params["TimePeriod"] == {"Start": "2026-02-25", "End": "2026-03-11"}
    assert params["Granularity"] == "DAILY"
    assert params["Filter"] == {"Dimensions": {"Key": "SERVICE", "Values": [SM]}}
    assert params["GroupBy"] == [{"Type": "DIMENSION", "Key": "RESOURCE_ID"}]
    assert costs.by_resource == {ARN.lower(): pytest.approx(24.0 * 30.4)}


def test_per_resource_costs_that_fail_leave_the_rest_of_the_refresh_intact() -> None:
    off = aws_error("ValidationException", "GetCostAndUsageWithResources")
    costs, notes = run(FakeCostExplorer(get_cost_and_usage_with_resources=off), per_resource=True)
    assert costs is not None and not costs.from_cache and costs.by_resource == {}
    assert notes == [
        "Cost Explorer per-resource costs unavailable"
        " (ValidationException: ValidationException says no)"
    ]
