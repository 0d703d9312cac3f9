"""collect_signals asks the Price List and Cost Explorer while the metrics are being fetched,
with the run's log context, and assembles what both said."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import structlog

from watchdog.signals import collect
from watchdog.signals.models import MetricSignals, PriceSignals

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)


def test_prices_are_asked_while_the_metrics_are_fetched(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    priced = threading.Event()
    seen_context: list[dict[str, Any]] = []

    def fetch_metrics(*_: object) -> MetricSignals:
        # One after the other, the prices would only be asked after this returns.
        assert priced.wait(timeout=5), "the prices were not asked during the metric fetch"
        return MetricSignals(queries=7)

    def fetch_prices(*_: object) -> PriceSignals:
        seen_context.append(structlog.contextvars.get_contextvars())
        priced.set()
        return PriceSignals(errors=("no price for ml.x",), pricing_calls=2)

    monkeypatch.setattr(collect, "fetch_metrics", fetch_metrics)
    monkeypatch.setattr(collect, "fetch_prices", fetch_prices)
    monkeypatch.setattr(collect, "collect_published", lambda *_: ({}, 0))
    scope: Any = SimpleNamespace(shards=(), home=None, account_id="111122223333")
    options = collect.SignalOptions(
        lookback=timedelta(days=7), cache_dir=tmp_path, cost_explorer=False
    )

    structlog.contextvars.bind_contextvars(run_id="run-1")
    try:
        signals = collect.collect_signals(scope, [], options, NOW)
    finally:
        structlog.contextvars.unbind_contextvars("run_id")

    assert signals.metrics.queries == 7 and signals.prices.pricing_calls == 2
    assert signals.notes == (
        "Cost Explorer is off: budgets are estimated from list prices",
        "price: no price for ml.x",
    )
    assert seen_context == [{"run_id": "run-1"}]
