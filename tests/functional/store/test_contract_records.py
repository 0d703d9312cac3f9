"""The store contract for what is kept per finding and per run, SQLite and DynamoDB alike: a
plan per finding, the audit log append-only and newest first, the signals cache, locks, and
naive times refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.functional.store.conftest import LEASE, NOW, audit, endpoint_config, finding, plan
from watchdog.store import (
    Store,
    StoreConflict,
)

MINUTE = timedelta(minutes=1)


# Plans.
def test_a_plan_round_trips_with_its_finding_and_targets(store: Store) -> None:
    saved = plan()
    assert saved.finding.steps and saved.targets[0].created_at is not None  # worth comparing

    store.save_plan(saved)

    assert store.get_plan(saved.finding_id) == saved


def test_a_later_execution_replaces_the_plan_of_its_finding(store: Store) -> None:
    first, other = plan("r-1"), plan("r-1", name="other")
    later = plan("r-2", NOW + timedelta(hours=6), targets=(endpoint_config(),))
    for saved in (first, other, later):
        store.save_plan(saved)

    assert store.get_plan(first.finding_id) == later
    assert store.get_plan(other.finding_id) == other


def test_a_finding_never_executed_has_no_plan(store: Store) -> None:
    store.save_plan(plan())
    assert store.get_plan("f-none") is None


# Audit log.
def test_a_started_entry_round_trips_and_lists_before_its_outcome(store: Store) -> None:
    description = {"EndpointName": "llm", "EndpointConfigName": "llm-config"}
    started = audit("au-1", outcome="started", description=description, monthly_cost_saved_usd=None)
    done = audit("au-2", MINUTE, outcome="done")

    store.append_audit(started)
    store.append_audit(done)

    assert store.get_audit("au-1") == started
    assert [(e.id, e.outcome) for e in store.list_audit()] == [
        ("au-2", "done"),
        ("au-1", "started"),
    ]


def test_an_audit_entry_round_trips_with_its_description(store: Store) -> None:
    description = {
        "EndpointName": "llm",
        "EndpointStatus": "InService",
        "CreationTime": "2026-10-25T12:00:00+00:00",
        "ProductionVariants": [
            {"VariantName": "AllTraffic", "CurrentInstanceCount": 1, "CurrentWeight": 1.0}
        ],
        "Tags": {"team": "ml", "unicode": "naïve ☃"},
        "DataCaptureConfig": None,
    }
    entry = audit("au-1", description=description)

    store.append_audit(entry)

    assert store.get_audit("au-1") == entry
    stored = store.get_audit("au-1")
    assert stored is not None and stored.description == description
    assert store.get_audit("au-none") is None


def test_the_audit_log_lists_newest_first_across_days(store: Store) -> None:
    offsets = {
        "au-old": -timedelta(days=3),
        "au-mid": -timedelta(days=1, hours=1),
        "au-new": timedelta(hours=1),
        "au-a": timedelta(0),
        "au-b": timedelta(0),  # same instant: ordered by id, newest-first means b before a
    }
    for id, offset in offsets.items():
        store.append_audit(audit(id, offset))

    assert [e.id for e in store.list_audit()] == ["au-new", "au-b", "au-a", "au-mid", "au-old"]
    assert [e.id for e in store.list_audit(limit=2)] == ["au-new", "au-b"]
    assert [e.id for e in store.list_audit(since=NOW - timedelta(days=1, hours=1))] == [
        "au-new",
        "au-b",
        "au-a",
        "au-mid",
    ]
    assert [e.id for e in store.list_audit(limit=1, since=NOW)] == ["au-new"]
    assert store.list_audit(limit=0) == []


def test_the_audit_log_is_append_only(store: Store) -> None:
    store.append_audit(audit("au-1", outcome="done"))
    with pytest.raises(StoreConflict, match="au-1"):
        store.append_audit(audit("au-1", outcome="failed"))
    stored = store.get_audit("au-1")
    assert stored is not None and stored.outcome == "done"
    assert [e.id for e in store.list_audit()] == ["au-1"]


# Cache (the signals cache protocol).
def test_the_cache_round_trips_a_value_and_its_time(store: Store) -> None:
    value = {"usd_per_hour": 1.408, "text": "AWS Price List API", "list": [1, None, True]}

    store.put("price:v1:hosting|us-east-1|ml.g5.xlarge", value, NOW)
    store.put("other", 1, NOW)
    store.put("other", [2], NOW + MINUTE)

    entry = store.get("price:v1:hosting|us-east-1|ml.g5.xlarge")
    assert entry is not None and (entry.value, entry.stored_at) == (value, NOW)
    other = store.get("other")
    assert other is not None and (other.value, other.stored_at) == ([2], NOW + MINUTE)
    assert store.get("missing") is None


def test_the_cache_refuses_what_json_cannot_hold(store: Store) -> None:
    with pytest.raises(TypeError):
        store.put("key", {1, 2}, NOW)


# Locks.
def test_a_lock_is_held_renewed_expired_and_released(store: Store) -> None:
    ttl = timedelta(minutes=5)

    assert store.acquire_lock("cycle", "daemon-a", NOW, ttl) is True
    assert store.acquire_lock("cycle", "daemon-b", NOW + MINUTE, ttl) is False
    assert store.acquire_lock("cycle", "daemon-a", NOW + 4 * MINUTE, ttl) is True  # renewed
    assert store.acquire_lock("cycle", "daemon-b", NOW + 6 * MINUTE, ttl) is False
    assert store.acquire_lock("other", "daemon-b", NOW, ttl) is True  # locks are independent
    assert store.acquire_lock("cycle", "daemon-b", NOW + 10 * MINUTE, ttl) is True  # expired

    assert store.release_lock("cycle", "daemon-a") is False
    assert store.release_lock("cycle", "daemon-b") is True
    assert store.release_lock("cycle", "daemon-b") is False
    assert store.acquire_lock("cycle", "daemon-a", NOW + 11 * MINUTE, ttl) is True


# Times.
def test_naive_times_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="naive"):
        store.consume_token("t-1", NOW.replace(tzinfo=None))
    with pytest.raises(ValueError, match="naive"):
        store.claim_step("s-1", "f-1", "r-1", NOW.replace(tzinfo=None), LEASE)


def test_a_lock_names_its_owner_and_a_dead_owners_lock_is_taken_at_once(store: Store) -> None:
    ttl = timedelta(minutes=15)
    assert store.lock_owner("cycle", NOW) is None
    store.acquire_lock("cycle", "host-a:41:900", NOW, ttl)

    assert store.lock_owner("cycle", NOW + MINUTE) == "host-a:41:900"
    # Naming someone else as gone takes nothing; naming the holder takes it.
    assert not store.acquire_lock("cycle", "host-a:77:950", NOW + MINUTE, ttl, gone_owner="x")
    assert store.acquire_lock(
        "cycle", "host-a:77:950", NOW + MINUTE, ttl, gone_owner="host-a:41:900"
    )
    assert store.lock_owner("cycle", NOW + 2 * MINUTE) == "host-a:77:950"
    assert store.lock_owner("cycle", NOW + MINUTE + ttl + MINUTE) is None  # lapsed


def test_a_naive_snooze_end_is_refused_and_changes_nothing(store: Store) -> None:
    store.save_findings("r-1", [finding()], NOW)
    naive = (NOW + timedelta(days=3)).replace(tzinfo=None)

    with pytest.raises(ValueError, match="naive"):
        store.set_finding_state(finding().id, "snoozed", "", NOW, until=naive)

    stored = store.get_finding(finding().id)
    assert stored is not None and (stored.state, stored.state_until) == ("open", None)
