"""Restore of stopped notebooks against the sandbox, and the restore command end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.functional.restore.support import audit, run, stop_and_record
from watchdog.act.restore import RestoreRefused, RestoreResult
from watchdog.cli.restore import restore as restore_command
from watchdog.store.sqlite import SqliteStore


def test_a_stopped_notebook_is_started_again(notebook: str, sm: Any, store: SqliteStore) -> None:
    entry = stop_and_record(sm, store, notebook)

    result = run(store, entry.id)

    assert [a.op for a in result.plan.actions] == ["sagemaker:StartNotebookInstance"]
    status = sm.describe_notebook_instance(NotebookInstanceName=notebook)
    assert status["NotebookInstanceStatus"] in ("Pending", "InService")
    assert len(result.audit_ids) == 1


def test_refused_for_a_notebook_deleted_since_it_was_stopped(
    notebook: str, sm: Any, store: SqliteStore
) -> None:
    entry = stop_and_record(sm, store, notebook)
    sm.delete_notebook_instance(NotebookInstanceName=notebook)

    with pytest.raises(RestoreRefused, match="its ML storage volume with it"):
        run(store, entry.id)


def test_refused_for_a_notebook_that_is_not_stopped(
    notebook: str, sm: Any, store: SqliteStore
) -> None:
    entry = stop_and_record(sm, store, notebook)
    sm.start_notebook_instance(NotebookInstanceName=notebook)

    with pytest.raises(RestoreRefused, match="not Stopped"):
        run(store, entry.id)


def test_refused_for_a_deleted_notebook(notebook: str, sm: Any, store: SqliteStore) -> None:
    sm.stop_notebook_instance(NotebookInstanceName=notebook)
    entry = audit(store, sm, "sagemaker-notebook-instance", notebook)
    sm.delete_notebook_instance(NotebookInstanceName=notebook)

    with pytest.raises(RestoreRefused) as refused:
        run(store, entry.id)

    assert "ML storage volume" in str(refused.value)
    assert "ai-watchdog audit --format json" in str(refused.value)


def test_the_command_dry_runs_then_executes(
    hosted: None, sm: Any, tmp_path: Path, store: SqliteStore
) -> None:
    entry = audit(store, sm, "sagemaker-endpoint", "chat")
    sm.delete_endpoint(EndpointName="chat")
    url = f"sqlite://{store.path}"
    runner = CliRunner()

    dry = runner.invoke(restore_command, [entry.id, "--store", url])
    assert dry.exit_code == 0, dry.output
    assert "dry run" in dry.output and "sagemaker:CreateEndpoint" in dry.output
    assert sm.list_endpoints()["Endpoints"] == []

    done = runner.invoke(
        restore_command, [entry.id, "--store", url, "--execute", "--format", "json"]
    )
    assert done.exit_code == 0, done.output
    assert RestoreResult.model_validate_json(done.output).executed
    assert sm.describe_endpoint(EndpointName="chat")

    again = runner.invoke(restore_command, [entry.id, "--store", url, "--execute"])
    assert again.exit_code == 2
    assert "endpoint chat exists again" in again.output
