"""The read-only IAM permissions documented in the README and granted in template.yaml are
exactly the calls a full plan makes: a plan of the seeded organization proves it."""

from __future__ import annotations

from pathlib import Path

import pytest
from watchdog_sandbox.seed import (
    DEMO_EXTERNAL_ID,
    DEMO_REGIONS,
    MEMBER_ROLE_NAME,
)

from tests.functional.demo_snapshot import seed_demo
from watchdog.inventory import ScanRequest
from watchdog.pipeline import lookback_for, run_plan
from watchdog.policies import default_policies_dir, load_policies
from watchdog.signals.collect import SignalOptions

ROOT = Path(__file__).resolve().parents[2]
IAM_PREFIX = {
    "resourcegroupstaggingapi": "tag",
    "monitoring": "cloudwatch",
    "efs": "elasticfilesystem",
    # Agents for Bedrock (knowledge bases, data sources, agents) authorizes as bedrock:*.
    "bedrock-agent": "bedrock",
    "opensearchserverless": "aoss",
}


@pytest.mark.slow  # left out of make test-fast; make test runs it
def test_every_call_of_a_full_plan_is_documented_and_granted(aws: None, tmp_path: Path) -> None:
    seed_demo()
    policies = load_policies(default_policies_dir())

    result = run_plan(
        ScanRequest(
            regions=["all"],
            accounts="organization",
            member_role=MEMBER_ROLE_NAME,
            external_id=DEMO_EXTERNAL_ID,
            max_workers=16,
        ),
        policies,
        SignalOptions(lookback=lookback_for(policies), cache_dir=tmp_path, ce_per_resource=True),
    )

    assert result.errors == []
    assert {f.resource.region for f in result.findings} == set(DEMO_REGIONS)
    actions = set()
    for operation in result.stats.api_calls_by_operation:
        service, name = operation.split(":")
        actions.add(f"{IAM_PREFIX.get(service, service)}:{name}")
    assert {"cloudwatch:GetMetricData", "pricing:GetProducts", "ce:GetCostAndUsage"} <= actions
    readme = (ROOT / "README.md").read_text()
    template = (ROOT / "template.yaml").read_text()
    assert sorted(a for a in actions if a not in readme) == []
    assert sorted(a for a in actions if a not in template) == []
