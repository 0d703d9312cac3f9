"""Query only what can change a decision: skip the metric queries of resources an earlier run
proved in use, for as long as that proof settles every idle reading a policy makes of them.

A resource whose series showed traffic above zero in the period starting at `a` (and a load
datapoint at or after it, for kinds with one: judged.active_since) reads active over any
window W with now - W <= a: evaluate counts the datapoints starting at or after now - W, and
that one is among them. So while now - W_min <= a, for W_min the shortest idle window of any
policy that may judge its kind, no query could make it idle or unknown-for-want-of-data; its
reading is "active", which is no finding, so nothing a person sees changes. It is skipped, and
evaluate is told since when it is known active (MetricSignals.active_at).

Exactness, not a margin: `a` is floored to this run's period (a changed lookback changes the
period, and a datapoint of the new period holding that traffic starts no later than the floor);
the proof must come from the same set of queries (judged.queries_digest); it must have been
recorded at or before now; and every policy on the kind must have threshold 0 (a count above
zero proves nothing against a higher threshold). Children whose traffic counts for a parent are
queried whenever the parent is. What stays queried, whatever the memory: idle and unknown
resources (a finding must resolve when traffic returns), kinds judged by utilization or an
inactivity measure, and everything when there is no store (`ai-watchdog plan`).

The memory is advisory: a store that cannot be read or written costs queries, never a run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog

from watchdog.policies.schema import Policy
from watchdog.records import ResourceRecord
from watchdog.signals.judged import (
    active_since,
    counted_children,
    judged_queries,
    judged_series,
    queries_digest,
)
from watchdog.signals.models import MetricSignals
from watchdog.store.activity import ActivityLog, LastActive

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Memory:
    """Where activity is remembered, and how far back each kind's policies look."""

    log: ActivityLog
    # Kind -> the shortest idle window of any policy that may judge it; a kind absent is
    # always queried (no idle policy, or one with a threshold above zero).
    windows: Mapping[str, timedelta]


@dataclass(frozen=True)
class Choice:
    """What a run fetches: the records to query, and the skipped ones' proven moments."""

    query: list[ResourceRecord]
    active_at: dict[str, datetime]
    recalled: dict[str, LastActive]


def skip_windows(policies: Sequence[Policy]) -> dict[str, timedelta]:
    """Per kind, the shortest idle window among the enabled policies that judge it idle (a
    schedule's park_when_idle included: it is the policy's idle condition); a kind with any
    such policy whose threshold is above zero is left out, and so always queried."""
    windows: dict[str, timedelta] = {}
    unsafe: set[str] = set()
    for policy in policies:
        idle = policy.conditions.idle
        if not policy.enabled or idle is None:
            continue
        for kind in policy.resource:
            windows[kind] = min(windows.get(kind, idle.window), idle.window)
            if idle.threshold > 0:
                unsafe.add(kind)
    return {kind: window for kind, window in windows.items() if kind not in unsafe}


def choose(
    records: Sequence[ResourceRecord],
    memory: Memory | None,
    period_seconds: int,
    now: datetime,
) -> Choice:
    """Split the records into those to query and those proven active (see the module)."""
    if memory is None:
        return Choice(query=list(records), active_at={}, recalled={})
    recalled = _recall(memory.log, records)
    by_arn = {r.arn.lower(): r for r in records}
    active_at: dict[str, datetime] = {}
    for record in records:
        since = _proven_since(record, by_arn, recalled, memory.windows, period_seconds, now)
        if since is not None:
            active_at[record.arn.lower()] = since
    _query_children_of_queried(records, by_arn, active_at)
    query = [r for r in records if r.arn.lower() not in active_at]
    return Choice(query=query, active_at=active_at, recalled=recalled)


def _proven_since(
    record: ResourceRecord,
    by_arn: Mapping[str, ResourceRecord],
    recalled: Mapping[str, LastActive],
    windows: Mapping[str, timedelta],
    period_seconds: int,
    now: datetime,
) -> datetime | None:
    window = windows.get(record.kind)
    entry = recalled.get(record.arn.lower())
    if window is None or entry is None or entry.recorded_at > now:
        return None
    if entry.queries != queries_digest(judged_queries(record, by_arn)):
        return None
    since = _floor(entry.at, period_seconds)
    return since if since >= now - window else None


def _query_children_of_queried(
    records: Sequence[ResourceRecord],
    by_arn: Mapping[str, ResourceRecord],
    active_at: dict[str, datetime],
) -> None:
    """A queried parent reads its counted children's traffic: they are queried too."""
    pending = [r for r in records if r.arn.lower() not in active_at]
    while pending:
        for child in counted_children(pending.pop(), by_arn):
            if active_at.pop(child.arn.lower(), None) is not None:
                pending.append(child)


def learnt(
    queried: Sequence[ResourceRecord],
    records: Sequence[ResourceRecord],
    metrics: MetricSignals,
    recalled: Mapping[str, LastActive],
    now: datetime,
) -> list[LastActive]:
    """What this run's series prove, for the queried records whose proof moved forward."""
    by_arn = {r.arn.lower(): r for r in records}
    entries = []
    for record in queried:
        key = record.arn.lower()
        since = active_since(judged_series(record, by_arn, metrics))
        if since is None:
            continue
        digest = queries_digest(judged_queries(record, by_arn))
        known = recalled.get(key)
        if known is not None and known.queries == digest and known.at >= since:
            continue
        entries.append(
            LastActive(
                arn=key,
                account=record.account,
                region=record.region,
                at=since,
                queries=digest,
                recorded_at=now,
            )
        )
    return entries


def remember(memory: Memory | None, entries: Sequence[LastActive]) -> None:
    if memory is None or not entries:
        return
    try:
        memory.log.remember_activity(entries)
    except Exception as error:  # advisory: the next run queries what this one could not save
        log.warning("activity not remembered", entries=len(entries), error=str(error))


def _recall(activity: ActivityLog, records: Sequence[ResourceRecord]) -> dict[str, LastActive]:
    recalled: dict[str, LastActive] = {}
    for account, region in sorted({(r.account, r.region) for r in records}):
        try:
            entries = activity.recall_activity(account, region)
        except Exception as error:  # advisory: without it, that place is queried in full
            log.warning("activity not recalled", account=account, region=region, error=str(error))
            continue
        recalled.update({entry.arn: entry for entry in entries})
    return recalled


def _floor(moment: datetime, period_seconds: int) -> datetime:
    epoch = int(moment.timestamp())
    return datetime.fromtimestamp(epoch - epoch % period_seconds, UTC)
