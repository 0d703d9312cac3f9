"""What the channels beyond Slack (Teams, email, webhooks) have not told yet, and remembering
what they have: one memory per channel and finding, in the store beside Slack's messages.

Slack edits its message when a finding moves on. These channels cannot edit what they sent, so
each tells every *change*: a finding found (announced once), then each later stage it reaches
(approved, running, done, snoozed, resolved, parked), and for an open one nobody answered,
the reminder and the escalation its policy asks for (`ReminderRule`). Pure but for `remember`:
the stored findings and memories are passed in, so "never twice" is decided where tests see it.

A channel that fails to deliver a change remembers nothing, so the next cycle tells it again:
nothing is dropped, and nothing already told is told twice (but for a crash between the
channel's answer and the store's write, as with Slack).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from pydantic import BaseModel, Field

from watchdog.notify.deliver import ENDED, UNANNOUNCED
from watchdog.notify.options import ReviewLinks
from watchdog.store.base import PostedMessage, Store, StoredFinding

REMINDER = "reminder"
ESCALATED = "escalated"


@dataclass(frozen=True)
class ReminderRule:
    """A policy's `remind_after` / `escalate_after` / `escalate_to`: when an open finding
    nobody answered is told again, and when it goes to someone else as well."""

    remind_after: timedelta | None = None
    escalate_after: timedelta | None = None
    escalate_to: tuple[str, ...] = ()  # addresses, Slack channels: each channel takes its own


@dataclass(frozen=True)
class Change:
    """One thing a channel has to tell about one finding."""

    stored: StoredFinding
    stage: str  # the finding's state, or REMINDER / ESCALATED for an open one unanswered
    shown: str | None  # what this channel last told of it; None: never told
    review_url: str | None = None  # the signed approval page (open findings, with links)
    resume_url: str | None = None  # the signed Resume now page (parked findings)
    escalate_to: tuple[str, ...] = ()  # set on ESCALATED changes

    @property
    def new(self) -> bool:
        """The finding's first announcement on this channel (or its first since it ended)."""
        return self.shown is None or (self.shown in ENDED and self.stored.state == "open")


class ChannelResult(BaseModel):
    sent: int = 0  # changes delivered (a digest delivers several in one request)
    failed: list[str] = Field(default_factory=list)  # told again next cycle
    calls: int = 0  # requests made, retries included


@dataclass
class Delivered:
    """What a channel's `deliver` did: the changes it told, one line per failure."""

    told: list[Change] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # "finding id: why"
    calls: int = 0


class Channel(Protocol):
    name: str  # "teams", "email", "webhook": the memory's prefix

    def deliver(self, changes: Sequence[Change], now: datetime) -> Delivered:
        """Send `changes`; say which were delivered. Must not raise for a failed send."""


def memory_key(channel: str, finding_id: str) -> str:
    return f"{channel}:{finding_id}"


def stage_of(stored: StoredFinding, rule: ReminderRule | None, now: datetime) -> str:
    """The stage a finding is at: its state, but an open one unanswered for its policy's
    `escalate_after` (or `remind_after`) since it was first told is escalated (reminded)."""
    if stored.state != "open" or rule is None:
        return stored.state
    waiting = now - stored.state_changed_at
    if rule.escalate_after is not None and waiting >= rule.escalate_after:
        return ESCALATED
    if rule.remind_after is not None and waiting >= rule.remind_after:
        return REMINDER
    return "open"


def pending_changes(
    channel: str,
    stored: Iterable[StoredFinding],
    memories: Iterable[PostedMessage],
    now: datetime,
    *,
    current: Callable[[StoredFinding], bool],
    rules: Mapping[str, ReminderRule] | None = None,
    links: ReviewLinks | None = None,
) -> list[Change]:
    """The changes `channel` has not told. A finding is announced only when `current` (the
    cycle being told found it); a change of one already announced is told whenever it happens
    (an approval click, a teardown, a snooze). Rules are keyed by policy name."""
    prefix = memory_key(channel, "")
    told = {m.finding_id[len(prefix) :]: m for m in memories if m.finding_id.startswith(prefix)}
    changes = []
    for finding in stored:
        memory = told.get(finding.finding.id)
        rule = (rules or {}).get(finding.finding.policy)
        stage = stage_of(finding, rule, now)
        shown = memory.shown_state if memory is not None else None
        change = _change(finding, stage, shown, rule, links, now)
        if change.new:
            if not current(finding) or finding.state in UNANNOUNCED:
                continue
        elif shown == stage or _skips_back(shown, stage):
            continue
        changes.append(change)
    return changes


def _skips_back(shown: str | None, stage: str) -> bool:
    """An escalated finding is not reminded afterwards; one reminded is not "open" again."""
    order = ("open", REMINDER, ESCALATED)
    return shown in order and stage in order and order.index(stage) < order.index(shown or "")


def _change(
    finding: StoredFinding,
    stage: str,
    shown: str | None,
    rule: ReminderRule | None,
    links: ReviewLinks | None,
    now: datetime,
) -> Change:
    review = links.url(finding, now) if links is not None else None
    resume = links.resume(finding, now) if links is not None else None
    escalate_to = rule.escalate_to if rule is not None and stage == ESCALATED else ()
    return Change(finding, stage, shown, review, resume, escalate_to)


def remember(store: Store, channel: str, changes: Sequence[Change], now: datetime) -> None:
    """Record that `channel` told these changes, so no later run tells them again."""
    for change in changes:
        key = memory_key(channel, change.stored.finding.id)
        before = store.get_message(key)
        posted_at = before.posted_at if before is not None and not change.new else now
        store.save_message(
            PostedMessage(
                finding_id=key,
                channel=channel,
                ts="",
                posted_at=posted_at,
                shown_state=change.stage,
                updated_at=now,
            )
        )


def tell(
    store: Store,
    channel: Channel,
    now: datetime,
    *,
    current: Callable[[StoredFinding], bool],
    rules: Mapping[str, ReminderRule] | None = None,
    links: ReviewLinks | None = None,
    read: tuple[Sequence[StoredFinding], Sequence[PostedMessage]] | None = None,
) -> ChannelResult:
    """Deliver what `channel` has not told and remember what it delivered. `read`: the
    store's findings and messages already read (several channels told in a row read them
    once: each channel remembers under its own key, so the others' reads stay true)."""
    findings, memories = read or (store.list_findings(), store.list_messages())
    changes = pending_changes(
        channel.name,
        findings,
        memories,
        now,
        current=current,
        rules=rules,
        links=links,
    )
    if not changes:
        return ChannelResult()
    delivered = channel.deliver(changes, now)
    remember(store, channel.name, delivered.told, now)
    return ChannelResult(sent=len(delivered.told), failed=delivered.failed, calls=delivered.calls)
