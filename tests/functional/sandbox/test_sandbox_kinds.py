"""The scan benchmark's per-kind seeds (bench/scan.py --per-kind) make what the scan finds: a
kind whose bench resources went unseen would print a calls-per-resource figure of nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest
from watchdog_sandbox.kinds import bench_kinds
from watchdog_sandbox.seed import seed_region
from watchdog_sandbox.seed_clients import AwsClients
from watchdog_sandbox.seed_plan import RegionPlan

from watchdog.inventory import ScanRequest, scan

REGION = "us-east-1"


@pytest.mark.parametrize("kind", sorted(bench_kinds()))
def test_each_bench_seed_is_found_by_the_scan(aws: None, kind: str) -> None:
    clients = AwsClients(boto3.Session(region_name=REGION))
    seeds = tuple(bench_kinds()[kind](i) for i in range(3))
    seed_region(clients, clients.account_id(), REGION, RegionPlan(kinds=seeds), datetime.now(UTC))

    found = [r for r in scan(ScanRequest(regions=[REGION])).resources if r.kind == kind]

    assert len(found) == 3
    assert len({r.arn for r in found}) == 3
