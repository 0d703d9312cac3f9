"""An organisation for the scan and plan benchmarks: the management account and members, each
with endpoints in several regions (own config each, a few shared models), the watchdog's member
role deployed in every member as the demo does it. No metrics: a scan's and a plan's calls are
what the benchmark counts, and an unmeasured endpoint is still planned (unknown, never idle)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.config import Config

from watchdog_sandbox.seed import (
    DEMO_EXTERNAL_ID,
    MEMBER_ROLE_NAME,
    ORG_ACCESS_ROLE,
    _create_roles,
)
from watchdog_sandbox.seed_bench import _BenchSeeder, _endpoint
from watchdog_sandbox.seed_clients import AwsClients
from watchdog_sandbox.seed_metrics import MetricWriter
from watchdog_sandbox.seed_sagemaker import ModelSpec, create_model


@dataclass(frozen=True)
class OrgSeed:
    management_account_id: str
    member_account_ids: tuple[str, ...]
    endpoints: int
    member_role: str = MEMBER_ROLE_NAME
    external_id: str = DEMO_EXTERNAL_ID


def seed_org_endpoints(
    session: boto3.Session,
    endpoint_url: str,
    *,
    accounts: int,
    regions: tuple[str, ...],
    per_region: int,
    workers: int = 8,
) -> OrgSeed:
    """`accounts` accounts in all (the management account and its members), each with
    `per_region` endpoints in each of `regions`."""
    config = Config(max_pool_connections=max(10, workers), retries={"mode": "standard"})
    management = AwsClients(session, endpoint_url, config)
    management_id = management.account_id()
    org = management.organizations()
    org.create_organization(FeatureSet="ALL")
    members = [_member(org, i) for i in range(accounts - 1)]
    _create_roles(management, management_id, DEMO_EXTERNAL_ID)
    clients = [management]
    for member_id in members:
        bootstrap = management.assume(
            f"arn:aws:iam::{member_id}:role/{ORG_ACCESS_ROLE}", None, "bench-bootstrap"
        )
        _create_roles(bootstrap, management_id, DEMO_EXTERNAL_ID)
        clients.append(bootstrap)
    for account in clients:
        for region in regions:
            _endpoints(account, region, per_region, workers)
    return OrgSeed(management_id, tuple(members), accounts * len(regions) * per_region)


def _member(org: Any, index: int) -> str:
    answer = org.create_account(
        Email=f"bench-{index:02d}@example.com", AccountName=f"bench-{index:02d}"
    )
    # moto creates the account at once (AWS: asynchronously).
    request = answer["CreateAccountStatus"]["Id"]
    status = org.describe_create_account_status(CreateAccountRequestId=request)
    return str(status["CreateAccountStatus"]["AccountId"])


def _endpoints(clients: AwsClients, region: str, count: int, workers: int) -> None:
    seeder = _BenchSeeder(clients, region)
    for k in range(2):
        create_model(seeder.sm, ModelSpec(f"bench-model-{k}"), region, seeder.role)
    now = datetime.now(UTC)
    writer = MetricWriter(clients.cloudwatch(region), now, hours=0)
    seeder.endpoints([_endpoint(i, 2) for i in range(count)], writer, workers, now)
