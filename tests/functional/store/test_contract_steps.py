"""The store contract for step progress, SQLite and DynamoDB alike: a step is held by one run
at a time, a lease runs out, a parked step is taken over at once, a finished one never again."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest

from tests.functional.store.conftest import LEASE, NOW
from watchdog.store import (
    Store,
    StoreConflict,
)
from watchdog.store.sqlite import SqliteStore

MINUTE = timedelta(minutes=1)


# Step progress.
def test_a_fresh_step_is_claimed(store: Store) -> None:
    record = store.claim_step("s-1", "f-1", "r-1", NOW, LEASE)

    assert record is not None
    assert (record.step_id, record.finding_id, record.run_id) == ("s-1", "f-1", "r-1")
    assert (record.state, record.attempts, record.previous_state) == ("claimed", 1, None)
    assert (record.claimed_until, record.updated_at, record.detail) == (NOW + LEASE, NOW, "")
    assert store.get_step("s-1") == record


def test_a_held_step_is_not_claimed_until_its_lease_runs_out(store: Store) -> None:
    store.claim_step("s-1", "f-1", "r-1", NOW, LEASE)

    assert store.claim_step("s-1", "f-1", "r-2", NOW + MINUTE, LEASE) is None
    assert store.claim_step("s-1", "f-1", "r-1", NOW + MINUTE, LEASE) is None  # not even twice
    assert store.claim_step("s-1", "f-1", "r-2", NOW + LEASE, LEASE) is None  # the last instant
    record = store.get_step("s-1")
    assert record is not None and (record.run_id, record.attempts) == ("r-1", 1)


def test_an_expired_lease_is_taken_over_and_counts_an_attempt(store: Store) -> None:
    store.claim_step("s-1", "f-1", "r-1", NOW, LEASE)
    store.mark_step("s-1", "r-1", "started", "DeleteEndpoint sent", NOW + MINUTE)
    later = NOW + LEASE + MINUTE  # r-1 crashed mid-step

    record = store.claim_step("s-1", "f-1", "r-2", later, LEASE)

    assert record is not None
    assert (record.run_id, record.state, record.attempts) == ("r-2", "claimed", 2)
    assert record.previous_state == "started"  # the executor must re-verify before repeating
    assert record.claimed_until == later + LEASE
    with pytest.raises(StoreConflict, match="held by run r-2"):
        store.mark_step("s-1", "r-1", "done", "", later)


def test_a_claim_records_its_holder_and_a_dead_runs_lease_is_taken_over_at_once(
    store: Store,
) -> None:
    store.claim_step("s-1", "f-1", "r-1", NOW, LEASE, holder="host-a:41:900")
    store.mark_step("s-1", "r-1", "started", "DeleteEndpoint sent", NOW + MINUTE)

    # Inside r-1's lease: naming another run as gone takes nothing.
    assert store.claim_step("s-1", "f-1", "r-2", NOW + 2 * MINUTE, LEASE, gone_run="r-9") is None
    record = store.claim_step(
        "s-1", "f-1", "r-2", NOW + 2 * MINUTE, LEASE, holder="host-a:77:950", gone_run="r-1"
    )

    assert record is not None
    assert (record.run_id, record.holder, record.attempts) == ("r-2", "host-a:77:950", 2)
    assert record.previous_state == "started"
    # r-2 is alive and holds it now: r-1's death no longer names the holder.
    assert store.claim_step("s-1", "f-1", "r-3", NOW + 3 * MINUTE, LEASE, gone_run="r-1") is None
    store.mark_step("s-1", "r-2", "done", "", NOW + 4 * MINUTE)
    assert store.claim_step("s-1", "f-1", "r-3", NOW + 5 * MINUTE, LEASE, gone_run="r-2") is None


def test_a_failed_step_can_be_claimed_again_at_once(store: Store) -> None:
    store.claim_step("s-1", "f-1", "r-1", NOW, LEASE)
    store.mark_step("s-1", "r-1", "failed", "ThrottlingException", NOW + MINUTE)

    failed = store.get_step("s-1")
    record = store.claim_step("s-1", "f-1", "r-2", NOW + 2 * MINUTE, LEASE)

    assert failed is not None and failed.claimed_until is None
    assert record is not None and (record.attempts, record.previous_state) == (2, "failed")


def test_a_parked_step_releases_its_lease_and_is_taken_over_at_once(store: Store) -> None:
    store.claim_step("s-1", "f-1", "r-1", NOW, LEASE)
    store.mark_step("s-1", "r-1", "started", "DeleteEndpoint sent", NOW + MINUTE)
    store.mark_step("s-1", "r-1", "parked", "deadline reached", NOW + 2 * MINUTE)

    parked = store.get_step("s-1")
    # Well inside r-1's original lease: parking gave the step up, so nobody waits it out.
    record = store.claim_step("s-1", "f-1", "r-2", NOW + 3 * MINUTE, LEASE)

    assert parked is not None
    assert (parked.state, parked.detail, parked.run_id) == ("parked", "deadline reached", "r-1")
    assert (parked.claimed_until, parked.updated_at) == (None, NOW + 2 * MINUTE)
    assert record is not None
    assert (record.run_id, record.state, record.attempts) == ("r-2", "claimed", 2)
    assert record.previous_state == "parked"  # the executor must re-verify before repeating
    assert record.claimed_until == NOW + 3 * MINUTE + LEASE
    with pytest.raises(StoreConflict, match="held by run r-2, not r-1"):
        store.mark_step("s-1", "r-1", "done", "", NOW + 4 * MINUTE)


def test_a_parked_step_is_marked_only_by_the_run_that_holds_it(store: Store) -> None:
    store.claim_step("s-1", "f-1", "r-1", NOW, LEASE)
    store.mark_step("s-1", "r-1", "parked", "SIGTERM", NOW + MINUTE)

    with pytest.raises(StoreConflict, match="held by run r-1, not r-2"):
        store.mark_step("s-1", "r-2", "done", "", NOW + 2 * MINUTE)
    with pytest.raises(StoreConflict, match="held by run r-1, not r-2"):
        store.mark_step("s-1", "r-2", "parked", "", NOW + 2 * MINUTE)

    record = store.get_step("s-1")
    assert record is not None
    assert (record.state, record.detail, record.run_id) == ("parked", "SIGTERM", "r-1")


@pytest.mark.parametrize("final", ["done", "cancelled"])
def test_a_finished_step_is_never_claimed_or_marked_again(store: Store, final: str) -> None:
    store.claim_step("s-1", "f-1", "r-1", NOW, LEASE)
    store.mark_step("s-1", "r-1", final, "endpoint deleted", NOW + MINUTE)  # type: ignore[arg-type]

    assert store.claim_step("s-1", "f-1", "r-2", NOW + timedelta(days=30), LEASE) is None
    with pytest.raises(StoreConflict, match=f"already {final}"):
        store.mark_step("s-1", "r-1", "failed", "", NOW + 2 * MINUTE)
    record = store.get_step("s-1")
    assert record is not None
    assert (record.state, record.detail, record.claimed_until) == (final, "endpoint deleted", None)


def test_marking_started_keeps_the_lease_and_done_releases_it(store: Store) -> None:
    store.claim_step("s-1", "f-1", "r-1", NOW, LEASE)

    store.mark_step("s-1", "r-1", "started", "sent", NOW + MINUTE)
    started = store.get_step("s-1")
    store.mark_step("s-1", "r-1", "done", "gone", NOW + 2 * MINUTE)
    done = store.get_step("s-1")

    assert started is not None and done is not None
    assert (started.state, started.claimed_until, started.updated_at) == (
        "started",
        NOW + LEASE,
        NOW + MINUTE,
    )
    assert (done.state, done.detail, done.claimed_until, done.updated_at) == (
        "done",
        "gone",
        None,
        NOW + 2 * MINUTE,
    )


def test_only_the_holder_marks_a_step(store: Store) -> None:
    store.claim_step("s-1", "f-1", "r-1", NOW, LEASE)

    with pytest.raises(StoreConflict, match="held by run r-1, not r-2"):
        store.mark_step("s-1", "r-2", "done", "", NOW + MINUTE)
    with pytest.raises(StoreConflict, match="never claimed"):
        store.mark_step("s-unknown", "r-1", "done", "", NOW + MINUTE)
    record = store.get_step("s-1")
    assert record is not None and record.state == "claimed"


def test_the_holder_may_still_mark_after_its_lease_if_nobody_took_over(store: Store) -> None:
    store.claim_step("s-1", "f-1", "r-1", NOW, LEASE)
    store.mark_step("s-1", "r-1", "done", "slow but done", NOW + 2 * LEASE)
    record = store.get_step("s-1")
    assert record is not None and record.state == "done"


def test_steps_list_by_finding_in_step_order(store: Store) -> None:
    for step in ("s-b", "s-a"):
        store.claim_step(step, "f-1", "r-1", NOW, LEASE)
    store.claim_step("s-other", "f-2", "r-1", NOW, LEASE)

    assert [r.step_id for r in store.list_steps("f-1")] == ["s-a", "s-b"]
    assert [r.step_id for r in store.list_steps("f-2")] == ["s-other"]
    assert store.list_steps("f-none") == []
    assert store.get_step("s-none") is None


# Races (SQLite: real concurrent connections).


def test_eight_racing_runs_claim_a_step_once(tmp_path: Path) -> None:
    path = tmp_path / "watchdog.db"
    stores = [SqliteStore(path) for _ in range(8)]
    start = threading.Barrier(len(stores))
    results: list[object] = [None] * len(stores)

    def claim(index: int) -> None:
        start.wait()
        results[index] = stores[index].claim_step("s-1", "f-1", f"r-{index}", NOW, LEASE)

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(len(stores))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(result is not None for result in results) == 1
    for opened in stores:
        opened.close()
