"""The store contract for when each resource was last active, on SQLite and DynamoDB (moto).

The signals stage reads one (account, region) at a time and upserts what a run learnt; it
relies on an entry coming back exactly as written (its time to the microsecond: a skipped query
is exact only if the moment is) and on places never mixing.
"""

from __future__ import annotations

from datetime import timedelta

from tests.functional.store.conftest import NOW
from watchdog.store import Store
from watchdog.store.activity import LastActive, QuietCheck

HOUR = timedelta(hours=1)


def entry(
    name: str, account: str = "111122223333", region: str = "us-east-1", **fields: object
) -> LastActive:
    return LastActive.model_validate(
        {
            "arn": f"arn:aws:sagemaker:{region}:{account}:endpoint/{name}",
            "account": account,
            "region": region,
            "at": NOW - 2 * HOUR,
            "queries": "digest-1",
            "recorded_at": NOW,
            **fields,
        }
    )


def test_nothing_is_recalled_before_anything_is_remembered(store: Store) -> None:
    assert store.recall_activity("111122223333", "us-east-1") == []


def test_entries_round_trip_by_place_in_arn_order(store: Store) -> None:
    b, a = entry("b", at=NOW - HOUR + timedelta(microseconds=7)), entry("a")
    elsewhere = entry("a", region="eu-west-1")
    other_account = entry("c", account="444455556666")

    store.remember_activity([b, a, elsewhere, other_account])

    assert store.recall_activity("111122223333", "us-east-1") == [a, b]
    assert store.recall_activity("111122223333", "eu-west-1") == [elsewhere]
    assert store.recall_activity("444455556666", "us-east-1") == [other_account]


def test_remembering_a_resource_again_replaces_its_entry(store: Store) -> None:
    store.remember_activity([entry("a")])
    later = entry("a", at=NOW - HOUR, queries="digest-2", recorded_at=NOW + HOUR)

    store.remember_activity([later])

    assert store.recall_activity("111122223333", "us-east-1") == [later]


def test_remembering_nothing_is_harmless(store: Store) -> None:
    store.remember_activity([])
    assert store.recall_activity("111122223333", "us-east-1") == []


def test_a_first_run_of_a_large_fleet_is_remembered_whole(store: Store) -> None:
    # DynamoDB overlaps these writes: every one must land, each with its own moment.
    fleet = [entry(f"e{i:03}", at=NOW - HOUR + timedelta(seconds=i)) for i in range(60)]

    store.remember_activity(fleet)

    assert store.recall_activity("111122223333", "us-east-1") == fleet


def test_an_older_reading_never_replaces_a_newer_one(store: Store) -> None:
    # A slower concurrent run must not put back what a later query superseded (signals/quiet.py).
    newer = entry("a", recorded_at=NOW + HOUR, at=None, observed_from=NOW - 7 * 24 * HOUR)
    store.remember_activity([newer])

    store.remember_activity([entry("a", recorded_at=NOW)])

    assert store.recall_activity("111122223333", "us-east-1") == [newer]


def test_a_reading_for_the_idle_hold_round_trips(store: Store) -> None:
    read = entry(
        "a",
        at=None,
        observed_from=NOW - 8 * 24 * HOUR + timedelta(microseconds=3),
        traffic_at=NOW - 9 * HOUR,
        load_at=NOW - HOUR,
    )
    store.remember_activity([read])
    assert store.recall_activity("111122223333", "us-east-1") == [read]


def check(metric: str, region: str = "us-east-1", **fields: object) -> QuietCheck:
    return QuietCheck.model_validate(
        {
            "account": "111122223333",
            "region": region,
            "namespace": "AWS/SageMaker",
            "metric": metric,
            "covered_from": NOW - 3 * HOUR,
            "checked_at": NOW,
            **fields,
        }
    )


def test_quiet_checks_round_trip_by_place_and_are_replaced_by_metric(store: Store) -> None:
    assert store.recall_checks("111122223333", "us-east-1") == []
    later = check("Invocations", checked_at=NOW + HOUR)
    store.remember_checks([check("Invocations"), check("InvocationsProcessed")])
    store.remember_checks([later, check("Invocations", region="eu-west-1")])

    assert store.recall_checks("111122223333", "us-east-1") == [
        later,
        check("InvocationsProcessed"),
    ]
    assert store.recall_checks("111122223333", "eu-west-1") == [
        check("Invocations", region="eu-west-1")
    ]
    # Checks are not activity entries, nor the other way round.
    assert store.recall_activity("111122223333", "us-east-1") == []
