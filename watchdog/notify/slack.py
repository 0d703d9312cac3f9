"""Talking to Slack: a bot (Web API, buttons, editable messages) or an incoming webhook (links
only). Both retry a 429 after its Retry-After and a 5xx a few times through slack_sdk's retry
handlers; what still fails raises SendFailed, and the caller leaves the finding unposted so
the next cycle tries again. Imported only where Slack is configured (watchdog.notify.sender).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.web import SlackResponse
from slack_sdk.webhook import WebhookClient

from watchdog.notify.blocks import Message

# Re-exported: what callers that build senders also need.
from watchdog.notify.sender import Sender, SendFailed, bypasses_proxy, sender_from_settings

__all__ = [
    "BotSender",
    "SendFailed",
    "Sender",
    "WebhookSender",
    "bypasses_proxy",
    "retry_handlers",
    "sender_from_settings",
]

TIMEOUT_S = 10


def retry_handlers() -> list[RetryHandler]:
    return [
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=3),
        ServerErrorRetryHandler(max_retry_count=2),
    ]


class BotSender:
    interactive = True

    def __init__(self, token: str, base_url: str = "https://slack.com/api/") -> None:
        self.client = WebClient(
            token=token, base_url=base_url, timeout=TIMEOUT_S, retry_handlers=retry_handlers()
        )
        if bypasses_proxy(base_url):
            self.client.proxy = None
        self.calls = 0

    def post(self, channel: str, message: Message) -> tuple[str, str]:
        answer = self._call(
            "chat.postMessage",
            lambda: self.client.chat_postMessage(
                channel=channel,
                text=message.text,
                blocks=message.blocks,
                unfurl_links=False,
                thread_ts=message.thread_ts,
            ),
        )
        return str(answer["channel"]), str(answer["ts"])

    def update(self, channel: str, ts: str, message: Message) -> None:
        self._call(
            "chat.update",
            lambda: self.client.chat_update(
                channel=channel, ts=ts, text=message.text, blocks=message.blocks
            ),
        )

    def user_for_email(self, email: str) -> str | None:
        try:
            answer = self._call(
                "users.lookupByEmail", lambda: self.client.users_lookupByEmail(email=email)
            )
        except SendFailed:
            return None  # unknown email, or the app lacks users:read.email: name it unmentioned
        user = answer.get("user") or {}
        return str(user["id"]) if "id" in user else None

    def group_members(self, group_id: str) -> frozenset[str]:
        answer = self._call(
            "usergroups.users.list", lambda: self.client.usergroups_users_list(usergroup=group_id)
        )
        return frozenset(str(user) for user in answer.get("users", []))

    def _call(self, method: str, call: Callable[[], SlackResponse]) -> dict[str, Any]:
        self.calls += 1
        try:
            response = call()
        except SlackApiError as error:
            raise SendFailed(f"{method}: {error.response.get('error', error)}") from error
        except (SlackClientError, OSError) as error:
            raise SendFailed(f"{method}: {error}") from error
        return dict(response.data) if isinstance(response.data, dict) else {}


class WebhookSender:
    """An incoming webhook posts to its one channel and cannot edit or look anyone up."""

    interactive = False

    def __init__(self, url: str) -> None:
        self.client = WebhookClient(url, timeout=TIMEOUT_S, retry_handlers=retry_handlers())
        if bypasses_proxy(url):
            self.client.proxy = None
        self.calls = 0

    def post(self, channel: str, message: Message) -> tuple[str, str]:
        self.calls += 1
        try:
            response = self.client.send(text=message.text, blocks=message.blocks)
        except (SlackClientError, OSError) as error:
            raise SendFailed(f"webhook: {error}") from error
        if response.status_code != 200:
            raise SendFailed(f"webhook: HTTP {response.status_code} {response.body}")
        return "", ""

    def update(self, channel: str, ts: str, message: Message) -> None:
        raise SendFailed("an incoming webhook's message cannot be edited")

    def user_for_email(self, email: str) -> str | None:
        return None

    def group_members(self, group_id: str) -> frozenset[str]:
        return frozenset()
