"""A resource not queried because an earlier run proved it in use reads as its series would."""

from __future__ import annotations

from datetime import timedelta

from tests.unit.evaluate.factories import NOW, WINDOW, endpoint, prices
from watchdog.evaluate import evaluate
from watchdog.policies.schema import Policy
from watchdog.signals.models import MetricSignals, Signals

HOUR = timedelta(hours=1)


def idle_policy(window: str = "7d", threshold: float = 0) -> Policy:
    return Policy.model_validate(
        {
            "name": "idle",
            "resource": ["sagemaker-endpoint"],
            "conditions": {"idle": {"window": window, "threshold": threshold}},
            "action": "delete",
        }
    )


def known_active(since_hours: float) -> Signals:
    ep = endpoint("llm")
    metrics = MetricSignals(window=WINDOW, active_at={ep.arn.lower(): NOW - since_hours * HOUR})
    return Signals(metrics=metrics, prices=prices())


def test_proven_in_use_within_the_window_is_no_finding() -> None:
    result = evaluate([endpoint("llm")], known_active(3), [idle_policy()], NOW)
    assert result.findings == [] and result.skipped == {}


def test_too_new_stays_too_new_as_the_fetched_reading_says() -> None:
    young = endpoint("llm", age_days=2)
    result = evaluate([young], known_active(3), [idle_policy()], NOW)
    assert result.findings == [] and result.skipped == {"too new to judge": 1}


def test_a_proof_the_policy_cannot_use_is_unknown_never_idle() -> None:
    # Not what the signals stage sends (it skips only within every policy's window, threshold
    # 0), but should it, the reading must never become a teardown.
    for policy, since in ((idle_policy("2h"), 3), (idle_policy(threshold=5), 1)):
        [finding] = evaluate([endpoint("llm")], known_active(since), [policy], NOW).findings
        assert finding.evidence.state == "unknown" and finding.action == "notify"
