"""When each resource was last active, and the places' quiet checks (store/activity.py) on the
SQLite file, kept out of store.py. One row per resource or check, every field a column; the
functions run on the connection the store hands them, inside its transaction (writes) or under
its lock (reads)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime

from watchdog.store.activity import LastActive, QuietCheck
from watchdog.store.base import from_time_key, time_key
from watchdog.store.sqlite.rows import optional_time

_ENTRY_FIELDS = ("at", "observed_from", "traffic_at", "load_at")


class ActivityRows:
    """The ActivityLog half of the Store protocol, on the store's connection: SqliteStore
    brings `_read` and `_write`."""

    _read: Callable[[], AbstractContextManager[sqlite3.Connection]]
    _write: Callable[[], AbstractContextManager[sqlite3.Connection]]

    def recall_activity(self, account: str, region: str) -> list[LastActive]:
        with self._read() as db:
            return recall(db, account, region)

    def remember_activity(self, entries: Sequence[LastActive]) -> None:
        with self._write() as db:
            remember(db, entries)

    def recall_checks(self, account: str, region: str) -> list[QuietCheck]:
        with self._read() as db:
            return recall_checks(db, account, region)

    def remember_checks(self, checks: Sequence[QuietCheck]) -> None:
        with self._write() as db:
            remember_checks(db, checks)


def recall(db: sqlite3.Connection, account: str, region: str) -> list[LastActive]:
    rows = db.execute(
        "SELECT * FROM activity WHERE account = ? AND region = ? ORDER BY arn", (account, region)
    ).fetchall()
    return [
        LastActive(
            arn=row["arn"],
            account=row["account"],
            region=row["region"],
            queries=row["queries"],
            recorded_at=from_time_key(row["recorded_at"]),
            **{name: optional_time(row[name]) for name in _ENTRY_FIELDS},
        )
        for row in rows
    ]


def remember(db: sqlite3.Connection, entries: Sequence[LastActive]) -> None:
    # An older reading never replaces a newer one (a slower concurrent run).
    db.executemany(
        "INSERT INTO activity (arn, account, region, queries, recorded_at, at, observed_from, "
        "traffic_at, load_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (arn) DO UPDATE "
        "SET account = excluded.account, region = excluded.region, queries = excluded.queries, "
        "recorded_at = excluded.recorded_at, at = excluded.at, "
        "observed_from = excluded.observed_from, traffic_at = excluded.traffic_at, "
        "load_at = excluded.load_at WHERE excluded.recorded_at >= activity.recorded_at",
        [
            (
                e.arn,
                e.account,
                e.region,
                e.queries,
                time_key(e.recorded_at),
                *(_key(getattr(e, name)) for name in _ENTRY_FIELDS),
            )
            for e in entries
        ],
    )


def recall_checks(db: sqlite3.Connection, account: str, region: str) -> list[QuietCheck]:
    rows = db.execute(
        "SELECT * FROM quiet_checks WHERE account = ? AND region = ? ORDER BY namespace, metric",
        (account, region),
    ).fetchall()
    return [
        QuietCheck(
            account=row["account"],
            region=row["region"],
            namespace=row["namespace"],
            metric=row["metric"],
            covered_from=from_time_key(row["covered_from"]),
            checked_at=from_time_key(row["checked_at"]),
        )
        for row in rows
    ]


def remember_checks(db: sqlite3.Connection, checks: Sequence[QuietCheck]) -> None:
    db.executemany(
        "INSERT OR REPLACE INTO quiet_checks "
        "(account, region, namespace, metric, covered_from, checked_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                c.account,
                c.region,
                c.namespace,
                c.metric,
                time_key(c.covered_from),
                time_key(c.checked_at),
            )
            for c in checks
        ],
    )


def _key(moment: datetime | None) -> str | None:
    return None if moment is None else time_key(moment)
