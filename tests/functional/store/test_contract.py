"""The store contract: every test runs against SQLite and DynamoDB (moto) alike.

What the executor and the approval flow rely on is pinned here and in test_contract_steps and
test_contract_records, so either backend can be swapped in without the callers noticing:
first_seen is kept, a snooze's end is kept until the state changes, an approval is consumed
once (and peeked without being consumed). Slack messages are in test_contract_messages.
"""

from __future__ import annotations

import threading
from datetime import timedelta, timezone
from pathlib import Path

import pytest

from tests.functional.store.conftest import NOW, approval, finding
from watchdog.store import (
    Approval,
    Store,
    StoreConflict,
    StoreNotFound,
)
from watchdog.store.sqlite import SqliteStore

MINUTE = timedelta(minutes=1)


# Findings.
def test_a_saved_finding_round_trips_and_starts_open(store: Store) -> None:
    saved = finding()
    store.save_findings("r-1", [saved], NOW)

    stored = store.get_finding(saved.id)

    assert stored is not None
    assert stored.finding == saved
    assert (stored.first_seen, stored.last_seen, stored.last_run_id) == (NOW, NOW, "r-1")
    assert (stored.state, stored.state_detail, stored.state_changed_at) == ("open", "", NOW)
    assert stored.state_until is None


def test_saving_again_keeps_first_seen_and_updates_the_body(store: Store) -> None:
    store.save_findings("r-1", [finding(reason="idle 14 days")], NOW)
    later = NOW + timedelta(hours=6)
    store.save_findings("r-2", [finding(reason="idle 14.25 days")], later)

    stored = store.get_finding(finding().id)

    assert stored is not None
    assert stored.first_seen == NOW and stored.last_seen == later
    assert stored.last_run_id == "r-2"
    assert stored.finding.reason == "idle 14.25 days"


def test_saving_again_keeps_the_state(store: Store) -> None:
    store.save_findings("r-1", [finding()], NOW)
    store.set_finding_state(finding().id, "approved", "by alice in Slack", NOW + MINUTE)
    store.save_findings("r-2", [finding()], NOW + timedelta(hours=1))

    stored = store.get_finding(finding().id)

    assert stored is not None
    assert (stored.state, stored.state_detail) == ("approved", "by alice in Slack")
    assert stored.state_changed_at == NOW + MINUTE


def test_a_snooze_keeps_its_end_until_the_state_changes_again(store: Store) -> None:
    store.save_findings("r-1", [finding()], NOW)
    pacific = timezone(timedelta(hours=-8))  # any zone: it comes back as the same instant
    monday = (NOW + timedelta(days=3)).astimezone(pacific)

    store.set_finding_state(finding().id, "snoozed", "by alice until Monday", NOW, until=monday)
    snoozed = store.get_finding(finding().id)
    store.set_finding_state(finding().id, "open", "snooze ended", monday + MINUTE)
    reopened = store.get_finding(finding().id)

    assert snoozed is not None and reopened is not None
    assert (snoozed.state, snoozed.state_until) == ("snoozed", monday)
    assert (reopened.state, reopened.state_detail) == ("open", "snooze ended")
    assert reopened.state_until is None  # a call without `until` clears it


def test_saving_again_keeps_a_snooze_even_after_it_ended(store: Store) -> None:
    store.save_findings("r-1", [finding()], NOW)
    store.set_finding_state(finding().id, "snoozed", "", NOW, until=NOW + timedelta(hours=1))
    store.save_findings("r-2", [finding()], NOW + timedelta(hours=6))

    stored = store.get_finding(finding().id)
    listed = store.list_findings({"snoozed"})

    # The store reads no clock: reopening an ended snooze is the caller's, with its own now.
    assert stored is not None and (stored.state, stored.last_run_id) == ("snoozed", "r-2")
    assert stored.state_until == NOW + timedelta(hours=1)
    assert listed == [stored]


def test_unknown_findings_are_none_and_cannot_change_state(store: Store) -> None:
    assert store.get_finding("f-nope") is None
    with pytest.raises(StoreNotFound, match="f-nope"):
        store.set_finding_state("f-nope", "done", "", NOW)


def test_findings_list_by_id_and_filter_by_state(store: Store) -> None:
    findings = [finding(name) for name in ("a", "b", "c")]
    store.save_findings("r-1", findings, NOW)
    store.set_finding_state(findings[1].id, "snoozed", "until Monday", NOW)
    ids = sorted(f.id for f in findings)

    assert [s.finding.id for s in store.list_findings()] == ids
    assert [s.finding.id for s in store.list_findings({"snoozed"})] == [findings[1].id]
    assert [s.finding.id for s in store.list_findings({"open", "snoozed"})] == ids
    assert store.list_findings({"done"}) == []
    assert store.list_findings(set()) == []


def test_saving_nothing_is_fine(store: Store) -> None:
    store.save_findings("r-1", [], NOW)
    assert store.list_findings() == []


# Approvals.
def test_an_approval_is_consumed_once(store: Store) -> None:
    store.add_approval(approval())

    first = store.consume_approval("f-1", "delete", NOW + MINUTE)
    second = store.consume_approval("f-1", "delete", NOW + 2 * MINUTE)

    assert first == approval(consumed_at=NOW + MINUTE)
    assert second is None


