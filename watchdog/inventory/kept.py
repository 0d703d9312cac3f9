"""Descriptions of what AWS never changes, kept between scans of one (account, region).

An endpoint config cannot be modified (there is no UpdateEndpointConfig; "To update an
endpoint, you must create a new EndpointConfig": UpdateEndpoint, SageMaker API reference), so
its description, once read, holds for as long as the config does. A kind keeps such a
description under a key with a version that changes whenever the thing could have (a config's
CreationTime: deleted and created again under its name, it is another config), and a later
scan recalls it instead of calling AWS: a steady hourly run of 1,000 endpoints makes no
DescribeEndpointConfig at all.

A region's kept descriptions are spread over BUCKETS cache entries by a hash of their key (a
DynamoDB item holds at most 400 KB: 32 buckets carry some 25,000 configs of 480 bytes),
each read at the first recall and written once at the end of the scan with exactly what this
scan kept in it, so a description nothing used this time is dropped. A bucket is written only
when it changed or is older than REFRESH_AFTER (the store expires cache entries after 30 days).
A cache that cannot be read or written costs only the calls it saves.
"""

from __future__ import annotations

import threading
import zlib
from datetime import datetime, timedelta
from typing import Any

import structlog

from watchdog.cache import Cache, CacheEntry

log = structlog.get_logger(__name__)


BUCKETS = 32
REFRESH_AFTER = timedelta(days=7)


class KeptDescriptions:
    """Thread-safe: the kinds of a region collect side by side."""

    def __init__(self, cache: Cache | None, account: str, region: str) -> None:
        self._cache = cache
        self._prefix = f"scan-kept/{account}/{region}"
        self._before: list[CacheEntry | None] | None = None
        self._now: list[dict[str, Any]] = [{} for _ in range(BUCKETS)]
        self._lock = threading.Lock()

    def recall(self, key: tuple[str, ...]) -> tuple[str, Any] | None:
        """(version, value) as an earlier scan kept it, or None."""
        joined = _joined(key)
        with self._lock:
            entry = self._read()[_bucket(joined)]
        bucket = entry.value if entry is not None and isinstance(entry.value, dict) else {}
        kept = bucket.get(joined)
        if not isinstance(kept, dict) or not isinstance(kept.get("version"), str):
            return None
        return kept["version"], kept.get("value")

    def keep(self, key: tuple[str, ...], version: str, value: Any) -> None:
        joined = _joined(key)
        with self._lock:
            self._now[_bucket(joined)][joined] = {"version": version, "value": value}

    def save(self, now: datetime) -> None:
        """Write each bucket this scan changed, or that is due for a refresh."""
        with self._lock:
            if self._cache is None or (self._before is None and not any(self._now)):
                return  # nothing recalled or kept: a region without such resources
            before, kept = self._read(), [dict(bucket) for bucket in self._now]
        for index, (entry, bucket) in enumerate(zip(before, kept, strict=True)):
            fresh = entry is not None and now - entry.stored_at < REFRESH_AFTER
            if (entry.value if entry is not None else {}) == bucket and (fresh or not bucket):
                continue
            try:
                self._cache.put(f"{self._prefix}/{index}", bucket, now)
            except (OSError, TypeError, ValueError) as error:
                log.warning("kept_descriptions_not_saved", key=self._prefix, error=str(error))
                return

    def _read(self) -> list[CacheEntry | None]:
        """Every bucket, read once (under the lock)."""
        if self._before is None:
            cache = self._cache
            self._before = [
                cache.get(f"{self._prefix}/{index}") if cache is not None else None
                for index in range(BUCKETS)
            ]
        return self._before


def _bucket(joined: str) -> int:
    return zlib.crc32(joined.encode()) % BUCKETS


def _joined(key: tuple[str, ...]) -> str:
    return "\x1f".join(key)
