"""Slack clicks: only signed, fresh requests count, and an Approve is for what was shown."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from slack_sdk.signature import SignatureVerifier

from tests.unit.act.test_admission_rules import finding
from watchdog.notify.interactions import Refused, Rejected, approve, parse_click
from watchdog.store.sqlite import SqliteStore

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def click_body(action_id: str = "approve", value: str = "f-1:delete", **extra: object) -> str:
    payload = {
        "type": "block_actions",
        "user": {"id": "U123", "username": "ana"},
        "team": {"id": "T1"},
        "response_url": "https://hooks.slack.com/actions/T1/1/abc",
        "actions": [{"action_id": action_id, "value": value, "type": "button"}],
        **extra,
    }
    return urlencode({"payload": json.dumps(payload)})


def signed(body: str, at: datetime = NOW, secret: str = SECRET) -> dict[str, str]:
    timestamp = str(int(at.timestamp()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature or ""}


def test_a_signed_approve_click_is_parsed() -> None:
    body = click_body()

    click = parse_click(signed(body), body, SECRET, NOW)

    assert click is not None
    assert (click.button, click.finding_id, click.action, click.user_id) == (
        "approve",
        "f-1",
        "delete",
        "U123",
    )
    assert click.response_url == "https://hooks.slack.com/actions/T1/1/abc"


@pytest.mark.parametrize(
    "headers",
    [
        {},  # missing
        signed(click_body(), secret="another-secret-another-secret-00"),  # forged
        signed(click_body(), at=NOW - timedelta(minutes=6)),  # stale: a replay
        signed(click_body(value="f-2:delete")),  # signed for another body: tampered
    ],
)
def test_unsigned_forged_stale_or_tampered_requests_are_rejected(headers: dict[str, str]) -> None:
    with pytest.raises(Rejected) as rejected:
        parse_click(headers, click_body(), SECRET, NOW)
    assert rejected.value.status == 401


def test_a_malformed_payload_is_a_bad_request_and_review_clicks_need_nothing() -> None:
    bad = urlencode({"payload": "{not json"})
    with pytest.raises(Rejected) as rejected:
        parse_click(signed(bad), bad, SECRET, NOW)
    assert rejected.value.status == 400
    review = click_body(action_id="review", value="")
    assert parse_click(signed(review), review, SECRET, NOW) is None


@pytest.fixture
def store(tmp_path: Path) -> SqliteStore:
    opened = SqliteStore(tmp_path / "w.db")
    opened.save_findings("r", [finding()], NOW)
    return opened


def test_an_approve_click_records_a_slack_approval(store: SqliteStore) -> None:
    body = click_body()
    click = parse_click(signed(body), body, SECRET, NOW)
    assert click is not None

    approval = approve(store, click, NOW)

    assert approval.via == "slack" and approval.approver == "slack:U123"
    assert store.pending_approval("f-1", "delete", NOW) == approval


def test_an_approve_click_is_refused_for_the_wrong_action(store: SqliteStore) -> None:
    # Who may approve is approvals.authorize's question (tests/unit/approvals/test_authorize.py).
    stop = click_body(value="f-1:stop")
    wrong = parse_click(signed(stop), stop, SECRET, NOW)
    assert wrong is not None

    with pytest.raises(Refused, match="now asks to delete"):
        approve(store, wrong, NOW)
    assert store.pending_approval("f-1", "delete", NOW) is None
