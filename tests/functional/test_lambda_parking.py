"""The Lambda handler on the parking schedule's event: what the stored findings' park
schedules ask for now, without a scan."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from lambda_handler import handler
from tests.functional.demo_snapshot import seed_demo
from tests.functional.test_lambda_handler import SCHEDULER_EVENT, LambdaContext
from watchdog.store.dynamodb import create_table


def test_the_parking_event_parks_what_the_stored_findings_schedule_without_a_scan(
    aws: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seed_demo()
    create_table(boto3.client("dynamodb", region_name="us-east-1"), "watchdog")
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "office-hours.yaml").write_text(
        "policies:\n"
        "  - name: office-hours\n"
        "    resource: [sagemaker-notebook-instance]\n"
        "    conditions: {status: [InService]}\n"
        "    action: park\n"
        "    approval: {mode: automatic, grace: 0h}\n"
        "    park: {at: '0 0 1 1 *', resume: on-demand}  # one occurrence, begun on 1 January\n"
    )
    for name, value in {
        "WATCHDOG_REGIONS": "us-east-1",
        "WATCHDOG_STORE": "dynamodb://watchdog",
        "WATCHDOG_POLICIES": str(policies),
        "WATCHDOG_CACHE_DIR": str(tmp_path),
        "WATCHDOG_COST_EXPLORER": "false",
    }.items():
        monkeypatch.setenv(name, value)
    sagemaker = boto3.client("sagemaker", region_name="us-east-1")

    def running() -> set[str]:
        listed = sagemaker.list_notebook_instances()["NotebookInstances"]
        return {
            n["NotebookInstanceName"] for n in listed if n["NotebookInstanceStatus"] == "InService"
        }

    before = running()
    cycle = handler(SCHEDULER_EVENT, LambdaContext(remaining_ms=900_000))  # dry run: stored
    monkeypatch.setenv("WATCHDOG_MODE", "enforce")
    tick = handler({"watchdog": "parking"}, LambdaContext(remaining_ms=900_000))

    assert cycle["mode"] == "dry-run"
    assert cycle["by_fate"]["would-run"] == len(before) - 1  # parks it would run
    assert running() == {"platform-admin"}  # tagged watchdog:exempt=true
    # A notebook someone else stopped is on the schedule too: found stopped, left alone.
    expected = {"done": 2, "already": 1}
    assert tick == {"park_findings": cycle["findings"], "steps_by_fate": expected}
    monkeypatch.delenv("WATCHDOG_STORE")
    with pytest.raises(ValueError, match="WATCHDOG_STORE must be set"):
        handler({"watchdog": "parking"}, None)
