"""Step progress on the SQLite file, kept out of store.py.

One row per step (`steps`, see schema.py). A claim is one upsert whose update has a WHERE:
it creates the step, or takes over one left reclaimable whose lease has lapsed, and RETURNING
says whether it won, so two processes never both hold a step. A mark moves only a step the
marking run holds and that has not finished. The functions run on the connection the store
hands them, inside its transaction (writes) or under its lock (reads).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from watchdog.store.base import (
    FINAL_STEP_STATES,
    RECLAIMABLE_STEP_STATES,
    MarkState,
    StepRecord,
    StoreConflict,
    step_conflict,
    time_key,
)
from watchdog.store.sqlite import rows as rows

# claim's condition, one named parameter per reclaimable state (:reclaim0, ...).
_RECLAIMABLE = {f"reclaim{i}": state for i, state in enumerate(RECLAIMABLE_STEP_STATES)}
_RECLAIMABLE_IN = ", ".join(f":{name}" for name in _RECLAIMABLE)


def claim(
    db: sqlite3.Connection,
    step_id: str,
    finding_id: str,
    run_id: str,
    now: datetime,
    lease: timedelta,
    holder: str,
    gone_run: str | None,
) -> StepRecord | None:
    row = rows.returned(
        db.execute(
            f"""INSERT INTO steps (step_id, finding_id, run_id, state, attempts,
                                  claimed_until, detail, updated_at, previous_state, holder)
               VALUES (:step, :finding, :run, 'claimed', 1, :until, '', :now, NULL, :holder)
               ON CONFLICT (step_id) DO UPDATE SET
                   finding_id = excluded.finding_id, run_id = excluded.run_id,
                   state = 'claimed', attempts = steps.attempts + 1,
                   claimed_until = excluded.claimed_until, detail = '',
                   updated_at = excluded.updated_at, previous_state = steps.state,
                   holder = excluded.holder
               WHERE steps.state IN ({_RECLAIMABLE_IN})
                 AND (steps.claimed_until IS NULL OR steps.claimed_until < :now
                      OR steps.run_id = :gone)
               RETURNING *""",
            {
                "step": step_id,
                "finding": finding_id,
                "run": run_id,
                "until": time_key(now + lease),
                "now": time_key(now),
                "holder": holder,
                "gone": gone_run,
                **_RECLAIMABLE,
            },
        )
    )
    return None if row is None else rows.step(row)


def mark(
    db: sqlite3.Connection,
    step_id: str,
    run_id: str,
    state: MarkState,
    detail: str,
    now: datetime,
) -> None:
    """Raises StoreConflict, saying why, when the run does not hold the step."""
    release = state != "started"
    cursor = db.execute(
        f"""UPDATE steps SET state = ?, detail = ?, updated_at = ?,
                claimed_until = CASE WHEN ? THEN NULL ELSE claimed_until END
            WHERE step_id = ? AND run_id = ?
              AND state NOT IN ({", ".join("?" * len(FINAL_STEP_STATES))})""",
        (state, detail, time_key(now), release, step_id, run_id, *FINAL_STEP_STATES),
    )
    if cursor.rowcount == 0:
        raise StoreConflict(step_conflict(step_id, run_id, get(db, step_id)))


def get(db: sqlite3.Connection, step_id: str) -> StepRecord | None:
    row = db.execute("SELECT * FROM steps WHERE step_id = ?", (step_id,)).fetchone()
    return None if row is None else rows.step(row)


def list_for(db: sqlite3.Connection, finding_id: str) -> list[StepRecord]:
    found = db.execute(
        "SELECT * FROM steps WHERE finding_id = ? ORDER BY step_id", (finding_id,)
    ).fetchall()
    return [rows.step(row) for row in found]
