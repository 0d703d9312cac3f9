"""fetch_costs against the sandbox's Cost Explorer (moto plus watchdog_sandbox.cost_explorer)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
import time_machine
from watchdog_sandbox import cost_explorer
from watchdog_sandbox.seed_costs import seed_costs

from watchdog.aws.clients import ApiCallCounter, ClientFactory
from watchdog.cache import FileCache
from watchdog.signals.costs import fetch_costs
from watchdog.signals.models import CostSignals

SM, BR = "Amazon SageMaker", "Amazon Bedrock"
# The runs start at a fixed mid-month noon, and the clock stands still there (the sandbox checks
# request dates against it): read at import, the real clock could be a day or a month behind the
# sandbox's by the time a test runs, and a day of runs from the last half-day of a month crosses
# into the next one, which starts a new month to date and a refresh the test does not expect.
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock_at_now() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def clients() -> tuple[ClientFactory, ApiCallCounter]:
    counter = ApiCallCounter()
    return ClientFactory(boto3.Session(region_name="us-east-1"), counter), counter


def ce_calls(counter: ApiCallCounter) -> dict[str, int]:
    return {op: n for op, n in counter.by_operation().items() if op.startswith("ce:")}


def fetch(
    factory: ClientFactory, cache_dir: Path, now: datetime = NOW, *, per_resource: bool = False
) -> tuple[CostSignals | None, list[str]]:
    return fetch_costs(
        factory,
        FileCache(cache_dir),
        now,
        tag_keys=["team"],
        max_requests_per_day=4,
        per_resource=per_resource,
    )


def test_the_seeded_demo_spend_puts_genai_over_its_budget(aws: None, tmp_path: Path) -> None:
    seeded = seed_costs(boto3.Session(region_name="us-east-1"), now=NOW)
    factory, counter = clients()

    costs, notes = fetch(factory, tmp_path)

    assert costs is not None and notes == [] and not costs.from_cache
    assert ce_calls(counter) == {"ce:GetCostAndUsage": 1, "ce:GetCostForecast": 1}
    teams = costs.by_tag["team"]
    assert set(teams) == {"genai", "nlp", "risk", "recsys", "legal-ai", ""}
    assert teams["genai"].month_to_date == pytest.approx(seeded.month_to_date["genai"], abs=0.05)
    assert teams["genai"].forecast == pytest.approx(seeded.forecast["genai"], rel=1e-3)
    assert (
        teams["genai"].forecast > 5000 > max(s.forecast for t, s in teams.items() if t != "genai")
    )
    assert set(costs.by_service) == {SM, BR}


def test_per_resource_costs_come_from_cost_and_usage_with_resources(
    aws: None, tmp_path: Path
) -> None:
    seed_costs(boto3.Session(region_name="us-east-1"), now=NOW)
    factory, counter = clients()

    costs, notes = fetch(factory, tmp_path, per_resource=True)

    assert costs is not None and notes == []
    assert ce_calls(counter)["ce:GetCostAndUsageWithResources"] == 1
    arn = "arn:aws:sagemaker:us-east-1:123456789012:endpoint/genai-shared-host"
    assert costs.by_resource[arn] == pytest.approx(7.09 * 24 * 30.4)


def test_a_new_account_without_history_gets_linear_projections(aws: None, tmp_path: Path) -> None:
    cost_explorer.queue_cost_and_usage(
        {
            "ResultsByTime": [
                {
                    "TimePeriod": {"Start": "2026-01-01", "End": "2026-01-02"},
                    "Total": {},
                    "Groups": [
                        {
                            "Keys": [SM, "team$nlp"],
                            "Metrics": {"UnblendedCost": {"Amount": "10", "Unit": "USD"}},
                        }
                    ],
                    "Estimated": True,
                }
            ]
        }
    )
    costs, notes = fetch(clients()[0], tmp_path)
    assert costs is not None and costs.by_tag["team"]["nlp"].month_to_date == 10.0
    assert notes[0].startswith("Cost Explorer forecast unavailable (DataUnavailableException")


def test_a_run_every_15_minutes_for_a_day_stays_within_4_requests(
    aws: None, tmp_path: Path
) -> None:
    seed_costs(boto3.Session(region_name="us-east-1"), now=NOW)
    factory, counter = clients()

    runs = [fetch(factory, tmp_path, NOW + timedelta(minutes=15 * n)) for n in range(96)]

    assert sum(ce_calls(counter).values()) == 4
    assert [n for n, (costs, _) in enumerate(runs) if costs and not costs.from_cache] == [0, 48]
    assert all(costs is not None for costs, _ in runs)
