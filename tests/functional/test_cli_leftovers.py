"""`ai-watchdog leftovers`: reports a deleted domain's leftovers, deletes them only with
--execute (warning first, each deletion audited), and refuses or explains every other case."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner

from tests.functional.studio_domains import (
    ACCOUNT,
    REGION,
    Domain,
    create_domain,
    deleted,
)
from watchdog.act.leftovers import domain_arn
from watchdog.cli.leftovers import leftovers as leftovers_command
from watchdog.store.base import AuditEntry
from watchdog.store.open import open_store

__all__ = ["deleted"]  # fixtures, used by name


@pytest.fixture(autouse=True)
def store_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The command's audit log, in the test's own folder (never the user's state directory)."""
    url = f"sqlite:///{tmp_path}/watchdog.db"
    monkeypatch.setenv("WATCHDOG_STORE", url)
    return url


def run(*args: str) -> Any:
    return CliRunner().invoke(leftovers_command, list(args))


def test_cli_reports_without_deleting(deleted: Domain) -> None:
    result = run("--domain-id", deleted.id)

    assert result.exit_code == 0, result.output
    assert deleted.efs_id in result.output
    assert "security-group-for-inbound-nfs" in result.output
    assert "Dry run: nothing was changed" in result.output
    assert "WARNING" not in result.output
    efs = boto3.client("efs", region_name=REGION)
    assert efs.describe_file_systems(FileSystemId=deleted.efs_id)["FileSystems"]


def test_cli_json_lists_leftovers_and_planned_deletions(deleted: Domain) -> None:
    result = run("--domain-id", deleted.id, "--region", REGION, "--format", "json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["executed"] is False
    assert report["leftovers"]["file_system"]["file_system_id"] == deleted.efs_id
    assert len(report["deletions"]) == 7


def test_cli_execute_warns_and_deletes(deleted: Domain) -> None:
    result = run("--domain-id", deleted.id, "--execute")

    assert result.exit_code == 0, result.output
    assert "WARNING" in result.stderr and "home directories" in result.stderr
    assert "Done: 7 call(s)" in result.stdout
    assert "left nothing behind" in run("--domain-id", deleted.id).output


def test_cli_refuses_while_the_domain_exists(aws: None) -> None:
    domain = create_domain()

    result = run("--domain-id", domain.id, "--execute")

    assert result.exit_code == 2
    assert "still exists" in result.output
    assert "WARNING" not in result.output


@pytest.mark.parametrize(
    "args", [["--domain-id", "research"], ["--domain-id", "d-x", "--account", "12"]]
)
def test_cli_rejects_malformed_ids_before_any_call(args: list[str]) -> None:
    result = run(*args)

    assert result.exit_code == 2
    assert "Invalid value" in result.output


def test_cli_says_an_id_it_knows_nothing_of_is_unknown(aws: None) -> None:
    result = run("--domain-id", "d-doesnotexist", "--region", REGION)

    assert result.exit_code == 2
    assert "unknown domain d-doesnotexist" in result.output
    assert "left nothing behind" not in result.output


def test_cli_execute_records_each_deletion_in_the_audit_log(
    deleted: Domain, store_url: str
) -> None:
    assert run("--domain-id", deleted.id, "--execute").exit_code == 0

    store = open_store(store_url)
    try:
        entries = store.list_audit()
    finally:
        store.close()
    assert len(entries) == 7
    assert {e.description["domain_arn"] for e in entries} == {deleted.arn}
    assert f"file-system/{deleted.efs_id}" in {e.target_arn.split(":", 5)[5] for e in entries}


def test_cli_after_the_watchdog_deleted_the_domain_and_its_home_says_nothing_is_left(
    aws: None, store_url: str
) -> None:
    arn = domain_arn(ACCOUNT, REGION, "d-gone0home")
    store = open_store(store_url)
    store.append_audit(
        AuditEntry(
            id="a-1-done",
            at=datetime(2025, 6, 1, tzinfo=UTC),
            run_id="r-1",
            finding_id="f-1",
            op="sagemaker:DeleteDomain",
            target_arn=arn,
            account=ACCOUNT,
            region=REGION,
            outcome="done",
        )
    )
    store.close()

    result = run("--domain-id", "d-gone0home", "--region", REGION)

    assert result.exit_code == 0, result.output
    assert "left nothing behind" in result.output
    assert "sagemaker:DeleteDomain on 2025-06-01" in result.output
