"""Slack message references on the DynamoDB table, kept out of store.py.

A finding's message is one item in the MESSAGES partition (sort key: the finding id, see
keys.py), so every message is listed, in finding-id order, by one query. Each field is
its own attribute, for whoever inspects the table.
"""

from __future__ import annotations

from datetime import timedelta

from watchdog.store.base import PostedMessage, time_key
from watchdog.store.dynamodb import keys as k

Item = k.Item


def message_item(message: PostedMessage, keep: timedelta) -> Item:
    """The message's item, expiring `keep` after it was last updated (Retention.messages):
    every update rewrites the item, so a message still in use never expires."""
    m = message
    return {
        **k.key(k.MESSAGES, m.finding_id),
        "channel": k.s(m.channel),
        "ts": k.s(m.ts),
        "posted_at": k.s(time_key(m.posted_at)),
        "shown_state": k.s(m.shown_state),
        "shown_detail": k.s(m.shown_detail),
        "updated_at": k.s(time_key(m.updated_at)),
        "expires_at": k.ttl(m.updated_at, keep),
    }


def message(item: Item) -> PostedMessage:
    return PostedMessage(
        finding_id=k.text(item, "sk"),
        channel=k.text(item, "channel"),
        ts=k.text(item, "ts"),
        posted_at=k.time(item, "posted_at"),
        shown_state=k.text(item, "shown_state"),
        shown_detail=k.text(item, "shown_detail"),
        updated_at=k.time(item, "updated_at"),
    )
