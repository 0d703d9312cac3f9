"""Bad values in a signed click (#14 item 8): a button value no button carries, or a payload of
the wrong shape, is a 4xx, a reply to the clicker and one log line - never a 500 or a
traceback."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from structlog.testing import capture_logs
from watchdog_sandbox.slack_clicks import block_actions, signed_request

from tests.functional.service.routes import (
    ALICE,
    CHANNEL,
    RESPONSE_URL,
    SIGNING_SECRET,
    TS,
    nothing_recorded,
    service_for,
    signed,
)
from tests.unit.evaluate.factories import NOW
from watchdog.service.routes import Request, route
from watchdog.store.base import Store


def signed_value(value: str, action_id: str = "snooze") -> Request:
    button = {"action_id": action_id, "value": value, "type": "button"}
    payload = block_actions(button, ALICE, CHANNEL, TS, RESPONSE_URL)
    headers, body = signed_request(payload, SIGNING_SECRET, at=NOW.timestamp())
    return Request("POST", "/slack/interactions", headers, body)


@pytest.mark.parametrize(
    "value",
    [
        "f-1:delete:abc",
        "f-1:delete:" + "9" * 5000,
        "f-1:delete:999999999999",
        "f-1:delete:0",
        "f-1:delete:-3",
        "f-1:delete:7:extra",
        "f-1",
        "x" * 5000,
    ],
    ids=["word", "5000-digits", "huge", "zero", "negative", "extra-part", "no-action", "long"],
)
def test_a_bad_snooze_value_is_a_4xx_told_to_the_clicker_and_one_log_line(
    store: Store, value: str
) -> None:
    with capture_logs() as logs:
        response, work = route(service_for(store), signed_value(value), NOW)

    assert 400 <= response.status < 500
    assert "Traceback" not in response.body and len(response.body) < 300
    assert [(w.task, w.response_url) for w in work] == [("reply", RESPONSE_URL)]
    assert work[0].text is not None and "Nothing was changed" in work[0].text
    assert nothing_recorded(store)
    rejected = [e for e in logs if e["event"] == "slack request rejected"]
    assert len(rejected) == 1 and rejected[0]["status"] == response.status
    assert "\n" not in json.dumps(rejected[0])


def signed_payload(payload: Any) -> Request:
    return signed(urlencode({"payload": json.dumps(payload)}))


BROKEN: list[Any] = [
    {"type": "block_actions", "user": {"id": ALICE}, "actions": ["approve"]},
    {"type": "block_actions", "user": ALICE, "actions": [{"action_id": "approve"}]},
    {
        "type": "block_actions",
        "user": {"id": ALICE},
        "actions": [{"action_id": "snooze", "value": 7}],
    },
    {"type": "block_actions", "user": {"id": ["x"]}, "actions": [{"action_id": "approve"}]},
    {"type": ["block_actions"], "user": {"id": ALICE}},
]


@pytest.mark.parametrize("payload", BROKEN, ids=[str(i) for i in range(len(BROKEN))])
def test_a_signed_payload_of_the_wrong_shape_is_a_400_not_a_crash(
    store: Store, payload: Any
) -> None:
    response, work = route(service_for(store), signed_payload(payload), NOW)

    assert response.status == 400 and work == []
    assert nothing_recorded(store)


def test_odd_optional_fields_are_left_out_not_a_crash(store: Store) -> None:
    action = {"action_id": "approve", "value": "f-1:delete", "action_ts": {}}
    payload = {
        "type": "block_actions",
        "user": {"id": ALICE},
        "team": ["T1"],
        "response_url": 5,
        "actions": [action],
    }

    response, work = route(service_for(store), signed_payload(payload), NOW)

    assert response.status == 200
    assert [(w.task, w.response_url) for w in work] == [("execute", None)]


def test_a_deeply_nested_payload_is_a_400(store: Store) -> None:
    body = urlencode({"payload": "[" * 100_000 + "]" * 100_000})

    response, work = route(service_for(store), signed(body), NOW)

    assert response.status == 400 and work == []
