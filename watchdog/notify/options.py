"""What a notification is asked to do and what it did: the parts of the notifier a cycle and
the service hold whether or not Slack is configured, so they load without slack_sdk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from watchdog.approvals.tokens import approval_url, issue_token, resume_url
from watchdog.store.base import StoredFinding


@dataclass(frozen=True)
class ReviewLinks:
    """Approval links for the Review button: signed with the link secret, on the public URL."""

    secret: bytes
    public_url: str
    validity: timedelta = timedelta(hours=24)

    def url(self, stored: StoredFinding, now: datetime) -> str | None:
        action = stored.finding.action
        if action == "notify" or stored.state != "open":
            return None
        token = issue_token(self.secret, stored.finding.id, action, now + self.validity)
        return approval_url(self.public_url, token)

    def resume(self, stored: StoredFinding, now: datetime) -> str | None:
        """A parked finding's Resume now link; None for any other."""
        if stored.state != "parked":
            return None
        expires = now + self.validity
        token = issue_token(self.secret, stored.finding.id, "park", expires, purpose="resume")
        return resume_url(self.public_url, token)


@dataclass(frozen=True)
class NotifyOptions:
    default_channel: str | None = None
    # Channels an owner tag may route an alert to (ids, or names without '#').
    channels: frozenset[str] = frozenset()
    digest: bool = False
    snooze_days: int = 7
    links: ReviewLinks | None = None


class NotifyResult(BaseModel):
    posted: int = 0  # findings announced (a digest announces several in one message)
    updated: int = 0  # messages edited
    failed: list[str] = Field(default_factory=list)  # retried next cycle
    skipped: list[str] = Field(default_factory=list)
    slack_calls: int = 0
