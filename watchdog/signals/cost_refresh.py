"""One Cost Explorer refresh: the requests it makes, counted, and how answers become figures.

See `watchdog.signals.costs` for when a refresh happens (the budget and the cache). A refresh
never exceeds the requests its budget allows: `Meter` refuses the request past the share.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import structlog
from botocore.exceptions import BotoCoreError, ClientError

from watchdog.aws.errors import describe_error
from watchdog.signals.models import CostSignals, Spend

log = structlog.get_logger(__name__)

SERVICES = ("Amazon SageMaker", "Amazon Bedrock")  # Cost Explorer SERVICE dimension values
METRIC = "UnblendedCost"
RESOURCE_DAYS = 14  # how far back GetCostAndUsageWithResources reaches
DAYS_PER_MONTH = 30.4
# An answer not shaped as documented is treated like a failed request, not a crash.
_MALFORMED = (KeyError, IndexError, TypeError, ValueError)


@dataclass(frozen=True)
class RefreshQuery:
    tag_keys: tuple[str, ...]
    per_resource: bool
    per_refresh: int
    allowed: int  # requests this refresh may make at most (pages included)


@dataclass(frozen=True)
class MonthWindow:
    """The month-to-date window for the day `today` (see the module docstring)."""

    today: date
    month_start: date
    end: date  # exclusive
    next_month: date

    @classmethod
    def for_day(cls, today: date) -> MonthWindow:
        month_start = today.replace(day=1)
        next_month = (month_start + timedelta(days=32)).replace(day=1)
        end = today if today > month_start else today + timedelta(days=1)
        return cls(today, month_start, end, next_month)

    @property
    def includes_today(self) -> bool:
        return self.end > self.today

    @property
    def days_covered(self) -> int:
        return (self.end - self.month_start).days

    @property
    def days_in_month(self) -> int:
        return calendar.monthrange(self.month_start.year, self.month_start.month)[1]


class RefreshFailed(Exception):
    """Cost Explorer did not answer the month-to-date query: nothing fresh this run."""


class BudgetExhausted(Exception):
    pass


class Meter:
    """A Cost Explorer client that counts requests and refuses to exceed the refresh's share."""

    def __init__(self, client: Any, allowed: int) -> None:
        self._client = client
        self.allowed = allowed
        self.made = 0

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        if self.made >= self.allowed:
            raise BudgetExhausted(
                f"the answer needs more pages than the request budget allows ({self.allowed})"
            )
        self.made += 1
        response: dict[str, Any] = getattr(self._client, operation)(**params)
        return response


def refresh_figures(
    meter: Meter, query: RefreshQuery, window: MonthWindow, now: datetime, notes: list[str]
) -> CostSignals:
    try:
        rows_by_key = {key: _month_to_date(meter, window, key) for key in query.tag_keys}
        # Every tag query also groups by SERVICE over the same period: any one gives the services.
        first_key = query.tag_keys[0] if query.tag_keys else None
        service_rows = rows_by_key[first_key] if first_key else _month_to_date(meter, window, None)
    except (ClientError, BotoCoreError, BudgetExhausted, *_MALFORMED) as error:
        raise RefreshFailed(_describe(error)) from error
    mtd_by_service = {service: 0.0 for service in SERVICES} | _sum_by(service_rows, by_tag=False)
    projection = Projection(window, sum(mtd_by_service.values()), _forecast(meter, window, notes))
    by_tag = {
        key: {value: projection.spend(mtd) for value, mtd in _sum_by(rows, by_tag=True).items()}
        for key, rows in rows_by_key.items()
    }
    return CostSignals(
        fetched_at=now,
        month_start=window.month_start,
        by_service={service: projection.spend(mtd) for service, mtd in mtd_by_service.items()},
        by_tag=by_tag,
        by_resource=_resource_costs(meter, window.today, notes) if query.per_resource else {},
        from_cache=False,
        requests_made=meter.made,
    )


def _service_filter(services: Iterable[str] = SERVICES) -> dict[str, Any]:
    return {"Dimensions": {"Key": "SERVICE", "Values": list(services)}}


@dataclass(frozen=True)
class CostRow:
    service: str
    tag_value: str | None  # None: not grouped by a tag
    usd: float


def _month_to_date(meter: Meter, window: MonthWindow, tag_key: str | None) -> list[CostRow]:
    group_by = [{"Type": "DIMENSION", "Key": "SERVICE"}]
    if tag_key is not None:
        group_by.append({"Type": "TAG", "Key": tag_key})
    params: dict[str, Any] = {
        "TimePeriod": {"Start": window.month_start.isoformat(), "End": window.end.isoformat()},
        "Granularity": "MONTHLY",
        "Metrics": [METRIC],
        "Filter": _service_filter(),
        "GroupBy": group_by,
    }
    rows: list[CostRow] = []
    for page in _pages(meter, "get_cost_and_usage", params):
        rows += parse_cost_groups(page, grouped_by_tag=tag_key is not None)
    return rows


