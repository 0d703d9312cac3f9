"""Clicking a button on a posted message, as Slack would send it: a block_actions payload
built from the message's own blocks, form-encoded and signed with the signing secret. The
demo clicks Approve this way, and the tests click every button."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier


def button(
    blocks: list[dict[str, Any]], action_id: str, finding_id: str | None = None
) -> dict[str, Any]:
    """The button with `action_id` (on `finding_id`'s row, in a digest)."""
    for block in blocks:
        for element in block.get("elements", []) if block["type"] == "actions" else []:
            value = str(element.get("value", ""))
            if element["action_id"] == action_id and (
                finding_id is None or value.startswith(f"{finding_id}:")
            ):
                return dict(element)
    raise LookupError(f"no {action_id} button in the message")


def block_actions(
    clicked: dict[str, Any], user: str, channel: str, ts: str, response_url: str
) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "team_id": "T000"},
        "team": {"id": "T000", "domain": "sandbox"},
        "api_app_id": "A000SANDBOX",
        "container": {"type": "message", "message_ts": ts, "channel_id": channel},
        "channel": {"id": channel},
        "trigger_id": "1.2.3",
        "response_url": response_url,
        "actions": [{**clicked, "block_id": "b", "action_ts": f"{time.time():.6f}"}],
    }


def signed_request(
    payload: dict[str, Any], secret: str, at: float | None = None
) -> tuple[dict[str, str], str]:
    """(headers, body) of the POST Slack makes to the interactivity URL."""
    body = urlencode({"payload": json.dumps(payload)})
    timestamp = str(int(time.time() if at is None else at))
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature or "",
    }
    return headers, body
