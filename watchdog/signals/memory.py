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
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog

from watchdog.aws.scope import Shard
from watchdog.policies.schema import Policy
from watchdog.records import ResourceRecord
from watchdog.signals import quiet
from watchdog.signals.judged import (
    active_since,
    counted_children,
    judged_queries,
    judged_series,
    queries_digest,
)
from watchdog.signals.models import MetricSeries, MetricSignals, MetricWindow, QuietReading
from watchdog.store.activity import ActivityLog, LastActive

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Memory:
    """Where activity is remembered, and how far back each kind's policies look."""

    log: ActivityLog
    # Kind -> the shortest idle window of any policy that may judge it; a kind absent is
    # always queried (no idle policy, or one with a threshold above zero).
    windows: Mapping[str, timedelta]
    # The same for the idle hold (quiet.py), whose readings may miss the minutes CloudWatch
    # takes to list new traffic; None: as `windows` (hold_windows leaves out parked kinds).
    holds: Mapping[str, timedelta] | None = None


@dataclass(frozen=True)
class Choice:
    """What a run fetches: the records to query, the skipped ones' proven moments and held
    readings, what was recalled, and the ListMetrics requests the choice took."""

    query: list[ResourceRecord]
    active_at: dict[str, datetime]
    recalled: dict[str, LastActive]
    quiet: dict[str, QuietReading] = field(default_factory=dict)
    list_metrics_calls: int = 0


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


def hold_windows(policies: Sequence[Policy]) -> dict[str, timedelta]:
    """skip_windows, less the kinds a park policy parks when idle: a stop or a delete takes a
    last look at the metrics first (act/executor/last_look.py), a park acts on the plan's
    reading, so that reading is always fetched, never held."""
    parks = {
        kind
        for policy in policies
        if policy.enabled
        and policy.action == "park"
        and (policy.conditions.idle is not None or policy.park_when_idle is not None)
        for kind in policy.resource
    }
    return {kind: w for kind, w in skip_windows(policies).items() if kind not in parks}


def choose(
    shards: Sequence[Shard],
    records: Sequence[ResourceRecord],
    memory: Memory | None,
    window: MetricWindow,
    lookback: timedelta,
    now: datetime,
) -> Choice:
    """Split the records into those to query, those proven active (see the module) and those
    whose last reading holds (quiet.py)."""
    if memory is None:
        return Choice(query=list(records), active_at={}, recalled={})
    recalled = _recall(memory.log, records)
    by_arn = {r.arn.lower(): r for r in records}
    period = window.period_seconds
    active_at: dict[str, datetime] = {}
    for record in records:
        since = _proven_since(record, by_arn, recalled, memory.windows, period, now)
        if since is not None:
            active_at[record.arn.lower()] = since
    watching = quiet.watched(records, by_arn, recalled, now)
    held: dict[str, QuietReading] = {}
    calls = 0
    if watching:
        found = quiet.candidates(
            {arn: e for arn, e in watching.items() if arn not in active_at},
            by_arn,
            memory.windows if memory.holds is None else memory.holds,
            lookback,
            period,
            now,
        )
        holding, published, calls = quiet.check(shards, watching, found, by_arn, memory.log, now)
        for arn in published:  # new traffic since its reading: read it (quiet.py)
            active_at.pop(arn, None)
        held = {arn: quiet.reading(found[arn], period) for arn in holding}
    _query_children_of_queried(records, by_arn, active_at, held)
    query = [r for r in records if r.arn.lower() not in active_at and r.arn.lower() not in held]
    return Choice(query, active_at, recalled, held, calls)


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
    if window is None or entry is None or entry.at is None or entry.recorded_at > now:
        return None
    if entry.queries != queries_digest(judged_queries(record, by_arn)):
        return None
    since = quiet.floor(entry.at, period_seconds)
    return since if since >= now - window else None


def _query_children_of_queried(
    records: Sequence[ResourceRecord],
    by_arn: Mapping[str, ResourceRecord],
    active_at: dict[str, datetime],
    held: dict[str, QuietReading],
) -> None:
    """A queried parent reads its counted children's traffic: they are queried too."""
    skipped = active_at.keys() | held.keys()
    pending = [r for r in records if r.arn.lower() not in skipped]
    while pending:
        for child in counted_children(pending.pop(), by_arn):
            key = child.arn.lower()
            if active_at.pop(key, None) is not None or held.pop(key, None) is not None:
                pending.append(child)


def learnt(
    queried: Sequence[ResourceRecord],
    records: Sequence[ResourceRecord],
    metrics: MetricSignals,
    choice: Choice,
    windows: Mapping[str, timedelta],
    now: datetime,
) -> list[LastActive]:
    """What this run's series prove, for the queried records whose entry changes: the moment
    of use they prove, and for the idle hold (quiet.py) what they observed. A reading is kept
    for the hold only where no proof of use will skip the next run's query anyway; one whose
    query failed observes nothing, and so replaces a reading that could hold."""
    by_arn = {r.arn.lower(): r for r in records}
    entries = []
    for record in queried:
        key = record.arn.lower()
        series = judged_series(record, by_arn, metrics)
        queries = judged_queries(record, by_arn)
        digest = queries_digest(queries)
        known = choice.recalled.get(key)
        at = active_since(series)
        if known is not None and known.queries == digest and known.at is not None:
            at = known.at if at is None else max(at, known.at)
        entry = LastActive(
            arn=key,
            account=record.account,
            region=record.region,
            at=at,
            queries=digest,
            recorded_at=now,
        )
        fetched = metrics.window
        if fetched is not None and quiet.holdable(queries) and not any(s.error for s in series):
            window = windows.get(record.kind)
            proven = (
                at is not None
                and window is not None
                and quiet.floor(at, fetched.period_seconds) >= now - window
            )
            if not proven:  # else the next run skips it on that proof
                entry = entry.model_copy(update=_observed(series, fetched.start))
        if _changes(entry, known):
            entries.append(entry)
    return entries


def _observed(series: Sequence[MetricSeries], start: datetime) -> dict[str, datetime | None]:
    traffic = [p.at for s in series if s.query.role == "traffic" for p in s.points if p.value > 0]
    load = [p.at for s in series if s.query.role == "load" for p in s.points]
    return {
        "observed_from": start,
        "traffic_at": max(traffic, default=None),
        "load_at": max(load, default=None),
    }


def _changes(entry: LastActive, known: LastActive | None) -> bool:
    """Whether storing `entry` tells later runs anything `known` does not. A reading kept for
    the hold always does (its time is what the hold reaches back to); otherwise only a moved
    proof, or clearing a reading that could hold."""
    if entry.observed_from is not None:
        return True
    if known is None:
        return entry.at is not None
    if known.observed_from is not None:
        return True
    return entry.at is not None and (known.queries != entry.queries or known.at != entry.at)


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
