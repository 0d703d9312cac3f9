"""The store contract for Slack messages, on SQLite and DynamoDB (moto) alike.

The notifier relies on one message per finding that later runs update rather than post again,
and on listing them all in finding-id order to re-render a digest several findings share.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from tests.functional.store.conftest import NOW
from watchdog.store import PostedMessage, Store

MINUTE = timedelta(minutes=1)


def message(finding_id: str = "f-1", **fields: object) -> PostedMessage:
    return PostedMessage.model_validate(
        {
            "finding_id": finding_id,
            "channel": "C0123456789",
            "ts": "1795003200.000100",
            "posted_at": NOW,
            "shown_state": "open",
            "updated_at": NOW,
            **fields,
        }
    )


def test_a_message_round_trips(store: Store) -> None:
    posted = message(shown_detail="idle 14 days")

    store.save_message(posted)

    assert store.get_message("f-1") == posted
    assert store.list_messages() == [posted]


def test_a_webhook_message_has_no_channel_or_ts_and_still_round_trips(store: Store) -> None:
    posted = message(channel="", ts="")  # DynamoDB must keep empty strings as they are

    store.save_message(posted)

    assert store.get_message("f-1") == posted


def test_saving_a_finding_message_again_replaces_it(store: Store) -> None:
    store.save_message(message())
    approved = message(
        shown_state="approved",
        shown_detail="by alice at 12:01 UTC",
        updated_at=NOW + MINUTE,
    )

    store.save_message(approved)

    assert store.get_message("f-1") == approved
    assert store.list_messages() == [approved]  # one message per finding


def test_messages_list_by_finding_id_and_a_digest_is_found_by_channel_and_ts(
    store: Store,
) -> None:
    channel, ts = "C0123456789", "1795003200.000200"
    for finding_id in ("f-c", "f-a", "f-b"):
        store.save_message(message(finding_id, channel=channel, ts=ts))
    store.save_message(message("f-0", channel=channel, ts="1795003200.000100"))  # on its own

    listed = store.list_messages()

    assert [m.finding_id for m in listed] == ["f-0", "f-a", "f-b", "f-c"]
    shared = [m.finding_id for m in listed if (m.channel, m.ts) == (channel, ts)]
    assert shared == ["f-a", "f-b", "f-c"]


def test_a_finding_never_announced_has_no_message(store: Store) -> None:
    assert store.get_message("f-none") is None
    assert store.list_messages() == []
    store.save_message(message())
    assert store.get_message("f-none") is None


def test_a_message_with_a_naive_time_is_refused_before_it_reaches_the_store(
    store: Store,
) -> None:
    with pytest.raises(ValidationError, match="timezone"):
        message(updated_at=NOW.replace(tzinfo=None))
    assert store.list_messages() == []
