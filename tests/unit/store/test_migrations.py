"""The SQLite schema's migrations: forward on open, in a transaction, never backward."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.unit.act.test_admission_rules import finding
from watchdog.store import PostedMessage, StoreError
from watchdog.store.activity import LastActive
from watchdog.store.base import time_key
from watchdog.store.sqlite import SqliteStore
from watchdog.store.sqlite import schema as schema

LATEST = len(schema.MIGRATIONS)
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def version_of(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return schema.schema_version(db)


def autocommit(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def test_a_new_file_gets_the_latest_schema(tmp_path: Path) -> None:
    SqliteStore(tmp_path / "w.db").close()
    assert version_of(tmp_path / "w.db") == LATEST


def test_opening_again_changes_nothing(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "w.db")
    assert store.consume_token("t-1", NOW) is True
    store.close()

    reopened = SqliteStore(tmp_path / "w.db")

    assert version_of(tmp_path / "w.db") == LATEST
    assert reopened.consume_token("t-1", NOW) is False  # the data survived
    reopened.close()


def test_an_older_database_is_migrated_forward_keeping_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    db = autocommit(path)
    schema.migrate(db, str(path), [schema.MIGRATION_1])
    db.execute("INSERT INTO tokens VALUES ('t-1', '2026-11-24T12:00:00.000000Z')")
    second = ("ALTER TABLE tokens ADD COLUMN note TEXT NOT NULL DEFAULT 'migrated'",)

    version = schema.migrate(db, str(path), [schema.MIGRATION_1, second])

    assert version == 2 and schema.schema_version(db) == 2
    assert db.execute("SELECT id, note FROM tokens").fetchall() == [("t-1", "migrated")]
    db.close()


def test_a_version_1_database_gets_plans_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    db = autocommit(path)
    schema.migrate(db, str(path), [schema.MIGRATION_1])
    db.execute("INSERT INTO tokens VALUES ('t-1', '2026-11-24T12:00:00.000000Z')")
    db.execute(
        """INSERT INTO steps VALUES ('s-1', 'f-1', 'r-1', 'started', 1,
               '2026-11-24T12:15:00.000000Z', 'sent', '2026-11-24T12:01:00.000000Z', NULL)"""
    )

    version = schema.migrate(db, str(path), schema.MIGRATIONS[:2])

    assert version == 2 and schema.schema_version(db) == 2
    assert db.execute("SELECT count(*) FROM plans").fetchone() == (0,)
    db.close()
    store = SqliteStore(path)
    assert store.consume_token("t-1", NOW) is False  # the data survived
    step = store.get_step("s-1")
    assert step is not None and (step.state, step.run_id, step.detail) == ("started", "r-1", "sent")
    store.mark_step("s-1", "r-1", "parked", "deadline", NOW)  # a new state on an old row
    assert store.get_plan("f-1") is None
    store.close()


def test_a_version_2_database_gets_snooze_ends_and_messages_and_keeps_its_data(
    tmp_path: Path,
) -> None:
    path = tmp_path / "w.db"
    db = autocommit(path)
    schema.migrate(db, str(path), schema.MIGRATIONS[:2])
    old = finding()
    db.execute(
        "INSERT INTO findings VALUES (?, ?, ?, ?, 'r-1', 'snoozed', 'by alice', ?)",
        (old.id, old.model_dump_json(), time_key(NOW), time_key(NOW), time_key(NOW)),
    )
    assert schema.schema_version(db) == 2
    db.close()

    store = SqliteStore(path)  # opening migrates

    assert version_of(path) == LATEST
    stored = store.get_finding(old.id)
    assert stored is not None and stored.finding == old
    # A snooze from before snoozes had an end lasts until changed, as it did then.
    assert (stored.state, stored.state_detail, stored.state_until) == ("snoozed", "by alice", None)
    monday = NOW + timedelta(days=3)
    store.set_finding_state(old.id, "snoozed", "by alice until Monday", NOW, until=monday)
    snoozed = store.get_finding(old.id)
    assert snoozed is not None and snoozed.state_until == monday
    posted = PostedMessage(
        finding_id=old.id,
        channel="C1",
        ts="1.2",
        posted_at=NOW,
        shown_state="snoozed",
        updated_at=NOW,
    )
    store.save_message(posted)
    assert store.list_messages() == [posted]
    store.close()


def test_a_failing_migration_leaves_the_previous_version_intact(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    db = autocommit(path)
    schema.migrate(db, str(path), [schema.MIGRATION_1])
    broken = ("CREATE TABLE half_done (id TEXT)", "THIS IS NOT SQL")

    with pytest.raises(sqlite3.OperationalError):
        schema.migrate(db, str(path), [schema.MIGRATION_1, broken])

    assert schema.schema_version(db) == 1
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "half_done" not in tables
    db.close()


def test_a_newer_database_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    SqliteStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {LATEST + 1}")

    with pytest.raises(StoreError, match=f"schema version {LATEST + 1}, newer than") as raised:
        SqliteStore(path)
    assert "upgrade ai-cost-watchdog" in str(raised.value)
    assert "\n" not in str(raised.value)
    assert version_of(path) == LATEST + 1  # untouched


def test_a_version_5_database_gets_the_activity_table_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    db = autocommit(path)
    schema.migrate(db, str(path), schema.MIGRATIONS[:5])
    db.execute("INSERT INTO tokens VALUES ('t-1', '2026-11-24T12:00:00.000000Z')")
    db.close()

    store = SqliteStore(path)  # opening migrates

    assert version_of(path) == LATEST
    assert store.consume_token("t-1", NOW) is False  # the data survived
    seen = LastActive(
        arn="arn:aws:sagemaker:us-east-1:111122223333:endpoint/a",
        account="111122223333",
        region="us-east-1",
        at=NOW,
        queries="d",
        recorded_at=NOW,
    )
    store.remember_activity([seen])
    assert store.recall_activity("111122223333", "us-east-1") == [seen]
    store.close()


def test_a_version_6_database_keeps_its_activity_and_gets_the_idle_hold(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    db = autocommit(path)
    schema.migrate(db, str(path), schema.MIGRATIONS[:6])
    db.execute(
        "INSERT INTO activity VALUES ('arn:a', '111122223333', 'us-east-1', "
        "'2026-11-24T11:00:00.000000Z', 'd', '2026-11-24T12:00:00.000000Z')"
    )
    db.close()

    store = SqliteStore(path)  # opening migrates

    assert version_of(path) == LATEST
    [kept] = store.recall_activity("111122223333", "us-east-1")
    assert (kept.arn, kept.at, kept.observed_from) == ("arn:a", NOW.replace(hour=11), None)
    read = kept.model_copy(update={"at": None, "observed_from": NOW, "recorded_at": NOW})
    store.remember_activity([read])
    assert store.recall_activity("111122223333", "us-east-1") == [read]
    store.close()
