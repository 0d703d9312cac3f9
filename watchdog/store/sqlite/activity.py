"""When each resource was last active (store/activity.py) on the SQLite file, kept out of
store.py. One row per resource, every field a column; the functions run on the connection the
store hands them, inside its transaction (writes) or under its lock (reads)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from watchdog.store.activity import LastActive
from watchdog.store.base import from_time_key, time_key


def recall(db: sqlite3.Connection, account: str, region: str) -> list[LastActive]:
    rows = db.execute(
        "SELECT * FROM activity WHERE account = ? AND region = ? ORDER BY arn", (account, region)
    ).fetchall()
    return [
        LastActive(
            arn=row["arn"],
            account=row["account"],
            region=row["region"],
            at=from_time_key(row["at"]),
            queries=row["queries"],
            recorded_at=from_time_key(row["recorded_at"]),
        )
        for row in rows
    ]


def remember(db: sqlite3.Connection, entries: Sequence[LastActive]) -> None:
    db.executemany(
        "INSERT OR REPLACE INTO activity (arn, account, region, at, queries, recorded_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            (e.arn, e.account, e.region, time_key(e.at), e.queries, time_key(e.recorded_at))
            for e in entries
        ],
    )
