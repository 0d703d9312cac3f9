"""The watchdog's own bill: GetMetricData by the metric, CloudWatch and Cost Explorer by the
request, Lambda by the GB-second; a month of hourly runs from one run's figures."""

from __future__ import annotations

import pytest

from watchdog.signals.self_cost import self_cost


def test_a_thousand_endpoints_two_metrics_each_hourly_is_the_issues_fourteen_dollars() -> None:
    run = self_cost(
        metrics_requested=2000, cloudwatch_requests=0, cost_explorer_requests=0, pricing_calls=0
    )
    assert run.usd == pytest.approx(0.02)
    assert run.per_month() == pytest.approx(14.60)


def test_each_priced_part_counts_at_its_own_rate() -> None:
    run = self_cost(
        metrics_requested=500,
        cloudwatch_requests=1000,
        cost_explorer_requests=2,
        pricing_calls=40,
        lambda_gb_seconds=60.0,
        lambda_requests=1,
    )
    expected = 500 * 0.00001 + 1000 * 0.00001 + 2 * 0.01 + 60 * 0.0000166667 + 0.0000002
    assert run.usd == pytest.approx(expected, rel=1e-4)
    assert run.pricing_calls == 40  # counted, not priced
