"""The store contract: every test runs against SQLite and DynamoDB (moto) alike.

What the executor and the approval flow rely on is pinned here, so either backend can be
swapped in without the callers noticing: first_seen is kept, a snooze's end is kept until the
state changes, an approval is consumed once (and peeked without being consumed), a step is held
by one run at a time, a parked step is taken over at once, a plan is kept per finding, the audit
log is append-only and newest first. Slack messages are in test_contract_messages.
"""

from __future__ import annotations

import threading
from datetime import timedelta, timezone
from pathlib import Path

import pytest

from tests.functional.store.conftest import NOW, endpoint_config, finding, plan
from watchdog.store import (
    Approval,
    AuditEntry,
    Store,
    StoreConflict,
    StoreNotFound,
)
from watchdog.store.sqlite import SqliteStore

LEASE = timedelta(minutes=15)
MINUTE = timedelta(minutes=1)


def approval(
    id: str = "a-1",
    finding_id: str = "f-1",
    action: str = "delete",
    expires_in: timedelta = timedelta(hours=24),
    **fields: object,
) -> Approval:
    return Approval.model_validate(
        {
            "id": id,
            "finding_id": finding_id,
            "action": action,
            "approver": "U123 (alice)",
            "via": "slack",
            "created_at": NOW,
            "expires_at": NOW + expires_in,
            **fields,
        }
    )


def audit(id: str, at_offset: timedelta = timedelta(0), **fields: object) -> AuditEntry:
    return AuditEntry.model_validate(
        {
            "id": id,
            "at": NOW + at_offset,
            "run_id": "r-1",
            "finding_id": "f-1",
            "step_id": "s-1",
            "op": "sagemaker:DeleteEndpoint",
            "target_arn": "arn:aws:sagemaker:us-east-1:111122223333:endpoint/llm",
            "account": "111122223333",
            "region": "us-east-1",
            "outcome": "done",
            "approved_by": "U123 (alice)",
            "monthly_cost_saved_usd": 1027.84,
            **fields,
        }
    )


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
