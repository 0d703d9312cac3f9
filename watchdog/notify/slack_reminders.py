"""Slack's reminders and escalations: a finding nobody answered is brought up again, as its
policy's `reminders` ask (outbound.stage_of decides when; the store remembers, per finding,
what Slack was last told, as for every channel).

A reminder is a reply in the alert's thread naming the owner (a new message where the alert
cannot be replied to: an incoming webhook, or an alert that was never posted). An escalation
posts the whole alert, buttons included, to each Slack target of `escalate_to` (a channel; a
user or user group is named in the default channel), and says so in the alert's thread. The
other changes (approved, done, ...) are the alert's own edits (notifier.py): nothing is sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import structlog
from slack_sdk.models.blocks import Block, SectionBlock

from watchdog.notify.blocks import Message, fallback_text, finding_blocks, money
from watchdog.notify.deliver import WEBHOOK_CHANNEL, route
from watchdog.notify.mrkdwn import escape
from watchdog.notify.options import NotifyOptions
from watchdog.notify.outbound import ESCALATED, REMINDER, Change, Delivered
from watchdog.notify.sender import Sender, SendFailed
from watchdog.store.base import Store

log = structlog.get_logger(__name__)

_CHANNEL_TARGET = ("#", "C", "G")
_PERSON_TARGET = ("U", "W")


class SlackReminders:
    """The `Channel` for Slack's reminders and escalations."""

    name = "slack"

    def __init__(self, store: Store, sender: Sender, options: NotifyOptions) -> None:
        self.store, self.sender, self.options = store, sender, options

    def deliver(self, changes: Sequence[Change], now: datetime) -> Delivered:
        out = Delivered()
        before = self.sender.calls
        for change in changes:
            try:
                if change.stage == REMINDER:
                    self._remind(change, now)
                elif change.stage == ESCALATED:
                    self._escalate(change, now)
            except SendFailed as error:
                log.warning("slack reminder failed", finding_id=_id(change), error=str(error))
                out.failed.append(f"{_id(change)}: {error}")
                continue
            out.told.append(change)
        out.calls = self.sender.calls - before
        return out

    def _remind(self, change: Change, now: datetime) -> None:
        finding = change.stored.finding
        text = (
            f":alarm_clock: *Reminder* - {self._owner(change)}: this has waited "
            f"{_waited(change, now)} for an answer; {money(finding.monthly_cost_usd)} at stake. "
            " Approve, snooze or exempt it above."
        )
        self._reply_or_post(change, now, text, "reminder")

    def _escalate(self, change: Change, now: datetime) -> None:
        channels = [t for t in change.escalate_to if t.startswith(_CHANNEL_TARGET)]
        people = [_mention(t) for t in change.escalate_to if t.startswith(("S", *_PERSON_TARGET))]
        head = (
            f":rotating_light: *Escalated* - waited {_waited(change, now)} without an answer "
            f"from {self._owner(change)}"
        )
        if people:
            head += f"; {', '.join(people)}, please decide"
        message = self._alert(change, now, head)
        if not self.sender.interactive:
            self.sender.post(WEBHOOK_CHANNEL, message)
            return
        for channel in channels or [self.options.default_channel or ""]:
            if channel:
                self.sender.post(channel, message)
        named = ", ".join([escape(c) for c in channels] + people) or "nobody"
        self._reply_or_post(change, now, f":rotating_light: Escalated to {named}.", None)

    def _reply_or_post(self, change: Change, now: datetime, text: str, kind: str | None) -> None:
        posted = self.store.get_message(_id(change))
        if self.sender.interactive and posted is not None and posted.ts:
            section = SectionBlock(text=text).to_dict()
            self.sender.post(posted.channel, Message(text, [section], thread_ts=posted.ts))
            return
        if kind is None:
            return  # the escalation's own post said it all
        where = route(change.stored.finding.owner, self.options.default_channel)
        channel = where.channel if self.sender.interactive else WEBHOOK_CHANNEL
        if channel is not None:
            self.sender.post(channel, self._alert(change, now, text))

    def _alert(self, change: Change, now: datetime, head: str) -> Message:
        finding = change.stored.finding
        blocks: list[Block] = [SectionBlock(text=head)]
        blocks += finding_blocks(
            finding,
            review_url=change.review_url,
            owner_mention=self._owner(change),
            interactive=self.sender.interactive,
            snooze_days=self.options.snooze_days,
            status=None,
        )
        return Message(fallback_text(finding), [b.to_dict() for b in blocks])

    def _owner(self, change: Change) -> str:
        where = route(change.stored.finding.owner, None, self.options.channels)
        if where.email is not None:
            user = self.sender.user_for_email(where.email)
            if user:
                return f"<@{user}>"
        return where.mention or "its owner"


def _id(change: Change) -> str:
    return change.stored.finding.id


def _mention(target: str) -> str:
    return f"<!subteam^{target}>" if target.startswith("S") else f"<@{target}>"


def _waited(change: Change, now: datetime) -> str:
    days = (now - change.stored.state_changed_at).days
    return f"{days} day{'s' if days != 1 else ''}"
