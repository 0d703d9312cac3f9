"""The contract suite's fixtures: one `store` per backend, and findings and plans to put in it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest

from tests.unit.evaluate.factories import endpoint, record
from watchdog.findings import Evidence, Finding, Retained, Step, finding_id, step_id
from watchdog.policies.schema import Action
from watchdog.records import BillingMode, ResourceRecord
from watchdog.store import Approval, AuditEntry, Store, TeardownPlan
from watchdog.store.dynamodb import DynamoStore, create_table
from watchdog.store.sqlite import SqliteStore

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
TABLE = "watchdog-test"
BACKENDS = ["sqlite", "dynamodb"]
LEASE = timedelta(minutes=15)


def dynamodb_client() -> object:
    return boto3.client("dynamodb", region_name="us-east-1")


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each contract test runs once per backend: SQLite on a fresh file, DynamoDB on moto."""
    opened: Store
    if request.param == "sqlite":
        opened = SqliteStore(tmp_path / "state" / "watchdog.db")
    else:
        request.getfixturevalue("aws")
        client = dynamodb_client()
        create_table(client, TABLE)
        opened = DynamoStore(client, TABLE)
    yield opened
    opened.close()


def finding(name: str = "llm", action: Action = "delete", reason: str = "idle 14 days") -> Finding:
    """A realistic finding: an idle endpoint with its planned steps and retained parts."""
    resource = endpoint(name)
    delete = step_id("sagemaker:DeleteEndpoint", resource.arn)
    return Finding(
        id=finding_id("idle-endpoints", resource.arn, action),
        resource=resource,
        policy="idle-endpoints",
        action=action,
        reason=reason,
        evidence=Evidence(
            state="idle",
            window_hours=336,
            invocations=0,
            threshold=1,
            facts={"invocations": "0 in 14 days"},
        ),
        monthly_cost_usd=1027.84,
        cost_basis="price-list",
        cost_source="AWS Price List API",
        confidence="high",
        owner="ml-team",
        steps=(
            Step(
                id=delete,
                op="sagemaker:DeleteEndpoint",
                target_arn=resource.arn,
                target_kind="sagemaker-endpoint",
                target_name=name,
                params={"EndpointName": name},
            ),
        ),
        retained=(Retained(what=f"endpoint config {name}-config", reason="shared"),),
    )


def endpoint_config(name: str = "llm-config") -> ResourceRecord:
    return record(
        "sagemaker-endpoint-config",
        name,
        f"endpoint-config/{name}",
        last_modified_at=NOW - timedelta(days=2),
        tags={"team": "ml"},
        billing=BillingMode(mode="none"),
        used_by_arns=(endpoint().arn,),
    )


def plan(
    run_id: str = "r-1",
    created_at: datetime = NOW,
    targets: tuple[ResourceRecord, ...] | None = None,
    name: str = "llm",
) -> TeardownPlan:
    """The plan an execution of `finding(name)` starts with: its steps and their targets."""
    executed = finding(name)
    return TeardownPlan(
        finding_id=executed.id,
        run_id=run_id,
        created_at=created_at,
        finding=executed,
        targets=(endpoint(name), endpoint_config(f"{name}-config")) if targets is None else targets,
        approved_by="U123 (alice)",
        fingerprint=f"sha256:{name}-{run_id}",
    )


def approval(
    id: str = "a-1",
    finding_id: str = "f-1",
    action: str = "delete",
    expires_in: timedelta = timedelta(hours=24),
    **fields: object,
) -> Approval:
    return Approval.model_validate(
        {
            "id": id,
            "finding_id": finding_id,
            "action": action,
            "approver": "U123 (alice)",
            "via": "slack",
            "created_at": NOW,
            "expires_at": NOW + expires_in,
            **fields,
        }
    )


def audit(id: str, at_offset: timedelta = timedelta(0), **fields: object) -> AuditEntry:
    return AuditEntry.model_validate(
        {
            "id": id,
            "at": NOW + at_offset,
            "run_id": "r-1",
            "finding_id": "f-1",
            "step_id": "s-1",
            "op": "sagemaker:DeleteEndpoint",
            "target_arn": "arn:aws:sagemaker:us-east-1:111122223333:endpoint/llm",
            "account": "111122223333",
            "region": "us-east-1",
            "outcome": "done",
            "approved_by": "U123 (alice)",
            "monthly_cost_saved_usd": 1027.84,
            **fields,
        }
    )
