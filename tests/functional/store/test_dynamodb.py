"""What only the DynamoDB backend has: the table definition, TTLs, pages, lost conditions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.functional.store.conftest import (
    LEASE,
    NOW,
    TABLE,
    approval,
    audit,
    dynamodb_client,
    finding,
    plan,
)
from watchdog.store import Retention, StoreUnavailable
from watchdog.store.dynamodb import DynamoStore, create_table

pytestmark = pytest.mark.usefixtures("aws")


class SmallPages:
    """A client whose queries return two items a page, as a large table would in 1 MB pages."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.pages = 0

    def query(self, **request: Any) -> Any:
        self.pages += 1
        return self._client.query(**request, Limit=2)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def epoch(days: float, hours: float = 0) -> int:
    return int((NOW + timedelta(days=days, hours=hours)).timestamp())


def table_client() -> Any:
    client = dynamodb_client()
    create_table(client, TABLE)
    return client


def item(client: Any, pk: str, sk: str = "META") -> dict[str, Any]:
    found: dict[str, Any] = client.get_item(
        TableName=TABLE, Key={"pk": {"S": pk}, "sk": {"S": sk}}
    )["Item"]
    return found


def test_the_table_is_on_demand_with_ttl_and_the_steps_index() -> None:
    client = table_client()

    table = client.describe_table(TableName=TABLE)["Table"]
    ttl = client.describe_time_to_live(TableName=TABLE)["TimeToLiveDescription"]

    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == ["gsi1"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expires_at")


def test_records_that_may_go_carry_a_ttl_and_those_that_must_stay_do_not() -> None:
    client = table_client()
    store = DynamoStore(client, TABLE, Retention(audit=timedelta(days=30)))

    store.put("price", 1.0, NOW)
    store.consume_token("t-1", NOW)
    store.add_approval(approval(expires_in=timedelta(hours=24)))
    store.append_audit(audit("au-1"))
    store.save_findings("r-1", [finding()], NOW)
    store.save_plan(plan(created_at=NOW))
    for step, state in (("s-done", "done"), ("s-failed", "failed"), ("s-parked", "parked")):
        store.claim_step(step, "f-1", "r-1", NOW, LEASE)
        store.mark_step(step, "r-1", state, "", NOW)  # type: ignore[arg-type]

    def ttl(pk: str, sk: str = "META") -> int | None:
        value = item(client, pk, sk).get("expires_at")
        return None if value is None else int(value["N"])

    assert ttl("CACHE#price") == epoch(30)
    assert ttl("TOKEN#t-1") == epoch(90)
    assert ttl("APPROVAL#f-1", "a-1") == epoch(91)  # expiry plus 90 days
    assert ttl("AUDITID#au-1") == epoch(30)  # configured retention
    assert ttl("AUDITDAYS", "2026-11-24") == epoch(30, hours=12)  # the day's end + retention
    assert ttl("STEP#s-done") == epoch(90)
    assert ttl("STEP#s-failed") is None  # may still be retried
    assert ttl("STEP#s-parked") is None  # the next run finishes it
    assert ttl(f"PLAN#{finding().id}") == epoch(90)  # from the execution's start
    assert ttl("FINDINGS", finding().id) is None


def test_every_listing_follows_pages() -> None:
    client = SmallPages(table_client())
    store = DynamoStore(client, TABLE)
    findings = [finding(f"e{i}") for i in range(5)]
    store.save_findings("r-1", findings, NOW)
    for i in range(5):
        store.claim_step(f"s-{i}", "f-1", "r-1", NOW, LEASE)
        store.append_audit(audit(f"au-{i}", timedelta(minutes=i)))
        store.add_approval(approval(f"a-{i}", action="stop", expires_in=timedelta(hours=1 + i)))
    store.add_approval(approval("a-delete", expires_in=timedelta(hours=10)))

    assert len(store.list_findings()) == 5
    assert len(store.list_steps("f-1")) == 5
    assert [e.id for e in store.list_audit()] == [f"au-{i}" for i in reversed(range(5))]
    pending = store.pending_approval("f-1", "stop", NOW)
    assert pending is not None and pending.id == "a-0"
    consumed = store.consume_approval("f-1", "delete", NOW)
    assert consumed is not None and consumed.id == "a-delete"
    assert client.pages > 4


class RacedBy:
    """A client that lets a rival consumer take every approval between our query and update."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.rival = DynamoStore(client, TABLE)

    def update_item(self, **request: Any) -> Any:
        self.rival.consume_approval("f-1", "delete", NOW)
        return self._client.update_item(**request)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def test_an_approval_taken_by_a_rival_after_the_query_is_not_taken_twice() -> None:
    client = table_client()
    DynamoStore(client, TABLE).add_approval(approval("a-1"))
    DynamoStore(client, TABLE).add_approval(approval("a-2", expires_in=timedelta(hours=48)))

    # Our query sees a-1 and a-2 unconsumed; the rival consumes a-1 before our update, then a-2
    # before our retry: both our conditional updates lose, and we get nothing.
    assert DynamoStore(RacedBy(client), TABLE).consume_approval("f-1", "delete", NOW) is None
    assert {a for a in ("a-1", "a-2") if "consumed_at" in item(client, "APPROVAL#f-1", a)} == {
        "a-1",
        "a-2",
    }


def test_a_missing_table_is_a_clear_store_error() -> None:
    store = DynamoStore(dynamodb_client(), "no-such-table")
    with pytest.raises(StoreUnavailable, match="table no-such-table not found in us-east-1"):
        store.get_finding("f-1")
    with pytest.raises(OSError):  # the signals cache degrades on OSError
        store.put("key", 1, NOW)
    assert store.get("key") is None  # a cache read never fails a run


def _item_bytes(stored: dict[str, Any]) -> int:
    """An item's size as DynamoDB bills it, about: names plus values, binary by its raw
    bytes (CapacityUnitCalculations.html; a number counted as its text, a little over)."""
    size = 0
    for name, value in stored.items():
        [(kind, raw)] = value.items()
        size += len(name.encode()) + (len(raw) if kind == "B" else len(str(raw).encode()))
    return size


def test_a_finding_is_saved_packed_and_an_item_saved_as_text_still_reads() -> None:
    """Every run saves every open finding again, billed a write unit per KB of the item."""
    client = table_client()
    store = DynamoStore(client, TABLE)
    saved = finding("llm")
    store.save_findings("run-1", [saved], NOW)
    stored = item(client, "FINDINGS", saved.id)
    text_bytes = len(saved.model_dump_json().encode())
    assert "B" in stored["body"]
    assert text_bytes > 1024 and _item_bytes(stored) <= 1024  # one write unit, not two
    assert store.get_finding(saved.id).finding == saved  # type: ignore[union-attr]
    # An item an older version saved, body as text, reads as before.
    client.update_item(
        TableName=TABLE,
        Key={"pk": {"S": "FINDINGS"}, "sk": {"S": saved.id}},
        UpdateExpression="SET body = :text",
        ExpressionAttributeValues={":text": {"S": saved.model_dump_json()}},
    )
    assert [s.finding for s in store.list_findings()] == [saved]
