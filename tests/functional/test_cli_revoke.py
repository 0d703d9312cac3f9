"""`ai-watchdog approve --revoke`: a pending approval withdrawn, audited, never usable again."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from tests.functional.test_cli_approve import store_with_findings
from watchdog.cli.main import cli
from watchdog.store.sqlite import SqliteStore


def test_revoke_withdraws_the_pending_approval_and_audits_it(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    store_with_findings(db)
    url = f"sqlite:///{db}"
    runner = CliRunner()
    assert runner.invoke(cli, ["approve", "f-1", "--store", url]).exit_code == 0

    result = runner.invoke(cli, ["approve", "--revoke", "f-1", "--store", url])

    assert result.exit_code == 0, result.output
    me = getpass.getuser()
    assert f"Revoked 1 approval of finding f-1 (by {me})" in result.output
    store = SqliteStore(db)
    assert store.pending_approval("f-1", "delete", datetime.now(UTC)) is None
    stored = store.get_finding("f-1")
    assert stored is not None and stored.state == "open"
    assert stored.state_detail == f"approval by {me} revoked by {me}"
    [entry] = store.list_audit()
    assert entry.op == "watchdog:RevokeApproval" and entry.outcome == "cancelled"
    assert entry.approved_by == me and "revoked by" in entry.detail
    audit = runner.invoke(cli, ["audit", "--store", url])
    assert "watchdog:RevokeApproval" in audit.output


def test_revoke_without_a_pending_approval_is_one_line_and_exit_2(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    store_with_findings(db)

    result = CliRunner().invoke(cli, ["approve", "--revoke", "f-1", "--store", f"sqlite:///{db}"])

    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: finding f-1 has no pending approval to revoke"


def test_with_an_approver_allowlist_the_cli_is_refused_as_links_are(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    store_with_findings(db)

    result = CliRunner().invoke(
        cli,
        ["approve", "f-1", "--store", f"sqlite:///{db}"],
        env={"WATCHDOG_SLACK_APPROVERS": "U0ALICE"},
    )

    assert result.exit_code == 2
    assert "limited to WATCHDOG_SLACK_APPROVERS" in result.stderr
    assert SqliteStore(db).pending_approval("f-1", "delete", datetime.now(UTC)) is None
