"""apply remembers, in its store, which resources it saw in use, and the next run skips their
metric queries while deciding as before (signals/memory.py)."""

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
    applier.clock.sleep(3600)

    second = applier(IDLE_ENDPOINTS, execute=False)

    assert endpoints, "the busy endpoints' last use is in the store"
    assert first.self_cost is not None and second.self_cost is not None
    spared = first.self_cost.metrics_requested - second.self_cost.metrics_requested
    assert spared >= 2 * len(endpoints)  # at least invocations and CPU each
    assert [(f.finding_id, f.fate) for f in second.findings] == [
        (f.finding_id, f.fate) for f in first.findings
    ]
