"""Spend from Cost Explorer, per service and per cost-allocation tag value, cached on a budget.

Cost Explorer is one global endpoint (us-east-1), costs $0.01 per request (each page counts) and
refreshes its data up to three times a day, so a run every 15 minutes must not call it every time.
A refresh makes `requests_per_refresh()` requests:
- one GetCostAndUsage per tag key (MONTHLY, SageMaker and Bedrock only, grouped by SERVICE and the
  tag), which gives both the per-service and the per-tag-value month to date; one grouped by
  SERVICE alone when no tag key is set;
- one GetCostForecast for the two services together;
- one GetCostAndUsageWithResources (SageMaker, daily, last 14 days) when per-resource is on.
The default (tag key `team`, no per-resource) is 2 requests a refresh.

The budget: a refresh happens only when the cached figures are older than the refresh interval,
24 h / (max_requests_per_day // requests_per_refresh) (12 h at the defaults: whole refreshes only,
so 3 requests a refresh within 4 a day means one a day, not one every 18 h), AND the requests made
in the last 24 h plus this refresh's stay within max_requests_per_day. The requests are recorded
in the cache before they are sent, so a run killed mid-refresh still counts them. A failed
refresh is not retried before one interval has passed either.

Month to date covers the month's complete days (Start = the 1st, End = today, exclusive). On the
1st there is none and Cost Explorer rejects Start == End, so the window is the 1st itself (End =
the 2nd; End may reach the next month's first day), whatever Cost Explorer has for it so far.

Forecasts per service and per tag value: the month forecast (month to date of complete days plus
Cost Explorer's forecast from today to the month's end) apportioned by month-to-date share, so
the parts add up to Cost Explorer's total. When the forecast fails (a new account has no history:
DataUnavailableException) every forecast, total and parts alike, is instead the linear projection
month_to_date / days covered * days in the month, with a note saying so.

Failures (access denied, Cost Explorer not enabled, throttling...) never raise: the cached
figures are returned, stale and marked from_cache, with a note; or None and a note.
"""

from __future__ import annotations

import calendar
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import structlog
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from watchdog.aws.clients import ClientFactory
from watchdog.signals.cache import Cache
from watchdog.signals.models import CostSignals, Spend

log = structlog.get_logger(__name__)

CE_REGION = "us-east-1"  # Cost Explorer's one endpoint
SERVICES = ("Amazon SageMaker", "Amazon Bedrock")  # Cost Explorer SERVICE dimension values
METRIC = "UnblendedCost"
RESOURCE_DAYS = 14  # how far back GetCostAndUsageWithResources reaches
DAYS_PER_MONTH = 30.4
WINDOW = timedelta(hours=24)
# An answer not shaped as documented is treated like a failed request, not a crash.
_MALFORMED = (KeyError, IndexError, TypeError, ValueError)


def requests_per_refresh(tag_keys: Iterable[str], per_resource: bool) -> int:
    return max(len(list(tag_keys)), 1) + 1 + (1 if per_resource else 0)


def refresh_interval(max_requests_per_day: int, per_refresh: int) -> timedelta | None:
    """How long figures are reused; None when the budget does not cover a single refresh."""
    refreshes_per_day = max_requests_per_day // per_refresh
    return WINDOW / refreshes_per_day if refreshes_per_day else None


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


def fetch_costs(
    clients: ClientFactory,
    cache: Cache,
    now: datetime,
    *,
    tag_keys: list[str],
    max_requests_per_day: int,
    per_resource: bool,
    cache_scope: str = "default",
) -> tuple[CostSignals | None, list[str]]:
    """This month's SageMaker and Bedrock spend, fresh or cached, and notes on what degraded.

    `cache_scope` separates the figures and request budgets of different payer accounts sharing
    one cache (pass the account id when there can be several).
    """
    now = _utc(now)
    tag_keys = list(dict.fromkeys(key for key in tag_keys if key))
    keys = _CacheKeys.build(cache_scope, tag_keys, per_resource)
    run = _Run(cache, now, keys, _Ledger.load(cache, keys.ledger, now))
    snapshot = _load_snapshot(cache, keys.snapshot)
    window = MonthWindow.for_day(now.date())
    per_refresh = requests_per_refresh(tag_keys, per_resource)
    interval = refresh_interval(max_requests_per_day, per_refresh)
    if interval is None:
        why = f"request budget ({max_requests_per_day}/day) is below one refresh ({per_refresh})"
        return _cached(snapshot, f"Cost Explorer not called: {why}")
    if snapshot is not None and _is_fresh(snapshot, window, now, interval):
        return snapshot.model_copy(update={"from_cache": True, "requests_made": 0}), []
    if run.ledger.failed_within(now, interval):
        return _cached(snapshot, f"Cost Explorer failed at {run.ledger.failure_text()}")
    used = run.ledger.used(now)
    if used + per_refresh > max_requests_per_day:
        why = f"{used} of {max_requests_per_day} requests used in the last 24 h"
        return _cached(snapshot, f"Cost Explorer request budget reached ({why})")
    query = _Query(tuple(tag_keys), per_resource, per_refresh, max_requests_per_day - used)
    return run.refresh(clients, query, window, snapshot)


