"""The webhook's event: its exact fields (a contract with receivers), its type per stage, and
an id that stays the same for one change and differs for another."""

from __future__ import annotations

import json
import typing
from datetime import timedelta

from tests.unit.act.test_admission_rules import finding
from tests.unit.evaluate.factories import NOW
from tests.unit.notify.deliveries import stored
from watchdog.notify.outbound import ESCALATED, REMINDER, Change
from watchdog.notify.webhook_events import (
    EVENT_TYPES,
    SCHEMA_VERSION,
    event_body,
    event_id,
    event_of,
)
from watchdog.store.base import FindingState

EVENT_KEYS = {
    "schema_version",
    "id",
    "type",
    "occurred_at",
    "previous_type",
    "finding",
    "links",
    "escalate_to",
}
FINDING_KEYS = {
    "id",
    "policy",
    "kind",
    "arn",
    "name",
    "account",
    "region",
    "action",
    "requested_action",
    "reason",
    "evidence",
    "confidence",
    "monthly_cost_usd",
    "monthly_savings_usd",
    "cost_basis",
    "owner",
    "state",
    "state_detail",
    "state_until",
    "first_seen",
    "last_seen",
}


def test_the_event_has_exactly_its_documented_fields() -> None:
    change = Change(stored("llm", owner="alice@example.com"), "open", None, "https://w/approve/t")

    event = event_of(change, NOW)

    assert set(event) == EVENT_KEYS and set(event["finding"]) == FINDING_KEYS
    assert set(event["finding"]["evidence"]) == {"state", "detail", "window_hours", "facts"}
    assert event["schema_version"] == SCHEMA_VERSION == 1
    assert event["type"] == "finding.opened" and event["previous_type"] is None
    assert event["links"] == {"review": "https://w/approve/t", "resume": None}
    shown = event["finding"]
    assert (shown["id"], shown["kind"], shown["name"]) == ("f-llm", "sagemaker-endpoint", "llm")
    assert (shown["action"], shown["owner"], shown["state"]) == (
        "delete",
        "alice@example.com",
        "open",
    )
    assert (shown["monthly_cost_usd"], shown["monthly_savings_usd"]) == (100.0, 100.0)
    assert event["occurred_at"] == "2026-11-24T12:00:00Z"
    assert shown["first_seen"] == "2026-11-23T12:00:00Z"


def test_every_state_and_the_reminders_have_a_type() -> None:
    states = set(typing.get_args(FindingState))

    assert set(EVENT_TYPES) == states | {REMINDER, ESCALATED}
    assert EVENT_TYPES["open"] == "finding.opened"
    assert {EVENT_TYPES[s] for s in states - {"open"}} == {
        f"finding.{s}" for s in states - {"open"}
    }


def test_an_escalation_names_its_targets_and_occurs_when_told() -> None:
    later = NOW + timedelta(days=7)
    change = Change(stored("llm"), ESCALATED, REMINDER, escalate_to=("#finops-leads", "S0LEADS01"))

    event = event_of(change, later)

    assert event["type"] == "finding.escalated" and event["previous_type"] == "finding.reminder"
    assert event["escalate_to"] == ["#finops-leads", "S0LEADS01"]
    assert event["occurred_at"] == "2026-12-01T12:00:00Z"


def test_the_id_is_the_same_for_one_change_told_twice() -> None:
    once = Change(stored("llm", "approved"), "approved", "open", "https://w/a/1")
    again = Change(stored("llm", "approved"), "approved", None, "https://w/a/2")

    assert event_id(once) == event_id(again)
    assert event_of(once, NOW)["id"] == event_of(again, NOW + timedelta(hours=1))["id"]


def test_the_id_differs_by_finding_stage_and_when_the_state_was_entered() -> None:
    base = Change(stored("llm", "approved"), "approved", "open")
    others = [
        Change(stored("other", "approved"), "approved", "open"),
        Change(stored("llm", "approved"), "executing", "approved"),
        Change(stored("llm", "approved", changed_at=NOW + timedelta(days=1)), "approved", "open"),
    ]

    assert event_id(base).startswith("evt-")
    assert len({event_id(base), *map(event_id, others)}) == 4


def test_the_body_is_compact_sorted_ascii_json() -> None:
    record = stored("llm").model_copy(
        update={"finding": finding(id="f-llm", reason="idle for 7 días <b>")}
    )
    body = event_body(event_of(Change(record, "open", None), NOW))

    assert body.isascii() and b": " not in body and b", " not in body
    assert json.loads(body)["finding"]["reason"] == "idle for 7 días <b>"
    assert body == event_body(json.loads(body))
