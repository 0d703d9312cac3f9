"""The signals cache (shared by prices and costs): FileCache on disk, MemoryCache in a process."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from watchdog.cache import FileCache, MemoryCache, default_cache_dir

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def test_file_cache_round_trips_a_value_and_its_time(tmp_path: Path) -> None:
    cache = FileCache(tmp_path / "not" / "there" / "yet")
    value = {"usd_per_hour": 1.408, "text": "AWS Price List API", "list": [1, None]}

    cache.put("price:v1:hosting|us-east-1|ml.g5.xlarge", value, NOW)

    entry = cache.get("price:v1:hosting|us-east-1|ml.g5.xlarge")
    assert entry is not None and entry.value == value and entry.stored_at == NOW


def test_file_cache_misses_unknown_keys_and_an_absent_directory(tmp_path: Path) -> None:
    assert FileCache(tmp_path / "absent").get("anything") is None


def test_file_cache_keeps_keys_apart_in_safe_file_names(tmp_path: Path) -> None:
    cache = FileCache(tmp_path)
    cache.put("a/b", 1, NOW)
    cache.put("a|b", 2, NOW)
    assert [cache.get("a/b").value, cache.get("a|b").value] == [1, 2]
    assert all(path.parent == tmp_path for path in tmp_path.iterdir())


def test_a_corrupt_file_counts_as_missing(tmp_path: Path) -> None:
    cache = FileCache(tmp_path)
    cache.put("key", {"a": 1}, NOW)
    cache.path_for("key").write_text('{"key": "key", "stored_at": ')
    assert cache.get("key") is None
    cache.path_for("key").write_text('{"key": "key", "value": 1}')  # no stored_at
    assert cache.get("key") is None


def test_writes_replace_atomically_and_leave_no_temporary_files(tmp_path: Path) -> None:
    cache = FileCache(tmp_path)
    cache.put("key", 1, NOW)
    cache.put("key", 2, NOW)
    assert cache.get("key").value == 2
    assert [p.name for p in tmp_path.iterdir()] == [cache.path_for("key").name]


def test_a_write_that_cannot_happen_raises_os_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(OSError):
        FileCache(blocker).put("key", 1, NOW)


def test_memory_cache_stores_a_copy() -> None:
    cache, value = MemoryCache(), {"requests": ["2026-03-10T12:00:00+00:00"]}
    cache.put("ledger", value, NOW)
    value["requests"].append("later")
    assert cache.get("ledger").value == {"requests": ["2026-03-10T12:00:00+00:00"]}


def test_the_default_directory_is_the_users_cache_dir_for_the_app() -> None:
    assert default_cache_dir().name == "ai-cost-watchdog"
