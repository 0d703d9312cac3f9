"""What the rest of the watchdog knows of Slack: a `Sender`, and the one the settings make.

slack_sdk is imported only when Slack is configured (watchdog.notify.slack holds the senders
built on it): a scheduled Lambda without Slack, or one that has not posted yet, never loads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit
from urllib.request import proxy_bypass

if TYPE_CHECKING:
    from watchdog.notify.blocks import Message
    from watchdog.settings import Settings


class SendFailed(Exception):
    """Slack did not take the message; the text says what it answered."""


class Sender(Protocol):
    interactive: bool  # can carry buttons (and be edited afterwards)
    calls: int  # requests made, retries included, for the run's cost figures

    def post(self, channel: str, message: Message) -> tuple[str, str]:
        """Post; (channel id, ts) of the new message ("", "" when it cannot be edited)."""

    def update(self, channel: str, ts: str, message: Message) -> None: ...

    def user_for_email(self, email: str) -> str | None:
        """The Slack user id with this email, or None when there is none (or no way to ask)."""

    def group_members(self, group_id: str) -> frozenset[str]:
        """The user ids in a user group (an approver allowlist may name one)."""


def bypasses_proxy(url: str) -> bool:
    """slack_sdk takes HTTPS_PROXY from the environment but ignores NO_PROXY; a loopback or
    NO_PROXY host (a local Slack stand-in, a test server) must not go through the proxy."""
    host = urlsplit(url).hostname or ""
    return host in ("localhost", "127.0.0.1", "::1") or bool(proxy_bypass(host))


def sender_from_settings(settings: Settings) -> Sender | None:
    """The bot when a token is set, else the webhook when its URL is; None: no Slack."""
    if settings.slack_bot_token is not None:
        from watchdog.notify.slack import BotSender

        return BotSender(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)
    if settings.slack_webhook_url is not None:
        from watchdog.notify.slack import WebhookSender

        return WebhookSender(settings.slack_webhook_url.get_secret_value())
    return None
