"""Cost Explorer answers for the demo organisation, consistent with what the seed creates.

Cost Explorer has no data in the emulator; this queues answers for the three requests the
watchdog makes (see watchdog.signals.costs): GetCostAndUsage grouped by SERVICE and tag `team`,
GetCostForecast, and GetCostAndUsageWithResources. SageMaker figures follow from the seed plan:
each billed endpoint variant and running notebook costs 24 h x its sandbox catalog price a day,
per owning team (`team` tag; "" for untagged). Bedrock figures are made-up on-demand token spend
(the demo's provisioned throughputs are not priced: no citable price, see
watchdog.kinds._bedrock_prices).
With the seeded plan, genai's month forecast is well over 5,000 USD; the other teams' are under.

Answers are queued `days` times: the emulator hands each new request (a new day means new
dates, so a new request) the next queued answer, as moto does for GetCostAndUsage.
"""

from __future__ import annotations

import json
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3

from watchdog_sandbox import cost_explorer, pricing
from watchdog_sandbox.seed_clients import AwsClients
from watchdog_sandbox.seed_plan import AccountPlan, management_plan, member_plan

SAGEMAKER, BEDROCK = "Amazon SageMaker", "Amazon Bedrock"
TAG_KEY = "team"
METRIC = "UnblendedCost"
# Made up: on-demand Bedrock token spend per team and day (USD).
BEDROCK_DAILY_USD = {"genai": 45.0, "nlp": 12.0, "risk": 20.0, "legal-ai": 8.0}
RESOURCE_DAYS = 14


@dataclass(frozen=True)
class CostSeed:
    """What was queued, for people and tests: USD by team ("" = untagged)."""

    month_start: date
    month_to_date: dict[str, float]
    forecast: dict[str, float]


@dataclass(frozen=True)
class _Billed:
    team: str
    arn_resource: str | None  # "endpoint/<name>" for endpoints (per-resource costs)
    region: str
    account: str  # "management" or "member"
    usd_per_day: float


def seed_costs(
    session: boto3.Session,
    *,
    endpoint_url: str | None = None,
    now: datetime | None = None,
    member_account_id: str | None = None,
    days: int = RESOURCE_DAYS,
) -> CostSeed:
    """Queue the demo's Cost Explorer answers in the session's (payer) account.

    With `endpoint_url`, through the server's moto-api routes; without, in this process (for
    `mock_aws`). The sandbox additions must be installed.
    """
    now = now or datetime.now(UTC)
    accounts = {"management": AwsClients(session, endpoint_url).account_id()}
    if member_account_id:
        accounts["member"] = member_account_id
    billed = list(_billed(now))
    today = now.astimezone(UTC).date()
    answers = _Answers.build(billed, accounts, today)
    queue = _http_queue(endpoint_url) if endpoint_url else _local_queue
    payer = accounts["management"]
    for _ in range(days):
        queue("cost-and-usage-results", answers.cost_and_usage, payer)
        queue("cost-forecast-results", answers.forecast, payer)
        queue("cost-and-usage-with-resources-results", answers.with_resources, payer)
    return answers.summary


# --- what the demo bills ----------------------------------------------------------------------


def _billed(now: datetime) -> Iterator[_Billed]:
    prices = _catalog_prices()
    plans: dict[str, AccountPlan] = {"management": management_plan(now), "member": member_plan(now)}
    for account, plan in plans.items():
        for region, spec in plan.regions.items():
            for endpoint in spec.endpoints:
                usd = sum(
                    24 * prices.get(("Hosting", v.instance_type or "", region), 0.0) * v.count
                    for v in endpoint.billed_variants()
                )
                team = endpoint.tags.get(TAG_KEY, "")
                yield _Billed(team, f"endpoint/{endpoint.name}", region, account, usd)
            for notebook in spec.notebooks:
                if notebook.status == "InService":
                    usd = 24 * prices.get(("Notebook", notebook.instance_type, region), 0.0)
                    yield _Billed(notebook.tags.get(TAG_KEY, ""), None, region, account, usd)


def _catalog_prices() -> dict[tuple[str, str, str], float]:
    """(use, instance, region) -> USD per hour, from the sandbox's price catalog."""
    prices = {}
    for product in pricing.catalog():
        if product["product"]["productFamily"] != "ML Instance":
            continue  # serverless is billed per second and per use, not seeded as spend
        attributes = product["product"]["attributes"]
        (term,) = product["terms"]["OnDemand"].values()
        (dimension,) = term["priceDimensions"].values()
        use = attributes["platoinstancetype"]  # "Hosting", "Notebook", "Studio-JupyterLab"...
        key = (use, attributes["instanceName"], attributes["regionCode"])
        prices[key] = float(dimension["pricePerUnit"]["USD"])
    return prices


