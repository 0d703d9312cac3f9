"""Turning the SQLite file's rows into the store's models, kept out of store.py.

Rows come as sqlite3.Row (the store's row_factory) and are read by column name. Times are the
fixed-width UTC text of base.time_key, NULL where the model holds None.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from watchdog.findings import Finding
from watchdog.store.base import Approval, StepRecord, StoredFinding, from_time_key


def optional_time(text: str | None) -> datetime | None:
    return None if text is None else from_time_key(text)


def returned(cursor: sqlite3.Cursor) -> Any:
    """The row a RETURNING statement gave, or None. Fetches all rows, so the statement is
    finished before COMMIT (an unfinished one would keep the transaction busy)."""
    rows = cursor.fetchall()
    return rows[0] if rows else None


def step(row: sqlite3.Row) -> StepRecord:
    return StepRecord(
        step_id=row["step_id"],
        finding_id=row["finding_id"],
        run_id=row["run_id"],
        state=row["state"],
        attempts=row["attempts"],
        claimed_until=optional_time(row["claimed_until"]),
        detail=row["detail"],
        updated_at=from_time_key(row["updated_at"]),
        previous_state=row["previous_state"],
        holder=row["holder"],
    )


def approval(row: sqlite3.Row) -> Approval:
    return Approval(
        id=row["id"],
        finding_id=row["finding_id"],
        action=row["action"],
        approver=row["approver"],
        via=row["via"],
        created_at=from_time_key(row["created_at"]),
        expires_at=from_time_key(row["expires_at"]),
        consumed_at=optional_time(row["consumed_at"]),
    )


def stored_finding(row: sqlite3.Row) -> StoredFinding:
    return StoredFinding(
        finding=Finding.model_validate_json(row["body"]),
        first_seen=from_time_key(row["first_seen"]),
        last_seen=from_time_key(row["last_seen"]),
        last_run_id=row["last_run_id"],
        state=row["state"],
        state_detail=row["state_detail"],
        state_changed_at=from_time_key(row["state_changed_at"]),
        state_until=optional_time(row["state_until"]),
    )
