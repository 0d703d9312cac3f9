"""`ai-watchdog audit` against a real SQLite store: the table, the JSON, --limit, --since and the
usage errors, through click's test runner (no subprocess needed: it reads only the store)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from watchdog.cli.audit import audit
from watchdog.store.base import AuditEntry
from watchdog.store.sqlite import SqliteStore

NOW = datetime.now(UTC)
ENDPOINT_ARN = "arn:aws:sagemaker:us-east-1:123456789012:endpoint/llm-endpoint"
NOTEBOOK_ARN = "arn:aws:sagemaker:eu-west-1:123456789012:notebook-instance/scratch"


def entry(audit_id: str, age: timedelta, **fields: Any) -> AuditEntry:
    values: dict[str, Any] = {
        "id": audit_id,
        "at": NOW - age,
        "run_id": "run-1",
        "finding_id": "finding-1",
        "op": "sagemaker:DeleteEndpoint",
        "target_arn": ENDPOINT_ARN,
        "account": "123456789012",
        "region": "us-east-1",
        "outcome": "done",
        "approved_by": "alice@example.com",
        "description": {"EndpointName": "llm-endpoint", "CreationTime": NOW - timedelta(days=90)},
        "monthly_cost_saved_usd": 1090.5,
    }
    return AuditEntry(**(values | fields))


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    path = tmp_path / "watchdog.db"
    store = SqliteStore(path)
    store.append_audit(entry("audit-old", timedelta(days=10)))
    store.append_audit(
        entry(
            "audit-new",
            timedelta(hours=1),
            op="sagemaker:StopNotebookInstance",
            target_arn=NOTEBOOK_ARN,
            region="eu-west-1",
            outcome="refused",
            approved_by=None,
            monthly_cost_saved_usd=None,
            detail="tagged watchdog:exempt=true since the finding",
        )
    )
    store.close()
    return f"sqlite:///{path}"


def run(*args: str) -> Result:
    return CliRunner().invoke(audit, list(args))


def test_the_table_shows_newest_first_with_ids_and_savings(store_url: str) -> None:
    result = run("--store", store_url)

    assert result.exit_code == 0, result.output
    out = result.output
    assert out.index("audit-new") < out.index("audit-old")
    for text in (
        "endpoint/llm-endpoint",
        "notebook-instance/scratch",
        "alice@example.com",
        "$1,090.50",
        "refused",
        "sagemaker:StopNotebookInstance",
    ):
        assert text in out
    assert "2 entries; done changes among them save $1,090.50/month" in out
    assert "ai-watchdog restore ID" in out


def test_json_is_the_full_entries_for_restore(store_url: str) -> None:
    result = run("--store", store_url, "--format", "json")

    assert result.exit_code == 0, result.output
    entries = [AuditEntry.model_validate(item) for item in json.loads(result.output)]
    assert [e.id for e in entries] == ["audit-new", "audit-old"]
    assert entries[1].description["EndpointName"] == "llm-endpoint"
    assert entries[0].detail.startswith("tagged watchdog:exempt")


def test_limit_keeps_the_newest_and_says_there_may_be_more(store_url: str) -> None:
    result = run("--store", store_url, "--limit", "1")

    assert result.exit_code == 0, result.output
    assert "audit-new" in result.output and "audit-old" not in result.output
    assert "Showing the newest 1" in result.output


def test_a_short_page_still_totals_the_savings_of_the_whole_log(store_url: str) -> None:
    # The saving is on the older entry, which --limit 1 does not show.
    result = run("--store", store_url, "--limit", "1")

    assert result.exit_code == 0, result.output
    assert (
        "1 shown of 2 entries in the whole log; done changes in the whole log save "
        "$1,090.50/month" in result.output
    )
    assert "$0.00" not in result.output


def test_a_short_page_totals_the_savings_of_the_since_window_only(store_url: str) -> None:
    in_window = run("--store", store_url, "--limit", "1", "--since", "30d")
    outside = run("--store", store_url, "--limit", "1", "--since", "7d")

    assert "1 shown of 2 entries since" in in_window.output
    assert "done changes in this window save $1,090.50/month" in in_window.output
    assert "1 entry; done changes among them save $0.00/month" in outside.output
    assert "Showing the newest" not in outside.output


@pytest.mark.parametrize(
    "since", ["7d", "168h", "1w", (NOW - timedelta(days=2)).date().isoformat()]
)
def test_since_drops_older_entries(store_url: str, since: str) -> None:
    result = run("--store", store_url, "--since", since, "--format", "json")

    assert result.exit_code == 0, result.output
    assert [item["id"] for item in json.loads(result.output)] == ["audit-new"]


def test_since_an_aware_time_is_taken_in_its_zone(store_url: str) -> None:
    two_hours_ago = (NOW - timedelta(hours=2)).astimezone(UTC).replace(tzinfo=None)
    as_in_paris = (two_hours_ago + timedelta(hours=1)).isoformat() + "+01:00"

    result = run("--store", store_url, "--since", as_in_paris, "--format", "json")

    assert [item["id"] for item in json.loads(result.output)] == ["audit-new"]


@pytest.mark.parametrize("since", ["yesterday", "7x", "2025-13-01", "-3d"])
def test_a_bad_since_is_a_usage_error(store_url: str, since: str) -> None:
    result = run("--store", store_url, "--since", since)

    assert result.exit_code == 2
    assert "Invalid value for '--since'" in result.output
    assert "7d" in result.output  # the message names the accepted forms


def test_a_bad_limit_is_a_usage_error(store_url: str) -> None:
    result = run("--store", store_url, "--limit", "0")

    assert result.exit_code == 2


def test_an_empty_log_says_so(tmp_path: Path) -> None:
    result = run("--store", f"sqlite:///{tmp_path / 'empty.db'}")

    assert result.exit_code == 0, result.output
    assert "The audit log is empty" in result.output


def test_nothing_since_says_so_and_json_is_an_empty_list(store_url: str) -> None:
    table = run("--store", store_url, "--since", "30m")
    as_json = run("--store", store_url, "--since", "30m", "--format", "json")

    assert "No audit entries since" in table.output
    assert json.loads(as_json.output) == []


def test_an_unusable_store_url_fails_cleanly() -> None:
    result = run("--store", "postgres://nope")

    assert result.exit_code == 2
    assert "unsupported store URL" in result.output
