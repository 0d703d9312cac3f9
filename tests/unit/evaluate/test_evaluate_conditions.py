"""Exemptions, status/age/running conditions, Studio idle shutdown, budgets, action windows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests.unit.evaluate.factories import (
    NOW,
    endpoint,
    idle_signals,
    record,
    signals,
    studio_domain,
)
from watchdog.evaluate import evaluate
from watchdog.evaluate.schedule import window_open
from watchdog.policies.schema import ActionWindow, Policy
from watchdog.records import BillingMode, IdleShutdown
from watchdog.signals.models import CostSignals, Spend


def policy(**fields: Any) -> Policy:
    fields.setdefault("name", "p")
    return Policy.model_validate(fields)


IDLE = {"resource": ["sagemaker-endpoint"], "conditions": {"idle": {}}, "action": "delete"}


@pytest.mark.parametrize(
    ("tags", "exempt"),
    [
        ({"watchdog:exempt": "true"}, True),
        ({"Watchdog:Exempt": "TRUE"}, True),
        ({"watchdog:exempt": "false"}, False),
        ({"watchdog:expires": (NOW.date() + timedelta(days=3)).isoformat()}, True),
        ({"watchdog:expires": NOW.date().isoformat()}, True),
        ({"watchdog:expires": (NOW.date() - timedelta(days=1)).isoformat()}, False),
        ({"watchdog:expires": "next tuesday"}, True),
    ],
)
def test_exemption_tags(tags: dict[str, str], exempt: bool) -> None:
    ep = endpoint(tags=tags)
    result = evaluate([ep], signals(*idle_signals(ep)), [policy(**IDLE)], NOW)
    assert bool(result.findings) is not exempt
    assert result.skipped.get("exempt", 0) == (1 if exempt else 0)


def test_custom_exemption_tag() -> None:
    ep = endpoint(tags={"keep": "yes"})
    rules = {**IDLE, "exemptions": {"tag": "keep", "value": "yes"}}
    assert evaluate([ep], signals(*idle_signals(ep)), [policy(**rules)], NOW).findings == []


def test_failed_endpoint_older_than_a_day() -> None:
    failed = endpoint("broken", status="Failed", age_days=3)
    fresh = endpoint("fresh", status="Failed", age_days=0.5)
    rules = policy(
        resource=["sagemaker-endpoint"],
        conditions={"status": ["Failed"], "older_than": "1d"},
        action="delete",
    )
    [finding] = evaluate([failed, fresh], signals(), [rules], NOW).findings
    assert finding.resource.name == "broken"
    assert finding.reason.startswith("Created 3 days ago; it is Failed")
    assert finding.confidence == "high"


def notebook(status: str, since_hours: float) -> Any:
    running = status == "InService"
    return record(
        "sagemaker-notebook-instance",
        "nb",
        "notebook-instance/nb",
        status=status,
        instance_type="ml.t3.medium",
        instance_count=1 if running else 0,
        billing=BillingMode(mode="on-demand" if running else "storage"),
        last_modified_at=NOW - timedelta(hours=since_hours),
    )


def test_notebook_running_longer_than_counts_from_its_last_start() -> None:
    rules = policy(
        resource=["sagemaker-notebook-instance"],
        conditions={"status": ["InService"], "running_longer_than": "12h"},
        action="stop",
    )
    assert evaluate([notebook("InService", 13)], signals(), [rules], NOW).findings
    assert not evaluate([notebook("InService", 11)], signals(), [rules], NOW).findings
    assert not evaluate([notebook("Stopped", 100)], signals(), [rules], NOW).findings
    [finding] = evaluate([notebook("InService", 13)], signals(), [rules], NOW).findings
    assert finding.monthly_cost_usd == pytest.approx(0.05 * 730)


def test_stopped_notebook_storage_has_unknown_cost() -> None:
    rules = policy(resource=["sagemaker-notebook-instance"], conditions={"billing": ["storage"]})
    [finding] = evaluate([notebook("Stopped", 100)], signals(), [rules], NOW).findings
    assert finding.monthly_cost_usd is None
    assert "storage" in finding.cost_source


def test_idle_shutdown_disabled_on_domain_and_inherited_by_profiles() -> None:
    resources = studio_domain(idle_enabled=False)
    rules = policy(
        resource=["sagemaker-domain", "sagemaker-user-profile"],
        conditions={"idle_shutdown": "disabled"},
    )
    found = {
        f.resource.name: f.reason for f in evaluate(resources, signals(), [rules], NOW).findings
    }
    assert found == {
        "research": "Studio idle shutdown is disabled (its own setting).",
        "alice": "Studio idle shutdown is disabled (inherited from its domain).",
    }


def test_a_profile_that_enables_idle_shutdown_itself_is_fine() -> None:
    from tests.unit.evaluate.factories import linked

    resources = studio_domain(idle_enabled=None)
    resources = [
        r.model_copy(update={"idle_shutdown": IdleShutdown(enabled=True)})
        if r.kind == "sagemaker-user-profile"
        else r
        for r in resources
    ]
    rules = policy(
        resource=["sagemaker-domain", "sagemaker-user-profile"],
        conditions={"idle_shutdown": "disabled"},
    )
    [finding] = evaluate(linked(*resources), signals(), [rules], NOW).findings
    assert finding.resource.kind == "sagemaker-domain"
    assert "never configured" in finding.reason


def budget_policy(measure: str = "forecast") -> Policy:
    return policy(
        resource=["sagemaker-endpoint"],
        conditions={
            "over_budget": {
                "tag": "team",
                "monthly_budget_usd": 1000,
                "measure": measure,
                "budgets": {"big": 50000},
            }
        },
    )


def test_over_budget_from_cost_explorer() -> None:
    genai = endpoint("a", tags={"team": "genai"})
    nlp = endpoint("b", tags={"team": "nlp"})
    big = endpoint("c", tags={"team": "big"})
    costs = CostSignals(
        fetched_at=NOW,
        month_start=date(2026, 11, 1),
        by_tag={
            "team": {
                "genai": Spend(month_to_date=900, forecast=1500),
                "nlp": Spend(month_to_date=100, forecast=200),
                "big": Spend(month_to_date=9000, forecast=12000),
            }
        },
    )
    sig = signals(costs=costs)
    [finding] = evaluate([genai, nlp, big], sig, [budget_policy()], NOW).findings
    assert finding.resource.name == "a"
    assert finding.reason.startswith(
        "Team genai is forecast to spend $1,500 this month, over its $1,000 budget"
    )
    assert finding.confidence == "high"
    assert not evaluate([genai], sig, [budget_policy("month-to-date")], NOW).findings


def test_over_budget_without_cost_explorer_is_estimated_from_prices() -> None:
    team = [endpoint(f"e{i}", tags={"team": "genai"}) for i in range(2)]
    [first, _second] = evaluate(team, signals(), [budget_policy()], NOW).findings
    assert first.evidence.facts["spend_basis"] == "price estimate"
    assert float(first.evidence.facts["spend_usd"]) == pytest.approx(2 * 1.408 * 730)
    assert first.confidence == "medium"


@pytest.mark.parametrize(
    ("at", "open_"),
    [
        (datetime(2026, 11, 24, 21, 0, tzinfo=UTC), True),  # Tuesday evening
        (datetime(2026, 11, 25, 5, 0, tzinfo=UTC), True),  # Wednesday early: Tuesday's window
        (datetime(2026, 11, 24, 12, 0, tzinfo=UTC), False),  # Tuesday noon
        (datetime(2026, 11, 28, 21, 0, tzinfo=UTC), False),  # Saturday evening: not listed
        (datetime(2026, 11, 28, 5, 0, tzinfo=UTC), True),  # Saturday early: Friday's window
    ],
)
def test_action_window_wrapping_midnight(at: datetime, open_: bool) -> None:
    window = ActionWindow.model_validate(
        {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "20:00", "end": "06:00"}
    )
    assert window_open(window, at) is open_


def test_action_window_in_a_timezone() -> None:
    window = ActionWindow.model_validate(
        {"timezone": "America/New_York", "start": "20:00", "end": "23:00"}
    )
    assert window_open(window, datetime(2026, 11, 25, 2, 0, tzinfo=UTC))  # 21:00 in New York
    assert not window_open(window, datetime(2026, 11, 24, 21, 0, tzinfo=UTC))  # 16:00 there


def test_findings_say_whether_actions_may_run_now() -> None:
    ep = endpoint()
    rules = policy(**IDLE, action_window={"start": "20:00", "end": "06:00"})
    [finding] = evaluate([ep], signals(*idle_signals(ep)), [rules], NOW).findings
    assert finding.actions_allowed_now is False  # NOW is noon


def test_disabled_policies_are_ignored() -> None:
    ep = endpoint()
    assert not evaluate(
        [ep], signals(*idle_signals(ep)), [policy(**IDLE, enabled=False)], NOW
    ).findings
