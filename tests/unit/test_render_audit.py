"""The audit command's pure parts: reading --since, naming targets, the table and its summary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from io import StringIO

import pytest
from rich.console import Console

from watchdog.cli.audit import parse_since
from watchdog.cli.render_audit import render_audit, target_name
from watchdog.store.base import AuditEntry

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d", NOW - timedelta(days=7)),
        ("12h", NOW - timedelta(hours=12)),
        ("30m", NOW - timedelta(minutes=30)),
        ("2w", NOW - timedelta(weeks=2)),
        ("3 d", NOW - timedelta(days=3)),
        ("2026-03-01", datetime(2026, 3, 1, tzinfo=UTC)),
        ("2026-03-01T09:30:00", datetime(2026, 3, 1, 9, 30, tzinfo=UTC)),
        ("2026-03-01T09:30:00Z", datetime(2026, 3, 1, 9, 30, tzinfo=UTC)),
        (
            "2026-03-01T09:30:00+02:00",
            datetime(2026, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=2))),
        ),
    ],
)
def test_since_reads_durations_and_iso_times(text: str, expected: datetime) -> None:
    assert parse_since(text, NOW) == expected


@pytest.mark.parametrize("text", ["", "7", "d7", "7y", "last week", "2026-02-30"])
def test_since_refuses_anything_else_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_since(text, NOW)


@pytest.mark.parametrize(
    ("arn", "name"),
    [
        ("arn:aws:sagemaker:us-east-1:1:endpoint/llm", "endpoint/llm"),
        ("arn:aws:bedrock:us-east-1:1:provisioned-model/abc", "provisioned-model/abc"),
        (
            "arn:aws:sagemaker:us-east-1:1:app/d-1/alice/jupyterlab/default",
            "app/d-1/alice/jupyterlab/default",
        ),
        ("not-an-arn", "not-an-arn"),
    ],
)
def test_targets_are_named_by_the_resource_part_of_their_arn(arn: str, name: str) -> None:
    assert target_name(arn) == name


def entry(audit_id: str, outcome: str, saved: float | None) -> AuditEntry:
    return AuditEntry.model_validate(
        {
            "id": audit_id,
            "at": NOW,
            "run_id": "r",
            "finding_id": "f",
            "op": "sagemaker:DeleteEndpoint",
            "target_arn": "arn:aws:sagemaker:us-east-1:1:endpoint/llm",
            "account": "1",
            "region": "us-east-1",
            "outcome": outcome,
            "monthly_cost_saved_usd": saved,
        }
    )


def rendered(entries: list[AuditEntry], limit: int = 50) -> str:
    buffer = StringIO()
    render_audit(entries, Console(file=buffer, width=200), limit=limit, since=None)
    return buffer.getvalue()


def test_only_done_changes_count_as_saved() -> None:
    out = rendered([entry("a", "done", 100.0), entry("b", "failed", 900.0)])

    assert "2 entries; done changes among them save $100.00/month" in out
    assert "Showing the newest" not in out


def test_a_full_page_says_there_may_be_more() -> None:
    assert "Showing the newest 1" in rendered([entry("a", "done", None)], limit=1)
