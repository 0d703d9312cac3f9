"""Slack message references on the SQLite file, kept out of store.py.

One row per finding (`messages`, see schema.py), every field a column, so a person can see
in the file where each finding was announced. The functions run on the connection the store
hands them (rows as sqlite3.Row), inside its transaction (writes) or under its lock (reads).
"""

from __future__ import annotations

import sqlite3

from watchdog.store.base import PostedMessage, from_time_key, time_key


def save(db: sqlite3.Connection, message: PostedMessage) -> None:
    """Upsert by finding id: the message's latest rendering replaces what was stored."""
    m = message
    db.execute(
        "INSERT OR REPLACE INTO messages (finding_id, channel, ts, posted_at, shown_state, "
        "shown_detail, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            m.finding_id,
            m.channel,
            m.ts,
            time_key(m.posted_at),
            m.shown_state,
            m.shown_detail,
            time_key(m.updated_at),
        ),
    )


def get(db: sqlite3.Connection, finding_id: str) -> PostedMessage | None:
    row = db.execute("SELECT * FROM messages WHERE finding_id = ?", (finding_id,)).fetchone()
    return None if row is None else _message(row)


def list_all(db: sqlite3.Connection) -> list[PostedMessage]:
    rows = db.execute("SELECT * FROM messages ORDER BY finding_id").fetchall()
    return [_message(row) for row in rows]


def _message(row: sqlite3.Row) -> PostedMessage:
    return PostedMessage(
        finding_id=row["finding_id"],
        channel=row["channel"],
        ts=row["ts"],
        posted_at=from_time_key(row["posted_at"]),
        shown_state=row["shown_state"],
        shown_detail=row["shown_detail"],
        updated_at=from_time_key(row["updated_at"]),
    )
