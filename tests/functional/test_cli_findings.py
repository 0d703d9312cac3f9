"""`ai-watchdog findings`: where each recorded finding stands, read from the store only."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner, Result

from tests.unit.act.test_admission_rules import finding
from watchdog.cli.main import cli
from watchdog.store.base import Approval
from watchdog.store.sqlite import SqliteStore

NOW = datetime.now(UTC)


def store_url(tmp_path: Path) -> str:
    """f-open waits on its owner, f-approved was approved by alice, f-snoozed is snoozed and
    f-done is history."""
    store = SqliteStore(tmp_path / "w.db")
    ids = ("f-open", "f-approved", "f-snoozed", "f-done")
    store.save_findings("run-1", [finding(id=i, owner="bob@example.com") for i in ids], NOW)
    store.add_approval(
        Approval(
            id="ap-1",
            finding_id="f-approved",
            action="delete",
            approver="alice",
            via="cli",
            created_at=NOW,
            expires_at=NOW + timedelta(hours=24),
        )
    )
    store.set_finding_state("f-approved", "approved", "approved by alice via cli", NOW)
    until = NOW + timedelta(days=7)
    store.set_finding_state("f-snoozed", "snoozed", "snoozed by slack:U1 for 7 days", NOW, until)
    store.set_finding_state("f-done", "done", "every step is done", NOW)
    store.close()
    return f"sqlite:///{tmp_path / 'w.db'}"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["findings", *args])


def test_the_table_says_who_each_open_finding_waits_on_and_until_when(tmp_path: Path) -> None:
    result = run("--store", store_url(tmp_path))

    assert result.exit_code == 0, result.output
    out = result.output
    assert "bob@example.com: approve, snooze or exempt" in out
    expires = NOW + timedelta(hours=24)
    assert f"approved by alice until {expires:%Y-%m-%d %H:%M} UTC" in out
    assert f"until {NOW + timedelta(days=7):%Y-%m-%d %H:%M} UTC" in out
    assert "f-done" not in out  # history, not what waits on someone
    assert "3 findings" in out


def test_state_filters_and_json_carries_the_approval_and_snooze(tmp_path: Path) -> None:
    url = store_url(tmp_path)

    approved = json.loads(run("--store", url, "--state", "approved", "--format", "json").output)
    everything = json.loads(run("--store", url, "--state", "all", "--format", "json").output)

    [view] = approved
    assert (view["id"], view["approved_by"], view["owner"]) == (
        "f-approved",
        "alice",
        "bob@example.com",
    )
    assert datetime.fromisoformat(view["approval_expires_at"]) > NOW
    assert {v["id"] for v in everything} == {"f-open", "f-approved", "f-snoozed", "f-done"}
    snoozed = next(v for v in everything if v["id"] == "f-snoozed")
    assert datetime.fromisoformat(snoozed["snoozed_until"]) > NOW + timedelta(days=6)


def test_a_bad_state_is_a_usage_error_naming_the_states(tmp_path: Path) -> None:
    result = run("--store", store_url(tmp_path), "--state", "opne")

    assert result.exit_code == 2
    assert "opne" in result.output and "snoozed" in result.output


def test_an_empty_store_says_so(tmp_path: Path) -> None:
    result = run("--store", f"sqlite:///{tmp_path / 'empty.db'}")

    assert result.exit_code == 0, result.output
    assert "No findings in the store are open or approved or executing or snoozed" in result.output
