"""A small key-value cache for answers that are slow, rate-limited or billed per request.

Prices (Pricing API) and Cost Explorer figures ($0.01 a request) are cached between runs, and
so are the scan's descriptions of what AWS never changes (an endpoint config: the inventory's
`ShardContext.recall`). The `Cache` protocol is all the signals and inventory stages need;
`FileCache` keeps one JSON file per key (the CLI, the daemon, the Lambda's /tmp),
`MemoryCache` lives for one process (tests, a cache-less run); the store implements it too.

Nothing here reads the clock: callers pass `now`, so cache ages are as testable as the rest.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import platformdirs
import structlog

log = structlog.get_logger(__name__)

APP_NAME = "ai-cost-watchdog"
# What a cache holds: anything `json.dumps` accepts.
JSONValue = Any


@dataclass(frozen=True)
class CacheEntry:
    value: JSONValue
    stored_at: datetime


class Cache(Protocol):
    def get(self, key: str) -> CacheEntry | None:
        """The entry stored under `key`, or None if there is none (or it is unreadable)."""

    def put(self, key: str, value: JSONValue, now: datetime) -> None:
        """Store `value` under `key`, stamped `now`. Raises OSError if it cannot be stored."""


def default_cache_dir() -> Path:
    """The user's cache directory for the watchdog (e.g. ~/.cache/ai-cost-watchdog on Linux)."""
    return Path(platformdirs.user_cache_dir(APP_NAME))


def file_cache(directory: Path | str | None) -> FileCache:
    """The run's cache: in `directory` (WATCHDOG_CACHE_DIR) or the user's cache directory."""
    return FileCache(directory or default_cache_dir())


class MemoryCache:
    """A cache for one process: tests, and runs where nothing may be written to disk."""

    def __init__(self) -> None:
        self._entries: dict[str, CacheEntry] = {}

    def get(self, key: str) -> CacheEntry | None:
        return self._entries.get(key)

    def put(self, key: str, value: JSONValue, now: datetime) -> None:
        # A JSON round trip, so callers cannot keep a reference into the cache and so a value
        # that a FileCache would refuse is refused here too.
        self._entries[key] = CacheEntry(json.loads(json.dumps(value)), now)


class FileCache:
    """One JSON file per key under `directory`, created on first write.

    Writes are atomic (a temporary file in the same directory, then `os.replace`), so a reader,
    or a run killed mid-write, never sees half a file. A file that cannot be parsed counts as
    missing: a cache must never be the reason a run fails.
    """

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)

    def path_for(self, key: str) -> Path:
        # Readable prefix for people looking in the directory, hash for uniqueness.
        readable = re.sub(r"[^A-Za-z0-9._-]+", "_", key)[:80]
        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        return self.directory / f"{readable}-{digest}.json"

    def get(self, key: str) -> CacheEntry | None:
        path = self.path_for(key)
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            if document["key"] != key:
                return None
            return CacheEntry(document["value"], datetime.fromisoformat(document["stored_at"]))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as error:
            log.warning("cache_entry_unreadable", path=str(path), error=str(error))
            return None

    def put(self, key: str, value: JSONValue, now: datetime) -> None:
        document = {"key": key, "stored_at": now.isoformat(), "value": value}
        text = json.dumps(document, sort_keys=True)
        self.directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temporary, self.path_for(key))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
