"""The report stage's Slack half: post what this run found, update what has moved on, and
remember each message so the next run does neither twice.

A post that fails leaves no message reference, so the next cycle posts it again: nothing is
dropped. An update that fails leaves the old reference, so it is retried the same way.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import structlog

from watchdog.notify.blocks import Message, digest_message, fallback_text, finding_blocks
from watchdog.notify.deliver import Post, Update, plan_deliveries, route, status_line
from watchdog.notify.options import NotifyOptions, NotifyResult, ReviewLinks
from watchdog.notify.sender import Sender, SendFailed
from watchdog.store.base import PostedMessage, Store, StoredFinding

if TYPE_CHECKING:
    from slack_sdk.models.blocks import Block

__all__ = ["NotifyOptions", "NotifyResult", "ReviewLinks", "notify"]

log = structlog.get_logger(__name__)


def notify(
    store: Store,
    sender: Sender,
    options: NotifyOptions,
    now: datetime,
    run_id: str | None = None,
    only: set[str] | None = None,
    seen_since: datetime | None = None,
) -> NotifyResult:
    """Post the findings `run_id` made, or seen since `seen_since` (neither: post nothing),
    and update stale messages."""
    messages = {m.finding_id: m for m in store.list_messages()}
    plan = plan_deliveries(
        store.list_findings(),
        messages,
        run_id=run_id,
        default_channel=options.default_channel,
        channels=options.channels,
        digest=options.digest,
        webhook=not sender.interactive,
        only=only,
        seen_since=seen_since,
    )
    result = NotifyResult(skipped=plan.skipped)
    calls_before = sender.calls
    render = _Renderer(sender, options, now)
    for post in plan.posts:
        _post(store, sender, render, post, now, result)
    for update in plan.updates:
        _update(store, sender, render, update, messages, now, result)
    result.slack_calls = sender.calls - calls_before
    return result


def _post(
    store: Store, sender: Sender, render: _Renderer, post: Post, now: datetime, out: NotifyResult
) -> None:
    ids = [s.finding.id for s in post.findings]
    try:
        channel, ts = sender.post(post.channel, render(post.findings))
    except SendFailed as error:
        log.warning("slack post failed", finding_ids=ids, channel=post.channel, error=str(error))
        out.failed.extend(f"{i}: {error}" for i in ids)
        return
    for stored in post.findings:
        store.save_message(_reference(stored, channel, ts, now, now))
    out.posted += len(ids)
    log.info("slack posted", finding_ids=ids, channel=channel, ts=ts)


def _update(
    store: Store,
    sender: Sender,
    render: _Renderer,
    update: Update,
    messages: dict[str, PostedMessage],
    now: datetime,
    out: NotifyResult,
) -> None:
    try:
        sender.update(update.channel, update.ts, render(update.findings))
    except SendFailed as error:
        log.warning("slack update failed", channel=update.channel, ts=update.ts, error=str(error))
        out.failed.extend(f"{s.finding.id}: {error}" for s in update.findings)
        return
    for stored in update.findings:
        posted_at = messages[stored.finding.id].posted_at
        store.save_message(_reference(stored, update.channel, update.ts, posted_at, now))
    out.updated += 1


def _reference(
    stored: StoredFinding, channel: str, ts: str, posted_at: datetime, now: datetime
) -> PostedMessage:
    return PostedMessage(
        finding_id=stored.finding.id,
        channel=channel,
        ts=ts,
        posted_at=posted_at,
        shown_state=stored.state,
        shown_detail=status_line(stored) or "",
        updated_at=now,
    )


class _Renderer:
    """Messages for one or several findings; owners' emails are looked up once per run."""

    def __init__(self, sender: Sender, options: NotifyOptions, now: datetime) -> None:
        self.sender, self.options, self.now = sender, options, now
        self._users: dict[str, str | None] = {}

    def __call__(self, findings: tuple[StoredFinding, ...]) -> Message:
        if len(findings) == 1 and not self.options.digest:
            only = findings[0]
            text = fallback_text(only.finding, status_line(only))
            return Message(text=text, blocks=[b.to_dict() for b in self._blocks(only)])
        total = sum(s.finding.monthly_cost_usd or 0.0 for s in findings)
        return digest_message(total, [self._blocks(s) for s in findings], len(findings))

    def _blocks(self, stored: StoredFinding) -> list[Block]:
        links = self.options.links
        return finding_blocks(
            stored.finding,
            review_url=links.url(stored, self.now) if links else None,
            owner_mention=self._mention(stored.finding.owner),
            interactive=self.sender.interactive,
            snooze_days=self.options.snooze_days,
            status=status_line(stored),
            resumable=stored.state == "parked",
            resume_url=links.resume(stored, self.now) if links else None,
        )

    def _mention(self, owner: str | None) -> str | None:
        where = route(owner, None, self.options.channels)
        if where.email is None:
            return where.mention
        if where.email not in self._users:
            self._users[where.email] = self.sender.user_for_email(where.email)
        user = self._users[where.email]
        return f"<@{user}>" if user else where.mention