def test_expired_approvals_are_not_consumed(store: Store) -> None:
    store.add_approval(approval(expires_in=timedelta(hours=1)))

    assert store.consume_approval("f-1", "delete", NOW + timedelta(hours=1)) is None
    assert store.consume_approval("f-1", "delete", NOW + timedelta(hours=2)) is None
    assert store.consume_approval("f-1", "delete", NOW + timedelta(minutes=59)) is not None


def test_an_approval_is_bound_to_its_finding_and_action(store: Store) -> None:
    store.add_approval(approval(action="stop"))

    assert store.consume_approval("f-1", "delete", NOW) is None
    assert store.consume_approval("f-2", "stop", NOW) is None
    assert store.consume_approval("f-1", "stop", NOW) is not None


def test_an_approval_added_consumed_is_never_consumed(store: Store) -> None:
    store.add_approval(approval(consumed_at=NOW))
    assert store.consume_approval("f-1", "delete", NOW + MINUTE) is None


def test_the_soonest_expiring_approval_is_consumed_first(store: Store) -> None:
    store.add_approval(approval("a-late", expires_in=timedelta(hours=48)))
    store.add_approval(approval("a-soon", expires_in=timedelta(hours=2)))

    taken = [store.consume_approval("f-1", "delete", NOW) for _ in range(3)]

    assert [a.id if a else None for a in taken] == ["a-soon", "a-late", None]


def test_an_approval_id_is_added_once(store: Store) -> None:
    store.add_approval(approval())
    with pytest.raises(StoreConflict, match="a-1"):
        store.add_approval(approval(approver="mallory"))
    taken = store.consume_approval("f-1", "delete", NOW)
    assert taken is not None and taken.approver == "U123 (alice)"


def test_a_pending_approval_is_the_one_consume_would_take_and_stays_unconsumed(
    store: Store,
) -> None:
    store.add_approval(approval("a-late", expires_in=timedelta(hours=48)))
    store.add_approval(approval("a-soon", expires_in=timedelta(hours=2)))

    peeked = store.pending_approval("f-1", "delete", NOW)
    again = store.pending_approval("f-1", "delete", NOW + MINUTE)
    taken = store.consume_approval("f-1", "delete", NOW + MINUTE)  # peeking used nothing up

    assert peeked == again == approval("a-soon", expires_in=timedelta(hours=2))
    assert taken == approval("a-soon", expires_in=timedelta(hours=2), consumed_at=NOW + MINUTE)


def test_peeking_and_consuming_agree_until_none_is_left(store: Store) -> None:
    for id, hours in (("a-3", 3), ("a-1", 1), ("a-2", 2), ("a-1b", 1)):
        store.add_approval(approval(id, expires_in=timedelta(hours=hours)))

    order: list[str | None] = []
    for _ in range(5):
        peeked = store.pending_approval("f-1", "delete", NOW)
        taken = store.consume_approval("f-1", "delete", NOW)
        assert taken == (None if peeked is None else peeked.model_copy(update={"consumed_at": NOW}))
        order.append(None if taken is None else taken.id)

    assert order == ["a-1", "a-1b", "a-2", "a-3", None]  # soonest first, then by id


def test_a_pending_approval_ignores_expired_consumed_and_other_actions(store: Store) -> None:
    store.add_approval(approval("a-expiring", expires_in=timedelta(hours=1)))
    store.add_approval(approval("a-used", consumed_at=NOW))
    store.add_approval(approval("a-stop", action="stop"))
    store.add_approval(approval("a-elsewhere", finding_id="f-2"))
    expired = NOW + timedelta(hours=1)  # a-expiring's last instant has passed

    assert store.pending_approval("f-1", "delete", expired) is None
    assert store.consume_approval("f-1", "delete", expired) is None  # consume agrees
    assert store.pending_approval("f-3", "delete", NOW) is None
    stop = store.pending_approval("f-1", "stop", expired)
    assert stop is not None and stop.id == "a-stop"
    still = store.pending_approval("f-1", "delete", expired - MINUTE)
    assert still is not None and still.id == "a-expiring"


def test_a_link_token_is_consumed_only_the_first_time(store: Store) -> None:
    assert store.consume_token("t-1", NOW) is True
    assert store.consume_token("t-1", NOW + MINUTE) is False
    assert store.consume_token("t-2", NOW + MINUTE) is True


# Races (SQLite: real concurrent connections; DynamoDB's conditions are the service's own).
@pytest.mark.parametrize("shared", [False, True], ids=["one-connection-each", "one-store"])
def test_eight_racing_consumers_take_one_approval_once(tmp_path: Path, shared: bool) -> None:
    path = tmp_path / "watchdog.db"
    first = SqliteStore(path)
    first.add_approval(approval())
    stores = [first if shared else SqliteStore(path) for _ in range(8)]
    start = threading.Barrier(len(stores))
    results: list[Approval | None] = [None] * len(stores)

    def consume(index: int) -> None:
        start.wait()
        results[index] = stores[index].consume_approval("f-1", "delete", NOW)

    threads = [threading.Thread(target=consume, args=(i,)) for i in range(len(stores))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(result is not None for result in results) == 1
    for opened in {id(s): s for s in stores}.values():
        opened.close()
