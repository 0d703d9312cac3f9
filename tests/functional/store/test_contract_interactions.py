"""The store contract for Slack clicks, on SQLite and DynamoDB (moto) alike.

A click is acted on once: its key is claimed before anything else happens, and a second claim
of the same key - a replayed request within Slack's 5-minute signature window, a second
daemon, a new Lambda container - is refused, for far longer than that window.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.functional.store.conftest import NOW
from watchdog.store import Store
from watchdog.store.base import Retention
from watchdog.store.sqlite import SqliteStore


def test_a_click_is_claimed_the_first_time_only(store: Store) -> None:
    assert store.claim_interaction("k-1", NOW) is True
    assert store.claim_interaction("k-1", NOW + timedelta(seconds=1)) is False
    assert store.claim_interaction("k-2", NOW + timedelta(seconds=1)) is True


def test_a_claim_outlives_the_signature_window(store: Store) -> None:
    store.claim_interaction("k-1", NOW)

    assert store.claim_interaction("k-1", NOW + timedelta(hours=1)) is False
    assert Retention().interactions > timedelta(minutes=5)


def test_a_naive_time_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="naive"):
        store.claim_interaction("k-1", NOW.replace(tzinfo=None))


def test_a_claim_holds_across_a_reopened_file(tmp_path: Path) -> None:
    first = SqliteStore(tmp_path / "w.db")
    assert first.claim_interaction("k-1", NOW) is True
    first.close()

    again = SqliteStore(tmp_path / "w.db")
    try:
        assert again.claim_interaction("k-1", NOW + timedelta(minutes=1)) is False
    finally:
        again.close()
