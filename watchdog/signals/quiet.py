"""The idle hold: skip the metric queries of resources whose last full reading still holds,
because CloudWatch has listed no new traffic for them since.

A resource judged by traffic (and load) reads over a window W from its series alone. If a run
at `c` fetched them over [o, c] (o <= now - W for every window), and nothing was published to
its traffic series after `c`, then its traffic over [now - W, now] is what that reading showed
over [now - W, c]: the newest traffic datapoint above zero (`traffic_at`) says active or idle,
exactly (threshold 0: memory.skip_windows leaves out kinds with any other). Load is still
published while it runs, so its reading cannot be carried forward whole; its newest datapoint
(`load_at`) at or after now - W for the shortest window is what makes "no traffic" mean no
traffic rather than no data, which is all evaluate asks of load.

"Nothing was published since `c`" is asked of CloudWatch: ListMetrics with RecentlyActive=PT3H
lists the series "that have had data points published in the past three hours" (CloudWatch API
reference, ListMetrics; PT3H is its only value), by publication, not by datapoint time, so a
late datapoint counts too. One paginated request per (place, metric), whatever the number of
resources, billed as any CloudWatch request, not per metric. A place's checks at successive
runs no more than CHAIN_GAP apart form a chain (store.QuietCheck) covering every publication
from its start; a reading at `c` inside the chain, with its series not listed now, holds.

Why the chain is sound: a series published to at `p` after `c` is listed by the first check
after `p`. Every resource with a reading that could hold is checked at every run that does not
query it, and queried when listed, even if a proof of use would have skipped it (`watched`);
that run records a new reading at its own time, which replaces the one from `c` (store: an
older reading never replaces a newer one). A query that fails records a reading with nothing
observed, which holds nothing. A reading is kept only where no proof of use skips the next
run (memory.learnt), so a busy resource is not listed, and queried, every run for it.

What it is not: a guarantee against CloudWatch's own delay. A new series may take up to 15
minutes to be listed ("ListMetrics", CloudWatch API reference) and a datapoint some minutes to
be readable by GetMetricData either: traffic in the last minutes before a run may show at the
next run instead. Nothing is acted on from a held reading alone: every action takes a last
look (act/executor/last_look.py), which fetches the metrics afresh.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

import structlog

from watchdog.aws.scope import Shard
from watchdog.records import ResourceRecord
from watchdog.signals.judged import judged_queries, queries_digest
from watchdog.signals.models import MetricQuery, QuietReading
from watchdog.signals.published import list_metrics
from watchdog.store.activity import ActivityLog, LastActive, QuietCheck

log = structlog.get_logger(__name__)

RECENTLY_ACTIVE = "PT3H"  # the only value ListMetrics takes
# Checks at most this far apart chain: half an hour inside RecentlyActive's three hours, for
# the listing's own lag at the edge of its window.
CHAIN_GAP = timedelta(hours=2, minutes=30)
HOLDABLE_ROLES = frozenset({"traffic", "load"})

Place = tuple[str, str]  # account, region
MetricName = tuple[str, str]  # namespace, metric
Dimensions = frozenset[tuple[str, str]]


def holdable(queries: Sequence[MetricQuery]) -> bool:
    """Judged by traffic (and load) alone: the only readings a held one can reproduce."""
    roles = {q.role for q in queries}
    return "traffic" in roles and roles <= HOLDABLE_ROLES


def watched(
    records: Sequence[ResourceRecord],
    by_arn: Mapping[str, ResourceRecord],
    recalled: Mapping[str, LastActive],
    now: datetime,
) -> dict[str, LastActive]:
    """Of `records`, those with a reading that could hold, now or at a later run: by
    lower-cased ARN, that reading. Each must be checked at every run that does not query it,
    and queried if listed (check() and the module's soundness argument)."""
    found: dict[str, LastActive] = {}
    for record in records:
        entry = recalled.get(record.arn.lower())
        if entry is None or entry.observed_from is None or entry.recorded_at > now:
            continue
        queries = judged_queries(record, by_arn)
        if holdable(queries) and entry.queries == queries_digest(queries):
            found[record.arn.lower()] = entry
    return found


def candidates(
    watching: Mapping[str, LastActive],
    by_arn: Mapping[str, ResourceRecord],
    windows: Mapping[str, timedelta],
    lookback: timedelta,
    period_seconds: int,
    now: datetime,
) -> dict[str, LastActive]:
    """Of the watched, those whose reading would hold if nothing was published since."""
    found: dict[str, LastActive] = {}
    for arn, entry in watching.items():
        record = by_arn[arn]
        window = windows.get(record.kind)
        assert entry.observed_from is not None  # watched() keeps only those
        if window is None or entry.observed_from > now - lookback:
            continue
        if _has_load(record, by_arn) and (
            entry.load_at is None or floor(entry.load_at, period_seconds) < now - window
        ):
            continue  # the load proof may be gone: only a query can tell
        found[arn] = entry
    return found


def _has_load(record: ResourceRecord, by_arn: Mapping[str, ResourceRecord]) -> bool:
    return any(q.role == "load" for q in judged_queries(record, by_arn))


def reading(entry: LastActive, period_seconds: int) -> QuietReading:
    """What evaluate reads instead of the series, in this run's periods. A candidate's load_at
    is None only if its kind has no load series (candidates() holds no other)."""
    return QuietReading(
        read_at=entry.recorded_at,
        traffic_at=None if entry.traffic_at is None else floor(entry.traffic_at, period_seconds),
        load_at=None if entry.load_at is None else floor(entry.load_at, period_seconds),
    )


def check(
    shards: Sequence[Shard],
    watching: Mapping[str, LastActive],
    found: Mapping[str, LastActive],
    by_arn: Mapping[str, ResourceRecord],
    log_of: ActivityLog,
    now: datetime,
) -> tuple[set[str], set[str], int]:
    """Ask CloudWatch what the watched were published to lately: the candidates (`found`)
    that hold, the watched whose series were listed (to be queried, whatever else would skip
    them), and the ListMetrics requests made. The places' chains are recorded as extended."""
    traffic: dict[str, list[MetricQuery]] = {
        arn: [q for q in judged_queries(by_arn[arn], by_arn) if q.role == "traffic"]
        for arn in watching
    }
    wanted: dict[Place, set[MetricName]] = defaultdict(set)
    for arn, queries in traffic.items():
        record = by_arn[arn]
        wanted[(record.account, record.region)].update((q.namespace, q.metric) for q in queries)
    shard_at = {(s.account_id, s.region): s for s in shards}
    listed: dict[tuple[Place, MetricName], set[Dimensions]] = {}
    chains: dict[tuple[Place, MetricName], QuietCheck] = {}
    calls = 0
    for place, names in sorted(wanted.items()):
        shard = shard_at.get(place)
        if shard is None:
            continue
        checks, made = _check_place(shard, sorted(names), log_of, now)
        calls += made
        for name, (dims, chain) in checks.items():
            listed[(place, name)], chains[(place, name)] = dims, chain
    published = {
        arn
        for arn, queries in traffic.items()
        if any(_listed(q, (by_arn[arn].account, by_arn[arn].region), listed) for q in queries)
    }
    holding = {
        arn
        for arn, entry in found.items()
        if arn not in published
        and _covered(entry, traffic[arn], (entry.account, entry.region), chains)
    }
    return holding, published, calls


def _listed(
    query: MetricQuery,
    place: Place,
    listed: Mapping[tuple[Place, MetricName], set[Dimensions]],
) -> bool:
    dims = listed.get((place, (query.namespace, query.metric)))
    return dims is not None and frozenset(query.dimensions) in dims


def _covered(
    entry: LastActive,
    traffic: Sequence[MetricQuery],
    place: Place,
    chains: Mapping[tuple[Place, MetricName], QuietCheck],
) -> bool:
    """Every traffic metric of it asked this run, by a chain reaching back to its reading."""
    for query in traffic:
        chain = chains.get((place, (query.namespace, query.metric)))
        if chain is None or chain.covered_from > entry.recorded_at:
            return False
    return True


def _check_place(
    shard: Shard, names: Sequence[MetricName], log_of: ActivityLog, now: datetime
) -> tuple[dict[MetricName, tuple[set[Dimensions], QuietCheck]], int]:
    """Ask each metric's recently active series of one place, and extend its chain."""
    try:
        before = {(c.namespace, c.metric): c for c in log_of.recall_checks(*_place(shard))}
    except Exception as error:  # advisory: without the chain, nothing here is held
        log.warning("quiet checks not recalled", error=str(error))
        return {}, 0
    done: dict[MetricName, tuple[set[Dimensions], QuietCheck]] = {}
    calls = 0
    for namespace, metric in names:
        dims, made = _recently_active(shard, namespace, metric)
        calls += made
        if dims is not None:
            chain = _extended(before.get((namespace, metric)), shard, namespace, metric, now)
            done[(namespace, metric)] = (dims, chain)
    try:
        log_of.remember_checks([check for _, check in done.values()])
    except Exception as error:  # the next run starts a new chain: it holds nothing older
        log.warning("quiet checks not remembered", error=str(error))
        return {}, calls
    return done, calls


def _extended(
    before: QuietCheck | None, shard: Shard, namespace: str, metric: str, now: datetime
) -> QuietCheck:
    """The chain after this run's check: continued if the last one is recent enough, or
    started anew, covering what this check alone covers."""
    fresh = now - CHAIN_GAP
    chained = before is not None and fresh <= before.checked_at <= now
    covered_from = before.covered_from if before is not None and chained else fresh
    account, region = _place(shard)
    return QuietCheck(
        account=account,
        region=region,
        namespace=namespace,
        metric=metric,
        covered_from=covered_from,
        checked_at=now,
    )


def _recently_active(
    shard: Shard, namespace: str, metric: str
) -> tuple[set[Dimensions] | None, int]:
    """The dimension sets of `metric`'s series published to in the last three hours; None if
    CloudWatch could not say (then nothing of that metric is held)."""
    metrics, calls = list_metrics(
        shard, Namespace=namespace, MetricName=metric, RecentlyActive=RECENTLY_ACTIVE
    )
    if metrics is None:
        return None, calls
    dims = (listed.get("Dimensions", []) for listed in metrics)
    return {frozenset((d["Name"], d["Value"]) for d in pairs) for pairs in dims}, calls


def _place(shard: Shard) -> Place:
    return shard.account_id, shard.region


def floor(moment: datetime, period_seconds: int) -> datetime:
    """The start of the period (of this run's length, from the epoch) holding `moment`."""
    epoch = int(moment.timestamp())
    return datetime.fromtimestamp(epoch - epoch % period_seconds, UTC)