# --- the answers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Answers:
    cost_and_usage: dict[str, Any]
    forecast: dict[str, Any]
    with_resources: dict[str, Any]
    summary: CostSeed

    @classmethod
    def build(cls, billed: list[_Billed], accounts: dict[str, str], today: date) -> _Answers:
        daily = _daily_by_team_and_service(billed)
        month_start = today.replace(day=1)
        next_month = (month_start + timedelta(days=32)).replace(day=1)
        # Complete days so far (the 1st: the 1st itself), as the watchdog asks for them.
        end = today if today > month_start else today + timedelta(days=1)
        elapsed, remaining = (end - month_start).days, (next_month - today).days
        groups = [
            _group([service, f"{TAG_KEY}${team}"], usd * elapsed)
            for (team, service), usd in sorted(daily.items())
        ]
        per_day = sum(daily.values())
        forecast_total = per_day * remaining
        month_days = (next_month - month_start).days
        summary = CostSeed(
            month_start=month_start,
            month_to_date=_by_team(daily, elapsed),
            forecast=_by_team(daily, month_days),
        )
        return cls(
            cost_and_usage={
                "GroupDefinitions": [
                    {"Type": "DIMENSION", "Key": "SERVICE"},
                    {"Type": "TAG", "Key": TAG_KEY},
                ],
                "ResultsByTime": [_period(month_start, end, groups)],
                "DimensionValueAttributes": [],
            },
            forecast={
                "Total": _usd(forecast_total),
                "ForecastResultsByTime": [
                    {
                        "TimePeriod": {"Start": today.isoformat(), "End": next_month.isoformat()},
                        "MeanValue": f"{forecast_total:.2f}",
                    }
                ],
            },
            with_resources=_with_resources(billed, accounts, today),
            summary=summary,
        )


def _daily_by_team_and_service(billed: list[_Billed]) -> dict[tuple[str, str], float]:
    daily: dict[tuple[str, str], float] = defaultdict(float)
    for item in billed:
        daily[(item.team, SAGEMAKER)] += item.usd_per_day
    for team, usd in BEDROCK_DAILY_USD.items():
        daily[(team, BEDROCK)] += usd
    return dict(daily)


def _by_team(daily: dict[tuple[str, str], float], days: int) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for (team, _), usd in daily.items():
        totals[team] += round(usd * days, 2)
    return dict(totals)


def _with_resources(billed: list[_Billed], accounts: dict[str, str], today: date) -> dict[str, Any]:
    arns = {
        f"arn:aws:sagemaker:{item.region}:{accounts[item.account]}:{item.arn_resource}": item
        for item in billed
        if item.arn_resource and item.account in accounts and item.usd_per_day > 0
    }
    start = today - timedelta(days=RESOURCE_DAYS)
    periods = [
        _period(
            day,
            day + timedelta(days=1),
            [_group([arn], item.usd_per_day) for arn, item in sorted(arns.items())],
        )
        for day in (start + timedelta(days=n) for n in range(RESOURCE_DAYS))
    ]
    return {
        "GroupDefinitions": [{"Type": "DIMENSION", "Key": "RESOURCE_ID"}],
        "ResultsByTime": periods,
        "DimensionValueAttributes": [],
    }


def _period(start: date, end: date, groups: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()},
        "Total": {},
        "Groups": groups,
        "Estimated": True,
    }


def _group(keys: list[str], usd: float) -> dict[str, Any]:
    return {"Keys": keys, "Metrics": {METRIC: _usd(usd)}}


def _usd(amount: float) -> dict[str, str]:
    return {"Amount": f"{amount:.2f}", "Unit": "USD"}


# --- delivery ---------------------------------------------------------------------------------


def _local_queue(route: str, result: dict[str, Any], account_id: str) -> None:
    queues = {
        "cost-and-usage-results": cost_explorer.queue_cost_and_usage,
        "cost-forecast-results": cost_explorer.queue_cost_forecast,
        "cost-and-usage-with-resources-results": cost_explorer.queue_cost_and_usage_with_resources,
    }
    queues[route](result, account_id)


def _http_queue(endpoint_url: str) -> Any:
    def queue(route: str, result: dict[str, Any], account_id: str) -> None:
        body = json.dumps({"results": [result], "account_id": account_id}).encode()
        request = urllib.request.Request(
            f"{endpoint_url.rstrip('/')}/moto-api/static/ce/{route}",
            data=body,
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            if response.status != 201:
                raise RuntimeError(f"moto-api {route} answered {response.status}")

    return queue
