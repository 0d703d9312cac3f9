"""apply remembers, in its store, which resources it saw in use and what it read of the idle
ones, and the next run skips their metric queries while deciding as before
(signals/memory.py, signals/quiet.py)."""

from __future__ import annotations

from watchdog_sandbox.seed import SeedSummary

from tests.functional.act.conftest import REGION, Applier
from watchdog.policies.schema import Policy

IDLE_ENDPOINTS = Policy.model_validate(
    {
        "name": "idle-endpoints",
        "resource": ["sagemaker-endpoint"],
        "conditions": {"idle": {"window": "7d", "threshold": 0}},
        "action": "notify",
    }
)


def test_an_hour_later_the_endpoints_seen_in_use_are_not_queried_again(
    applier: Applier, seeded: SeedSummary
) -> None:
    first = applier(IDLE_ENDPOINTS, execute=False)
    remembered = applier.store.recall_activity(seeded.management_account_id, REGION)
    endpoints = [entry for entry in remembered if ":endpoint/" in entry.arn]
    busy = [entry for entry in endpoints if entry.at is not None]
    read = [entry for entry in endpoints if entry.observed_from is not None]
    applier.clock.sleep(3600)

    second = applier(IDLE_ENDPOINTS, execute=False)

    assert busy, "the busy endpoints' last use is in the store"
    assert read, "and what was read of the others, for the idle hold"
    assert first.self_cost is not None and second.self_cost is not None
    spared = first.self_cost.metrics_requested - second.self_cost.metrics_requested
    # Invocations and CPU each for the busy; at least invocations for the held.
    assert spared >= 2 * len(busy) + len(read)
    assert [(f.finding_id, f.fate) for f in second.findings] == [
        (f.finding_id, f.fate) for f in first.findings
    ]
