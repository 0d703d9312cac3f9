"""The Lambda handler on a scheduled event: a plan of the configured scope, logged and returned."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from lambda_handler import handler
from watchdog.sandbox.seed import DEMO_EXTERNAL_ID, MEMBER_ROLE_NAME, seed_demo_account
from watchdog.store.dynamodb_table import create_table

SCHEDULER_EVENT: dict[str, Any] = {
    "version": "0",
    "id": "4b0ab4f2-0f6b-4d3c-9b1f-6f9e3f0e2d8a",
    "detail-type": "Scheduled Event",
    "source": "aws.scheduler",
    "account": "123456789012",
    "time": "2026-11-24T07:00:00Z",
    "region": "us-east-1",
    "resources": ["arn:aws:scheduler:us-east-1:123456789012:schedule/default/watchdog"],
    "detail": "{}",
}


def test_a_scheduled_event_returns_the_plan_summary(
    aws: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_demo_account(boto3.Session(region_name="us-east-1"))
    for name, value in {
        "WATCHDOG_REGIONS": "us-east-1,us-west-2",
        "WATCHDOG_ACCOUNTS": "organization",
        "WATCHDOG_MEMBER_ROLE": MEMBER_ROLE_NAME,
        "WATCHDOG_EXTERNAL_ID": DEMO_EXTERNAL_ID,
        "WATCHDOG_CACHE_DIR": str(tmp_path),
        "WATCHDOG_LOG_LEVEL": "info",
    }.items():
        monkeypatch.setenv(name, value)

    summary = handler(SCHEDULER_EVENT, None)

    json.dumps(summary)  # what Lambda returns must serialise
    assert summary["errors"] == []
    assert summary["findings"] > 0
    assert summary["by_action"]["delete"] >= 1
    assert summary["monthly_savings_usd"] > 0
    assert summary["get_metric_data_calls"] == 4
    logged = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
    findings = [entry for entry in logged if entry.get("event") == "finding"]
    assert len(findings) == summary["findings"]
    assert all(entry["resource_arn"].startswith("arn:aws:") for entry in findings)


class LambdaContext:
    """The part of Lambda's context object the handler reads."""

    def __init__(self, remaining_ms: int) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def test_with_a_store_in_enforce_mode_a_teardown_spans_invocations_at_the_deadline(
    aws: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seed_demo_account(boto3.Session(region_name="us-east-1"))
    create_table(boto3.client("dynamodb", region_name="us-east-1"), "watchdog")
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "tear-down.yaml").write_text(
        "policies:\n"
        "  - name: tear-down\n"
        "    resource: [sagemaker-domain]\n"
        "    conditions: {older_than: 1h}\n"
        "    action: delete\n"
        "    approval: {mode: automatic, grace: 0h}\n"
    )
    for name, value in {
        "WATCHDOG_REGIONS": "us-east-1",
        "WATCHDOG_STORE": "dynamodb://watchdog",
        "WATCHDOG_MODE": "enforce",
        "WATCHDOG_POLICIES": str(policies),
        "WATCHDOG_CACHE_DIR": str(tmp_path),
        "WATCHDOG_COST_EXPLORER": "false",
        "WATCHDOG_POLL_SECONDS": "0.05",
    }.items():
        monkeypatch.setenv(name, value)

    # Less time left than the handler keeps in reserve: it starts nothing and says so.
    first = handler(SCHEDULER_EVENT, LambdaContext(remaining_ms=10_000))
    second = handler(SCHEDULER_EVENT, LambdaContext(remaining_ms=900_000))

    assert first["mode"] == "execute" and first["stopped"] == "deadline"
    assert first["verdict"] == "partial"
    assert second["verdict"] == "done" and second["by_fate"] == {"done": 1}
    assert boto3.client("sagemaker", region_name="us-east-1").list_domains()["Domains"] == []
