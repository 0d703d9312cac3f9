"""The Lambda's side of #14 items 5, 6 and 8, on its DynamoDB store: a click replayed to another
invocation acts once, a work event naming a host other than Slack's sends nothing, and a bad
button value is a 400 with no traceback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from watchdog_sandbox.slack_clicks import block_actions, signed_request

from lambda_handler import handler
from tests.functional.service.test_click_reply_url import METADATA, Webhooks
from tests.functional.test_lambda_handler import (
    ALICE,
    CHANNEL,
    SIGNING_SECRET,
    Dispatched,
    approve_click,
    http_event,
    stored,
)
from watchdog.act import SystemClock
from watchdog.service import work as work_module
from watchdog.store.base import Store

__all__ = ["stored"]


def test_a_click_replayed_to_another_invocation_approves_once(
    stored: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = approve_click()
    dispatched = Dispatched()

    first = handler(event, None, dispatched)
    # The same request 90 s later: still inside Slack's five minutes, in another second.
    later = datetime.now(UTC) + timedelta(seconds=90)
    monkeypatch.setattr(SystemClock, "now", lambda self: later)
    again = handler(event, None, dispatched)

    assert first["statusCode"] == again["statusCode"] == 200
    assert [w.task for w in dispatched.work] == ["execute", "reply"]
    assert stored.consume_approval("f-1", "delete", later) is not None
    assert stored.consume_approval("f-1", "delete", later) is None


def test_a_click_naming_the_metadata_endpoint_hands_on_no_response_url(stored: Store) -> None:
    dispatched = Dispatched()

    handler(approve_click(response_url=METADATA), None, dispatched)

    assert [(w.task, w.response_url) for w in dispatched.work] == [("execute", None)]


def test_a_work_event_naming_the_metadata_endpoint_sends_nothing(
    stored: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    Webhooks.sent = []
    monkeypatch.setattr(work_module, "WebhookClient", Webhooks)
    event: dict[str, Any] = {
        "watchdog_work": {"task": "reply", "response_url": METADATA, "text": "hello"}
    }

    assert handler(event, None) == {"done": "reply", "finding_id": None}
    assert Webhooks.sent == []


@pytest.mark.parametrize("days", ["abc", "9" * 5000, "10000000000"])
def test_a_bad_snooze_value_is_a_400_with_no_traceback(stored: Store, days: str) -> None:
    button = {"action_id": "snooze", "value": f"f-1:delete:{days}", "type": "button"}
    payload = block_actions(
        button, ALICE, CHANNEL, "1764000000.000100", "https://hooks.slack.com/actions/T000/1/abc"
    )
    headers, body = signed_request(payload, SIGNING_SECRET)
    dispatched = Dispatched()

    answer = handler(http_event("POST", "/slack/interactions", headers, body), None, dispatched)

    assert answer["statusCode"] == 400 and "Traceback" not in answer["body"]
    assert [w.task for w in dispatched.work] == ["reply"]
    assert stored.get_finding("f-1").state == "open"  # type: ignore[union-attr]
