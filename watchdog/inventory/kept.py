"""Descriptions of what AWS never changes, kept between scans of one (account, region).

An endpoint config cannot be modified (there is no UpdateEndpointConfig; "To update an
endpoint, you must create a new EndpointConfig": UpdateEndpoint, SageMaker API reference), so
its description, once read, holds for as long as the config does. A kind keeps such a
description under a key with a version that changes whenever the thing could have (a config's
CreationTime: deleted and created again under its name, it is another config), and a later
scan recalls it instead of calling AWS: a steady hourly run of 1,000 endpoints makes no
DescribeEndpointConfig at all.

All of a region's kept descriptions are one cache entry, read at the first recall and written
once at the end of the scan with exactly what this scan kept, so a description nothing used
this time is dropped. A cache that cannot be read or written costs only the calls it saves.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

import structlog

from watchdog.cache import Cache

log = structlog.get_logger(__name__)


class KeptDescriptions:
    """Thread-safe: the kinds of a region collect side by side."""

    def __init__(self, cache: Cache | None, account: str, region: str) -> None:
        self._cache = cache
        self._cache_key = f"scan-kept/{account}/{region}"
        self._before: dict[str, Any] | None = None
        self._now: dict[str, Any] = {}
        self._lock = threading.Lock()

    def recall(self, key: tuple[str, ...]) -> tuple[str, Any] | None:
        """(version, value) as an earlier scan kept it, or None."""
        with self._lock:
            if self._before is None:
                self._before = self._read()
            entry = self._before.get(_joined(key))
        if not isinstance(entry, dict) or not isinstance(entry.get("version"), str):
            return None
        return entry["version"], entry.get("value")

    def keep(self, key: tuple[str, ...], version: str, value: Any) -> None:
        with self._lock:
            self._now[_joined(key)] = {"version": version, "value": value}

    def save(self, now: datetime) -> None:
        """Write what this scan kept, unless it is what the cache holds already."""
        if self._cache is None:
            return
        with self._lock:
            kept = dict(self._now)
            unchanged = kept == (self._before if self._before is not None else self._read())
        if unchanged:
            return
        try:
            self._cache.put(self._cache_key, kept, now)
        except (OSError, TypeError, ValueError) as error:
            log.warning("kept_descriptions_not_saved", key=self._cache_key, error=str(error))

    def _read(self) -> dict[str, Any]:
        entry = self._cache.get(self._cache_key) if self._cache is not None else None
        return entry.value if entry is not None and isinstance(entry.value, dict) else {}


def _joined(key: tuple[str, ...]) -> str:
    return "\x1f".join(key)
