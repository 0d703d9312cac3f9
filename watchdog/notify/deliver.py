"""Which Slack messages a run sends: new findings are posted once, and a message whose finding
has moved on (approved, executing, done, snoozed, resolved) is updated to say who and when.
Pure: the stored findings and message references are passed in, so "never re-post" and
"always update" are decided here, where tests can see every case.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from watchdog.notify.mrkdwn import escape
from watchdog.store.base import PostedMessage, StoredFinding

# Slack allows 50 blocks a message; a finding takes up to 4 and a divider, plus the header.
DIGEST_SIZE = 9
# A message that showed one of these is over: a finding made again gets a fresh message
# rather than an edit of an old one nobody will scroll back to.
ENDED = frozenset({"done", "resolved", "cancelled"})
# Findings in these states are not announced for the first time: there is nothing to say.
UNANNOUNCED = frozenset({"snoozed", "resolved"})
WEBHOOK_CHANNEL = "webhook"

# Slack ids are a type letter and upper-case letters and digits, with at least one digit: an
# owner tag such as "GPUTEAM" or "UNKNOWN" is a name, not an id.
_CHANNEL_ID = re.compile(r"^[CG](?=[A-Z]*[0-9])[A-Z0-9]{6,}$")
_USER_ID = re.compile(r"^[UW](?=[A-Z]*[0-9])[A-Z0-9]{6,}$")
_SLACK_APPROVER = re.compile(r"slack:([UW][A-Z0-9]+)")

_ICONS = {
    "approved": ":white_check_mark: Approved",
    "executing": ":gear: Running",
    "done": ":heavy_check_mark: Done",
    "cancelled": ":no_entry_sign: Cancelled",
    "snoozed": ":zzz: Snoozed",
    "parked": ":crescent_moon: Parked",
    "resolved": ":sparkles: Resolved",
}


@dataclass(frozen=True)
class Route:
    """Where a finding's message goes and whom it names, from the finding's owner."""

    channel: str | None
    mention: str | None = None
    email: str | None = None  # to resolve with users.lookupByEmail


@dataclass(frozen=True)
class Post:
    channel: str
    findings: tuple[StoredFinding, ...]


@dataclass(frozen=True)
class Update:
    channel: str
    ts: str
    findings: tuple[StoredFinding, ...]  # every finding the message shows (a digest: several)


@dataclass(frozen=True)
class Deliveries:
    posts: list[Post]
    updates: list[Update]
    skipped: list[str]  # why a finding could not be announced, one line each


def route(
    owner: str | None, default_channel: str | None, channels: frozenset[str] = frozenset()
) -> Route:
    """Where a finding's message goes, from its owner (a tag, so whoever can tag a resource
    writes it): a channel only if that channel is one the watchdog may post to (`channels`,
    WATCHDOG_SLACK_CHANNELS: ids or names without '#'), else the default channel, naming the
    owner. A user id or an email is mentioned in the default channel; other text is shown as
    text. Whoever can tag a resource must not choose where its deletion is approved.
    """
    if owner is None:
        return Route(default_channel)
    name = owner.removeprefix("#")
    if name in channels:
        return Route(name)
    # The default channel is always one alerts may go to: a policy's default owner naming it
    # (the shipped policies' "#ai-cost-watchdog") is routed there without a "not allowed" note.
    if default_channel is not None and name == default_channel.removeprefix("#"):
        return Route(default_channel)
    if owner.startswith("#") or _CHANNEL_ID.match(owner):
        return Route(default_channel, mention=f"{escape(owner)} (not a channel alerts may go to)")
    if _USER_ID.match(owner):
        return Route(default_channel, mention=f"<@{owner}>")
    if "@" in owner:
        return Route(default_channel, mention=escape(owner), email=owner)
    return Route(default_channel, mention=escape(owner))


def status_line(stored: StoredFinding) -> str | None:
    """What the message says once the finding is no longer just open: state, who, when."""
    if stored.state == "open":
        return None
    detail = _SLACK_APPROVER.sub(r"<@\1>", escape(stored.state_detail))
    when = f"{stored.state_changed_at:%Y-%m-%d %H:%M} UTC"
    if stored.state == "snoozed" and stored.state_until is not None:
        when += f", until {stored.state_until:%Y-%m-%d %H:%M} UTC"
    head = _ICONS.get(stored.state, stored.state)
    return f"{head} - {detail} - {when}" if detail else f"{head} - {when}"


def plan_deliveries(
    stored: Sequence[StoredFinding],
    messages: Mapping[str, PostedMessage],
    *,
    run_id: str | None,
    default_channel: str | None,
    digest: bool = False,
    webhook: bool = False,
    only: set[str] | None = None,
    seen_since: datetime | None = None,
    channels: frozenset[str] = frozenset(),
) -> Deliveries:
    """Posts for findings `run_id` made (or any run since `seen_since`) that have no live
    message, and updates for messages that show an older state. Neither given: updates only
    (after a click). `only` limits both to those finding ids (a digest's update still
    re-renders all it shows)."""
    wanted = [s for s in stored if only is None or s.finding.id in only]
    made = made_by(run_id, seen_since)
    to_post, skipped = _new(wanted, messages, made, default_channel, webhook, channels)
    return Deliveries(
        posts=_group(to_post, digest),
        updates=_updates(wanted, stored, messages, {s.finding.id for _, s in to_post}),
        skipped=skipped,
    )


def made_by(run_id: str | None, seen_since: datetime | None) -> Callable[[StoredFinding], bool]:
    """Whether the cycle being announced made the finding: its run, or (a fanned-out cycle,
    one run per shard) any run since it started."""

    def made(finding: StoredFinding) -> bool:
        if run_id is not None and finding.last_run_id == run_id:
            return True
        return seen_since is not None and finding.last_seen >= seen_since

    return made


def _new(
    stored: Iterable[StoredFinding],
    messages: Mapping[str, PostedMessage],
    made: Callable[[StoredFinding], bool],
    default_channel: str | None,
    webhook: bool,
    channels: frozenset[str],
) -> tuple[list[tuple[str, StoredFinding]], list[str]]:
    posts, skipped = [], []
    for finding in stored:
        if not made(finding) or finding.state in UNANNOUNCED:
            continue
        message = messages.get(finding.finding.id)
        if message is not None and not (message.shown_state in ENDED and finding.state == "open"):
            continue
        where = route(finding.finding.owner, default_channel, channels)
        channel = WEBHOOK_CHANNEL if webhook else where.channel
        if channel is None:
            skipped.append(
                f"{finding.finding.id}: no channel (its owner names none; set "
                "WATCHDOG_SLACK_CHANNEL)"
            )
            continue
        posts.append((channel, finding))
    return posts, skipped


def _group(posts: list[tuple[str, StoredFinding]], digest: bool) -> list[Post]:
    if not digest:
        return [Post(channel, (finding,)) for channel, finding in posts]
    by_channel: dict[str, list[StoredFinding]] = {}
    for channel, finding in posts:
        by_channel.setdefault(channel, []).append(finding)
    return [
        Post(channel, tuple(findings[i : i + DIGEST_SIZE]))
        for channel, findings in by_channel.items()
        for i in range(0, len(findings), DIGEST_SIZE)
    ]


def _updates(
    wanted: Iterable[StoredFinding],
    stored: Sequence[StoredFinding],
    messages: Mapping[str, PostedMessage],
    posting: set[str],
) -> list[Update]:
    stale: dict[tuple[str, str], None] = {}
    for finding in wanted:
        message = messages.get(finding.finding.id)
        if message is None or not message.ts or finding.finding.id in posting:
            continue  # never posted, a webhook's (it cannot be edited), or posted afresh
        if (message.shown_state, message.shown_detail) != (
            finding.state,
            status_line(finding) or "",
        ):
            stale[(message.channel, message.ts)] = None
    by_id = {s.finding.id: s for s in stored}
    updates = []
    for channel, ts in stale:
        shown = tuple(
            by_id[m.finding_id]
            for m in messages.values()
            if (m.channel, m.ts) == (channel, ts)
            and m.finding_id in by_id
            # A finding posted afresh has left its old message (which keeps what it showed).
            and m.finding_id not in posting
        )
        updates.append(Update(channel, ts, shown))
    return updates