@dataclass(frozen=True)
class _Query:
    tag_keys: tuple[str, ...]
    per_resource: bool
    per_refresh: int
    allowed: int  # requests this refresh may make at most (pages included)


@dataclass(frozen=True)
class _Run:
    cache: Cache
    now: datetime
    keys: _CacheKeys
    ledger: _Ledger

    def refresh(
        self,
        clients: ClientFactory,
        query: _Query,
        window: MonthWindow,
        snapshot: CostSignals | None,
    ) -> tuple[CostSignals | None, list[str]]:
        try:  # reserve the requests before sending any
            self.ledger.save(self.cache, self.keys.ledger, self.now, extra=query.per_refresh)
        except OSError as error:
            log.warning("cost_explorer_ledger_unwritable", error=str(error))
            return _cached(
                snapshot, f"Cost Explorer not called: its request log cannot be saved ({error})"
            )
        meter = _Meter(clients.client("ce", CE_REGION), query.allowed)
        notes: list[str] = []
        try:
            fresh = _refresh(meter, query, window, self.now, notes)
        except _Failed as failure:
            self._settle(meter.made, failure=str(failure))
            log.warning("cost_explorer_unavailable", reason=str(failure), requests=meter.made)
            return _cached(snapshot, f"Cost Explorer unavailable ({failure})", meter.made)
        self._settle(meter.made, failure=None)
        _save_quietly(
            lambda: self.cache.put(self.keys.snapshot, fresh.model_dump(mode="json"), self.now)
        )
        return fresh, notes

    def _settle(self, made: int, failure: str | None) -> None:
        self.ledger.settle(made, self.now, failure)
        _save_quietly(lambda: self.ledger.save(self.cache, self.keys.ledger, self.now))


def _is_fresh(
    snapshot: CostSignals, window: MonthWindow, now: datetime, interval: timedelta
) -> bool:
    return snapshot.month_start == window.month_start and now - snapshot.fetched_at < interval


def _cached(
    snapshot: CostSignals | None, note: str, requests_made: int = 0
) -> tuple[CostSignals | None, list[str]]:
    if snapshot is None:
        return None, [f"{note}; no Cost Explorer figures available"]
    stale = snapshot.model_copy(update={"from_cache": True, "requests_made": requests_made})
    return stale, [f"{note}; using figures from {snapshot.fetched_at:%Y-%m-%d %H:%M} UTC"]


# --- one refresh --------------------------------------------------------------------------


class _Failed(Exception):
    """Cost Explorer did not answer the month-to-date query: nothing fresh this run."""


class _BudgetExhausted(Exception):
    pass


class _Meter:
    """A Cost Explorer client that counts requests and refuses to exceed the refresh's share."""

    def __init__(self, client: Any, allowed: int) -> None:
        self._client = client
        self.allowed = allowed
        self.made = 0

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        if self.made >= self.allowed:
            raise _BudgetExhausted(
                f"the answer needs more pages than the request budget allows ({self.allowed})"
            )
        self.made += 1
        response: dict[str, Any] = getattr(self._client, operation)(**params)
        return response


