"""Notices: one Slack message of their own for what an owner must hear of apart from a finding's
alert. Today one kind: a resume the watchdog gave up because someone else changed, deleted or
re-created the resource while it was parked (act.executor.left_alone writes it to the audit
log; this sends it). The finding's message only changes its status line, which nobody is told
of; this one names the owner as the alert does (notify.deliver.route).

Each notice is sent once: the message is remembered in the store under the notice's own key
(`PostedMessage`, as every alert is), so a later run, a restarted daemon or another Lambda sends
it no more. A short lock held while sending keeps two runs from sending it at the same moment;
a run that dies between Slack's answer and the store's write sends it again next run (Slack
offers no way to ask whether it was posted), as an alert would be.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import structlog
from pydantic import BaseModel, Field
from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject, SectionBlock

from watchdog.act.executor import LEFT_ALONE, NOTICE
from watchdog.notify.blocks import Message
from watchdog.notify.deliver import WEBHOOK_CHANNEL, route
from watchdog.notify.mrkdwn import escape
from watchdog.notify.options import NotifyOptions
from watchdog.notify.sender import Sender, SendFailed
from watchdog.store.base import AuditEntry, PostedMessage, Store

log = structlog.get_logger(__name__)

# How far back notices are looked for: a run sends its own at once; this covers Slack being
# down, a crash, or a run without Slack (the CLI) before the next run that has it.
LOOKBACK = timedelta(days=3)
SCAN_LIMIT = 5_000  # audit entries read: days of a large fleet's nightly parks
SENDING = timedelta(minutes=5)  # how long one run holds a notice while it sends it
KEY_PREFIX = "notice:"


class NoticeResult(BaseModel):
    sent: int = 0
    failed: list[str] = Field(default_factory=list)  # sent again next run
    skipped: list[str] = Field(default_factory=list)


def notice_key(entry: AuditEntry) -> str:
    """The store key of a notice's message: its own, never a finding's id."""
    return f"{KEY_PREFIX}{entry.id}"


def send_notices(
    store: Store, sender: Sender, options: NotifyOptions, now: datetime, holder: str
) -> NoticeResult:
    """Send every notice of the last LOOKBACK not sent yet; `holder` names this run."""
    result = NoticeResult()
    due = [e for e in store.list_audit(SCAN_LIMIT, since=now - LOOKBACK) if e.outcome == LEFT_ALONE]
    for entry in sorted(due, key=lambda e: (e.at, e.id)):
        if store.get_message(notice_key(entry)) is None:
            _send(store, sender, options, now, holder, entry, result)
    return result


def _send(
    store: Store,
    sender: Sender,
    options: NotifyOptions,
    now: datetime,
    holder: str,
    entry: AuditEntry,
    result: NoticeResult,
) -> None:
    key = notice_key(entry)
    where = route(_owner(store, entry), options.default_channel, options.channels)
    channel = where.channel if sender.interactive else WEBHOOK_CHANNEL
    if channel is None:
        result.skipped.append(f"{entry.id}: no channel (set WATCHDOG_SLACK_CHANNEL)")
        return
    if not store.acquire_lock(key, holder, now, SENDING):
        return  # another run is sending it right now
    try:
        message = left_alone_message(entry, _mention(sender, where.mention, where.email))
        posted, ts = sender.post(channel, message)
    except SendFailed as error:
        log.warning("slack notice failed", audit_id=entry.id, error=str(error))
        result.failed.append(f"{entry.id}: {error}")
        return
    finally:
        store.release_lock(key, holder)
    store.save_message(
        PostedMessage(
            finding_id=key,
            channel=posted,
            ts=ts,
            posted_at=now,
            shown_state=LEFT_ALONE,
            updated_at=now,
        )
    )
    result.sent += 1
    log.info("slack notice sent", audit_id=entry.id, finding_id=entry.finding_id)


def left_alone_message(entry: AuditEntry, owner_mention: str | None) -> Message:
    """Which resource, what the watchdog found instead of what it parked, that it left it
    alone, and what (if anything) to do. Everything read from AWS is escaped."""
    notice: dict[str, Any] = dict(entry.description.get(NOTICE) or {})
    kind = str(entry.description.get("kind") or "")
    name = escape(str(entry.description.get("name") or entry.target_arn))
    found = escape(str(notice.get("found", "")))
    parked = escape(str(notice.get("parked", "")))
    owner = f" - owner {owner_mention}" if owner_mention else ""
    head = f":warning: *Not resumed, left alone: {kind} `{name}`*{owner}"
    body = (
        f"The watchdog parked it ({parked}). At its resume it found it *{found}* instead: "
        f"{escape(str(notice.get('why', '')))}. It made no call and left it as it is."
    )
    todo = f"*What to do:* {escape(str(notice.get('todo', 'nothing')))}."
    where = (
        f"{entry.account} {entry.region} | finding {entry.finding_id} | "
        f"`ai-watchdog audit`: {entry.id}"
    )
    blocks = [
        SectionBlock(text=MarkdownTextObject(text=head)),
        SectionBlock(text=MarkdownTextObject(text=f"{body}\n{todo}")),
        ContextBlock(elements=[MarkdownTextObject(text=escape(where))]),
    ]
    text = f"Not resumed, left alone: {kind} {name}: {escape(entry.detail)}"
    return Message(text=text, blocks=[b.to_dict() for b in blocks])


def _owner(store: Store, entry: AuditEntry) -> str | None:
    stored = store.get_finding(entry.finding_id)
    return stored.finding.owner if stored is not None else None


def _mention(sender: Sender, mention: str | None, email: str | None) -> str | None:
    if email is None:
        return mention
    user = sender.user_for_email(email)
    return f"<@{user}>" if user else mention
