"""What only the SQLite backend has: WAL, sharing one file, clear errors for a bad file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from watchdog.store import StoreUnavailable
from watchdog.store.sqlite import SqliteStore

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def test_the_file_is_in_wal_mode(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "w.db")
    with store._read() as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()


def test_two_stores_on_one_file_see_each_other(tmp_path: Path) -> None:
    cli, daemon = SqliteStore(tmp_path / "w.db"), SqliteStore(tmp_path / "w.db")

    assert cli.acquire_lock("cycle", "cli", NOW, timedelta(minutes=5)) is True
    assert daemon.acquire_lock("cycle", "daemon", NOW, timedelta(minutes=5)) is False
    cli.put("key", {"a": 1}, NOW)
    entry = daemon.get("key")

    assert entry is not None and entry.value == {"a": 1}
    cli.close()
    daemon.close()


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    path.write_bytes(b"certainly not SQLite " * 100)
    with pytest.raises(StoreUnavailable, match=f"cannot open store {path}"):
        SqliteStore(path)


def test_a_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailable, match="cannot open store"):
        SqliteStore(tmp_path)


def test_an_unreadable_cache_row_is_a_miss(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "w.db")
    store.put("key", 1, NOW)
    with store._write() as db:
        db.execute("UPDATE cache SET value = '{not json' WHERE key = 'key'")
    assert store.get("key") is None
    store.close()