def _refresh(
    meter: _Meter, query: _Query, window: MonthWindow, now: datetime, notes: list[str]
) -> CostSignals:
    try:
        rows_by_key = {key: _month_to_date(meter, window, key) for key in query.tag_keys}
        # Every tag query also groups by SERVICE over the same period: any one gives the services.
        first_key = query.tag_keys[0] if query.tag_keys else None
        service_rows = rows_by_key[first_key] if first_key else _month_to_date(meter, window, None)
    except (ClientError, BotoCoreError, _BudgetExhausted, *_MALFORMED) as error:
        raise _Failed(_describe(error)) from error
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


def _month_to_date(meter: _Meter, window: MonthWindow, tag_key: str | None) -> list[CostRow]:
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


def _pages(meter: _Meter, operation: str, params: dict[str, Any]) -> Iterable[dict[str, Any]]:
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


def _forecast(meter: _Meter, window: MonthWindow, notes: list[str]) -> float | None:
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
    except (ClientError, BotoCoreError, _BudgetExhausted, *_MALFORMED) as error:
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


def _resource_costs(meter: _Meter, today: date, notes: list[str]) -> dict[str, float]:
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
    except (ClientError, BotoCoreError, _BudgetExhausted, *_MALFORMED) as error:
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


# --- cache: the request ledger and the snapshot ------------------------------------------------


@dataclass(frozen=True)
class _CacheKeys:
    ledger: str
    snapshot: str

    @classmethod
    def build(cls, scope: str, tag_keys: list[str], per_resource: bool) -> _CacheKeys:
        # Figures depend on what was asked; the budget does not (every request costs the same).
        asked = hashlib.sha256(f"{','.join(tag_keys)}|{per_resource}".encode()).hexdigest()[:12]
        return cls(ledger=f"ce:{scope}:requests", snapshot=f"ce:{scope}:snapshot:{asked}")


@dataclass
class _Ledger:
    """When Cost Explorer requests were made (the last 24 h) and the last failure, if recent."""

    requests: list[datetime] = field(default_factory=list)
    failed_at: datetime | None = None
    failure: str = ""

    @classmethod
    def load(cls, cache: Cache, key: str, now: datetime) -> _Ledger:
        entry = cache.get(key)
        try:
            value = entry.value if entry is not None else {}
            requests = [datetime.fromisoformat(t) for t in value.get("requests", [])]
            failed = value.get("failed_at")
            return cls(
                requests=[t for t in requests if now - t < WINDOW],
                failed_at=datetime.fromisoformat(failed) if failed else None,
                failure=str(value.get("failure", "")),
            )
        except (AttributeError, TypeError, ValueError) as error:
            # Same as a missing ledger (a FileCache drops unparsable files): at worst one extra
            # day's budget, which is cents; refusing forever would be worse.
            log.warning("cost_explorer_ledger_unreadable", error=str(error))
            return cls()

    def used(self, now: datetime) -> int:
        return sum(1 for t in self.requests if now - t < WINDOW)

    def failed_within(self, now: datetime, interval: timedelta) -> bool:
        return self.failed_at is not None and now - self.failed_at < interval

    def failure_text(self) -> str:
        assert self.failed_at is not None
        return f"{self.failed_at:%Y-%m-%d %H:%M} UTC ({self.failure}); not retried yet"

    def settle(self, made: int, now: datetime, failure: str | None) -> None:
        self.requests += [now] * made
        self.failed_at, self.failure = (now, failure) if failure else (None, "")

    def save(self, cache: Cache, key: str, now: datetime, extra: int = 0) -> None:
        value = {
            "requests": [t.isoformat() for t in [*self.requests, *[now] * extra]],
            "failed_at": self.failed_at.isoformat() if self.failed_at else None,
            "failure": self.failure,
        }
        cache.put(key, value, now)


def _load_snapshot(cache: Cache, key: str) -> CostSignals | None:
    entry = cache.get(key)
    if entry is None:
        return None
    try:
        return CostSignals.model_validate(entry.value)
    except ValidationError as error:
        log.warning("cost_snapshot_unreadable", error=str(error))
        return None


def _save_quietly(save: Any) -> None:
    try:
        save()
    except OSError as error:
        log.warning("cost_cache_write_failed", error=str(error))


def _describe(error: BaseException) -> str:
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        return f"{details.get('Code', 'Error')}: {details.get('Message', '')}".strip()
    if isinstance(error, _BudgetExhausted):
        return str(error)
    return f"{type(error).__name__}: {error}"


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
