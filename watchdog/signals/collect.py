"""Gather every signal a run needs, for the resources the inventory found.

Metrics come per (account, region) from the shards the inventory already entered; prices and
Cost Explorer come from the caller's own account (both are global services). Failures degrade
to notes: missing metrics make evidence unknown, a missing price makes a cost unknown, a failed
Cost Explorer falls back to price estimates.
"""

from __future__ import annotations

import contextvars
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from watchdog.aws.clients import REGION_CONCURRENCY
from watchdog.aws.scope import Scope, Shard
from watchdog.cache import Cache, file_cache
from watchdog.kinds import BY_KIND
from watchdog.records import ResourceRecord
from watchdog.settings import Settings
from watchdog.signals.costs import fetch_costs
from watchdog.signals.memory import Memory, choose, learnt, remember
from watchdog.signals.metrics import collect_metrics, metric_window
from watchdog.signals.models import (
    CostSignals,
    MetricSignals,
    PriceKey,
    PriceSignals,
    Signals,
)
from watchdog.signals.prices import fetch_prices
from watchdog.signals.published import collect_published


@dataclass(frozen=True)
class SignalOptions:
    lookback: timedelta  # the longest idle window of any enabled policy
    cache_dir: Path | None = None
    price_ttl: timedelta = timedelta(hours=24)
    cost_explorer: bool = True
    ce_tag_keys: tuple[str, ...] = ("team",)
    ce_max_requests_per_day: int = 4
    ce_per_resource: bool = False
    max_workers: int = 8
    region_concurrency: int = REGION_CONCURRENCY
    shared_cache: Cache | None = None  # the store, in a Lambda; None: files in cache_dir

    def cache(self) -> Cache:
        """Where a run keeps what it may reuse: prices, Cost Explorer answers, and the
        scan's descriptions AWS never changes (inventory.kept)."""
        return self.shared_cache or file_cache(self.cache_dir)

    @classmethod
    def from_settings(
        cls, settings: Settings, lookback: timedelta, cache: Cache | None = None
    ) -> SignalOptions:
        return cls(
            lookback=lookback,
            cache_dir=Path(settings.cache_dir) if settings.cache_dir else None,
            price_ttl=timedelta(hours=settings.price_ttl_hours),
            cost_explorer=settings.cost_explorer,
            ce_tag_keys=tuple(settings.ce_tag_key_list()),
            ce_max_requests_per_day=settings.ce_max_requests_per_day,
            ce_per_resource=settings.ce_per_resource,
            max_workers=settings.max_workers,
            region_concurrency=settings.region_concurrency,
            shared_cache=cache,
        )


def collect_signals(
    scope: Scope,
    resources: Sequence[ResourceRecord],
    options: SignalOptions,
    now: datetime,
    memory: Memory | None = None,
) -> Signals:
    """`memory` None (no store): every resource's metrics are fetched.

    Prices and Cost Explorer are asked of the home region and need nothing the metrics give,
    so they are asked in a thread of their own while the metrics are fetched: their dozen
    calls (the Price List is in us-east-1, far from most regions) overlap the metrics' wire
    time instead of following it."""
    cache = options.cache()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="signals-home") as pool:
        # copy_context: the run's log context (run id, account) goes along.
        home = pool.submit(
            contextvars.copy_context().run, _home_signals, scope, resources, options, cache, now
        )
        metrics = fetch_metrics(scope.shards, resources, options, now, memory)
        published, listed = collect_published(
            scope.shards, resources, lambda r: BY_KIND[r.kind].published_under(r)
        )
        prices, costs, notes = home.result()
    listed += metrics.list_metrics_calls  # and the idle hold's (signals/quiet.py)
    metrics = metrics.model_copy(update={"published": published, "list_metrics_calls": listed})
    return Signals(metrics=metrics, prices=prices, costs=costs, notes=notes)


def _home_signals(
    scope: Scope,
    resources: Sequence[ResourceRecord],
    options: SignalOptions,
    cache: Cache,
    now: datetime,
) -> tuple[PriceSignals, CostSignals | None, tuple[str, ...]]:
    """Prices, Cost Explorer's figures and what to say about them."""
    prices = fetch_prices(_price_keys(resources), scope.home, cache, now, options.price_ttl)
    notes: list[str] = []
    costs = None
    if options.cost_explorer:
        costs, cost_notes = fetch_costs(
            scope.home,
            cache,
            now,
            tag_keys=list(options.ce_tag_keys),
            max_requests_per_day=options.ce_max_requests_per_day,
            per_resource=options.ce_per_resource,
            cache_scope=scope.account_id,
        )
        notes += cost_notes
    else:
        notes.append("Cost Explorer is off: budgets are estimated from list prices")
    notes += [f"price: {error}" for error in prices.errors]
    return prices, costs, tuple(notes)


def fetch_metrics(
    shards: Sequence[Shard],
    resources: Sequence[ResourceRecord],
    options: SignalOptions,
    now: datetime,
    memory: Memory | None,
) -> MetricSignals:
    """The series of what may change a decision; the rest is known active (memory.py) or
    known unchanged (quiet.py)."""
    window = metric_window(now, options.lookback)
    choice = choose(shards, resources, memory, window, options.lookback, now)
    metrics = collect_metrics(
        shards,
        choice.query,
        end=now,
        lookback=options.lookback,
        max_workers=options.max_workers,
        region_concurrency=options.region_concurrency,
    )
    if memory is not None:
        remember(memory, learnt(choice.query, resources, metrics, choice, memory.windows, now))
    skipped = sum(
        len(BY_KIND[r.kind].metric_queries(r))
        for r in resources
        if r.arn.lower() in choice.active_at or r.arn.lower() in choice.quiet
    )
    return metrics.model_copy(
        update={
            "active_at": choice.active_at,
            "quiet": choice.quiet,
            "queries_skipped": skipped,
            "list_metrics_calls": choice.list_metrics_calls,
        }
    )


def _price_keys(resources: Sequence[ResourceRecord]) -> list[PriceKey]:
    keys = {unit.key for record in resources for unit in BY_KIND[record.kind].price_units(record)}
    return sorted(keys, key=lambda k: (k.component, k.region, k.unit))
