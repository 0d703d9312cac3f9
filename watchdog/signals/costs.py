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

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from pydantic import ValidationError

from watchdog.aws.clients import ClientFactory
from watchdog.cache import Cache
from watchdog.signals.cost_refresh import (
    Meter,
    MonthWindow,
    RefreshFailed,
    RefreshQuery,
    monthly_by_resource,
    parse_cost_groups,
    refresh_figures,
)
from watchdog.signals.models import CostSignals

__all__ = [
    "MonthWindow",
    "fetch_costs",
    "monthly_by_resource",
    "parse_cost_groups",
    "refresh_interval",
    "requests_per_refresh",
]

log = structlog.get_logger(__name__)

CE_REGION = "us-east-1"  # Cost Explorer's one endpoint
WINDOW = timedelta(hours=24)


def requests_per_refresh(tag_keys: Iterable[str], per_resource: bool) -> int:
    return max(len(list(tag_keys)), 1) + 1 + (1 if per_resource else 0)


def refresh_interval(max_requests_per_day: int, per_refresh: int) -> timedelta | None:
    """How long figures are reused; None when the budget does not cover a single refresh."""
    refreshes_per_day = max_requests_per_day // per_refresh
    return WINDOW / refreshes_per_day if refreshes_per_day else None


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
    query = RefreshQuery(tuple(tag_keys), per_resource, per_refresh, max_requests_per_day - used)
    return run.refresh(clients, query, window, snapshot)


@dataclass(frozen=True)
class _Run:
    cache: Cache
    now: datetime
    keys: _CacheKeys
    ledger: _Ledger

    def refresh(
        self,
        clients: ClientFactory,
        query: RefreshQuery,
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
        meter = Meter(clients.client("ce", CE_REGION), query.allowed)
        notes: list[str] = []
        try:
            fresh = refresh_figures(meter, query, window, self.now, notes)
        except RefreshFailed as failure:
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


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
