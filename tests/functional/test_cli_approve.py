"""`ai-watchdog approve`: a person's yes from the command line, recorded under the OS user."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from tests.unit.act.test_admission_rules import finding
from watchdog.cli.main import cli
from watchdog.store.sqlite import SqliteStore


def store_with_findings(path: Path) -> None:
    store = SqliteStore(path)
    store.save_findings(
        "run-1",
        [finding(), finding(id="f-notify", action="notify", steps=())],
        datetime.now(UTC),
    )
    store.close()


def test_approve_records_a_single_use_expiring_approval(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    store_with_findings(db)

    result = CliRunner().invoke(
        cli, ["approve", "f-1", "--store", f"sqlite:///{db}", "--expires-in", "2h"]
    )

    assert result.exit_code == 0, result.output
    assert "Approved delete for finding f-1" in result.output
    store = SqliteStore(db)
    now = datetime.now(UTC)
    approval = store.pending_approval("f-1", "delete", now)
    assert approval is not None
    assert approval.approver == getpass.getuser() and approval.via == "cli"
    assert approval.expires_at - approval.created_at == timedelta(hours=2)
    assert store.pending_approval("f-1", "delete", now + timedelta(hours=3)) is None


def test_approve_refuses_clearly(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    store_with_findings(db)
    runner = CliRunner()
    url = f"sqlite:///{db}"

    notify = runner.invoke(cli, ["approve", "f-notify", "--store", url])
    bad = runner.invoke(cli, ["approve", "f-1", "--store", url, "--expires-in", "soon"])

    # An unknown id is looked up in a fresh plan: test_cli_approve_fresh.py.
    assert notify.exit_code == 2 and "nothing to approve" in notify.output
    assert bad.exit_code == 2 and "--expires-in" in bad.output
