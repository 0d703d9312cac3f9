"""Cost Explorer refreshes within their daily request budget, and failures that leave the
last good figures in place."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests.unit.signals.test_costs import (
    NOW,
    SM,
    FakeCostExplorer,
    aws_error,
    page,
    run,
)
from watchdog.cache import MemoryCache
from watchdog.signals.costs import (
    requests_per_refresh,
)

# --- the budget ----------------------------------------------------------------------------


def test_a_run_every_15_minutes_makes_at_most_the_daily_budget_of_requests() -> None:
    ce, cache = FakeCostExplorer(), MemoryCache()
    results = [run(ce, cache, NOW + timedelta(minutes=15 * n)) for n in range(96)]

    assert len(ce.calls) == 4
    refreshed = [n for n, (costs, _) in enumerate(results) if not costs.from_cache]
    assert refreshed == [0, 48]  # every 12 h at the default budget
    assert all(notes == [] for _, notes in results)


@pytest.mark.parametrize(
    ("tag_keys", "per_resource", "budget"),
    [(["team"], False, 4), (["team", "project"], False, 7), (["team"], True, 4), ([], True, 10)],
)
def test_no_24_hours_ever_see_more_requests_than_the_budget(
    tag_keys: list[str], per_resource: bool, budget: int
) -> None:
    ce, cache = FakeCostExplorer(), MemoryCache()
    made = []  # requests per 15-minute run, over four days
    for n in range(4 * 96):
        before = len(ce.calls)
        moment = NOW + timedelta(minutes=15 * n)
        run(
            ce,
            cache,
            moment,
            tag_keys=tag_keys,
            per_resource=per_resource,
            max_requests_per_day=budget,
        )
        made.append(len(ce.calls) - before)
    assert max(sum(made[n : n + 96]) for n in range(len(made) - 95)) <= budget
    assert sum(made) >= 4 * requests_per_refresh(tag_keys, per_resource)  # at least daily


def test_a_budget_below_one_refresh_never_calls() -> None:
    ce = FakeCostExplorer()
    costs, notes = run(ce, max_requests_per_day=1)
    assert costs is None and ce.calls == []
    assert notes == [
        "Cost Explorer not called: request budget (1/day) is below one refresh (2);"
        " no Cost Explorer figures available"
    ]


def test_an_answer_needing_more_pages_than_the_budget_allows_stops_at_the_budget() -> None:
    endless = page(([SM, "team$a"], 1.0), token="more")
    ce, cache = FakeCostExplorer(get_cost_and_usage=endless), MemoryCache()

    costs, notes = run(ce, cache)
    assert costs is None and len(ce.calls) == 4
    assert notes == [
        "Cost Explorer unavailable (the answer needs more pages than the request budget allows"
        " (4)); no Cost Explorer figures available"
    ]

    run(ce, cache, NOW + timedelta(hours=23))
    assert len(ce.calls) == 4  # spent for the day, and the failure is not retried at once


def test_the_requests_are_recorded_before_they_are_sent() -> None:
    def crash(params: dict[str, Any]) -> Exception:
        raise RuntimeError("process killed mid-refresh")

    cache = MemoryCache()
    with pytest.raises(RuntimeError):
        run(FakeCostExplorer(get_cost_and_usage=crash), cache)
    ledger = cache.get("ce:default:requests")
    assert ledger is not None and len(ledger.value["requests"]) == 2


def test_a_cache_that_cannot_record_requests_means_no_requests() -> None:
    class ReadOnlyCache(MemoryCache):
        def put(self, key: str, value: Any, now: datetime) -> None:
            raise PermissionError("read-only file system")

    ce = FakeCostExplorer()
    costs, notes = run(ce, ReadOnlyCache())
    assert costs is None and ce.calls == []
    assert notes[0].startswith("Cost Explorer not called: its request log cannot be saved")


def test_a_new_month_refreshes_even_before_the_interval() -> None:
    ce, cache = FakeCostExplorer(), MemoryCache()
    run(ce, cache, datetime(2026, 3, 31, 20, 0, tzinfo=UTC))
    costs, _ = run(ce, cache, datetime(2026, 4, 1, 2, 0, tzinfo=UTC))
    assert not costs.from_cache and costs.month_start == date(2026, 4, 1)


# --- failures ------------------------------------------------------------------------------


def test_access_denied_without_cached_figures_is_none_and_a_note() -> None:
    ce = FakeCostExplorer(get_cost_and_usage=aws_error("AccessDeniedException", "GetCostAndUsage"))
    costs, notes = run(ce)
    assert costs is None
    assert notes == [
        "Cost Explorer unavailable (AccessDeniedException: AccessDeniedException says no);"
        " no Cost Explorer figures available"
    ]


def test_a_failure_returns_the_stale_figures_and_is_not_retried_before_the_interval() -> None:
    ce, cache = FakeCostExplorer(), MemoryCache()
    run(ce, cache)
    ce.answers["get_cost_and_usage"] = aws_error("ThrottlingException", "GetCostAndUsage")

    stale, notes = run(ce, cache, NOW + timedelta(hours=12))
    assert stale.from_cache and stale.fetched_at == NOW and stale.requests_made == 1
    assert notes == [
        "Cost Explorer unavailable (ThrottlingException: ThrottlingException says no);"
        " using figures from 2026-03-11 06:00 UTC"
    ]
    calls = len(ce.calls)
    again, notes = run(ce, cache, NOW + timedelta(hours=13))
    assert len(ce.calls) == calls and again.from_cache
    assert notes[0].startswith("Cost Explorer failed at 2026-03-11 18:00 UTC (ThrottlingException")


def test_an_answer_not_shaped_as_documented_degrades_like_a_failure() -> None:
    ce = FakeCostExplorer(get_cost_and_usage={"ResultsByTime": [{"Groups": [{"Keys": [SM]}]}]})
    costs, notes = run(ce)
    assert costs is None and notes[0].startswith("Cost Explorer unavailable (KeyError: 'Metrics')")