def _pages(meter: Meter, operation: str, params: dict[str, Any]) -> Iterable[dict[str, Any]]:
    token: str | None = None
    while True:
        page = meter.call(operation, **params, **({"NextPageToken": token} if token else {}))
        yield page
        token = page.get("NextPageToken")
        if not token:
            return


def parse_cost_groups(page: dict[str, Any], *, grouped_by_tag: bool) -> list[CostRow]:
    """Rows of a GetCostAndUsage answer grouped by SERVICE (and a TAG, whose group keys read
    "team$genai"; "team$" is the untagged bucket, reported as "")."""
    rows = []
    for result in page.get("ResultsByTime", []):
        for group in result.get("Groups", []):
            keys = group["Keys"]
            tag_value = None
            if grouped_by_tag:
                raw = keys[1] if len(keys) > 1 else ""
                tag_value = raw.partition("$")[2] if "$" in raw else raw
            usd = float(group["Metrics"][METRIC]["Amount"])
            rows.append(CostRow(service=keys[0], tag_value=tag_value, usd=usd))
    return rows


def _sum_by(rows: Iterable[CostRow], *, by_tag: bool) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for row in rows:
        totals[(row.tag_value or "") if by_tag else row.service] += row.usd
    return dict(totals)


# --- forecasts ------------------------------------------------------------------------------


def _forecast(meter: Meter, window: MonthWindow, notes: list[str]) -> float | None:
    """Cost Explorer's forecast from today to the end of the month, or None (with a note)."""
    try:
        response = meter.call(
            "get_cost_forecast",
            TimePeriod={"Start": window.today.isoformat(), "End": window.next_month.isoformat()},
            Metric="UNBLENDED_COST",
            Granularity="MONTHLY",
            Filter=_service_filter(),
        )
        return float(response["Total"]["Amount"])
    except (ClientError, BotoCoreError, BudgetExhausted, *_MALFORMED) as error:
        reason = _describe(error)
        log.warning("cost_forecast_unavailable", reason=reason)
        notes.append(
            f"Cost Explorer forecast unavailable ({reason}): forecasts are linear projections"
            " of month-to-date spend"
        )
        return None


@dataclass(frozen=True)
class Projection:
    """Turns a month-to-date figure into a Spend with its month forecast (see module doc)."""

    window: MonthWindow
    total_month_to_date: float
    remaining_forecast: float | None  # Cost Explorer's, from today to the month's end

    def spend(self, month_to_date: float) -> Spend:
        return Spend(month_to_date=month_to_date, forecast=self.forecast(month_to_date))

    def forecast(self, month_to_date: float) -> float | None:
        if self.remaining_forecast is None:
            return month_to_date / self.window.days_covered * self.window.days_in_month
        if self.total_month_to_date <= 0:
            return None  # nothing to apportion by
        return self.month_total() * month_to_date / self.total_month_to_date

    def month_total(self) -> float:
        # On the 1st the window is today's partial day, which the forecast covers too.
        completed = 0.0 if self.window.includes_today else self.total_month_to_date
        return completed + (self.remaining_forecast or 0.0)


# --- per resource ---------------------------------------------------------------------------


def _resource_costs(meter: Meter, today: date, notes: list[str]) -> dict[str, float]:
    params: dict[str, Any] = {
        "TimePeriod": {
            "Start": (today - timedelta(days=RESOURCE_DAYS)).isoformat(),
            "End": today.isoformat(),
        },
        "Granularity": "DAILY",
        "Metrics": [METRIC],
        "Filter": _service_filter(SERVICES[:1]),  # required by this operation
        "GroupBy": [{"Type": "DIMENSION", "Key": "RESOURCE_ID"}],
    }
    try:
        daily = [
            (row.service, row.usd)
            for page in _pages(meter, "get_cost_and_usage_with_resources", params)
            for row in parse_cost_groups(page, grouped_by_tag=False)
        ]
    except (ClientError, BotoCoreError, BudgetExhausted, *_MALFORMED) as error:
        reason = _describe(error)
        log.warning("cost_per_resource_unavailable", reason=reason)
        notes.append(f"Cost Explorer per-resource costs unavailable ({reason})")
        return {}
    return monthly_by_resource(daily)


def monthly_by_resource(daily: Iterable[tuple[str, float]]) -> dict[str, float]:
    """USD per month by lower-cased resource id, from (resource, one day's cost) pairs.

    The average is over the days the resource cost something, not all 14: a resource created
    three days ago bills at its three-day rate, not at 3/14 of it.
    """
    totals: dict[str, float] = defaultdict(float)
    days: dict[str, int] = defaultdict(int)
    for resource, usd in daily:
        key = resource.lower()
        totals[key] += usd
        days[key] += 1 if usd > 0 else 0
    return {key: totals[key] / days[key] * DAYS_PER_MONTH if days[key] else 0.0 for key in totals}


def _describe(error: BaseException) -> str:
    # The budget's own refusal is already a sentence; AWS errors get their code.
    return str(error) if isinstance(error, BudgetExhausted) else describe_error(error)
