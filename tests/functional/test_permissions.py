"""The read-only IAM permissions documented in the README and granted in template.yaml are
exactly the calls a full scan makes: a scan of the seeded organization proves it."""

from __future__ import annotations

from pathlib import Path

import boto3

from watchdog.inventory import ScanRequest, scan
from watchdog.sandbox.seed import (
    DEMO_EXTERNAL_ID,
    DEMO_REGIONS,
    MEMBER_ROLE_NAME,
    seed_demo_account,
)

ROOT = Path(__file__).resolve().parents[2]
IAM_PREFIX = {"resourcegroupstaggingapi": "tag"}


def test_every_call_of_a_full_scan_is_documented_and_granted(aws: None) -> None:
    seed_demo_account(boto3.Session(region_name="us-east-1"))

    result = scan(
        ScanRequest(
            regions=["all"],
            accounts="organization",
            member_role=MEMBER_ROLE_NAME,
            external_id=DEMO_EXTERNAL_ID,
            max_workers=16,
        )
    )

    assert result.errors == []
    assert {r.region for r in result.resources} == set(DEMO_REGIONS)
    actions = set()
    for operation in result.stats.api_calls_by_operation:
        service, name = operation.split(":")
        actions.add(f"{IAM_PREFIX.get(service, service)}:{name}")
    readme = (ROOT / "README.md").read_text()
    template = (ROOT / "template.yaml").read_text()
    assert sorted(a for a in actions if a not in readme) == []
    assert sorted(a for a in actions if a not in template) == []
