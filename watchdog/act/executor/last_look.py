"""The last look: traffic at one-minute resolution right before a teardown starts.

The plan judged the resource over its policy's window at the period that window allows (an hour
for a week). Between that reading and the first destructive call, someone may have started
using it, and an hourly datapoint can hide minutes of traffic. So before anything is stopped or
deleted, the resources about to go because they were judged idle, and that have a traffic
signal (endpoints, inference components, provisioned throughput: whatever their kind declares),
are read once more: their traffic series over the last LOOK hours at a 60-second period,
batched as the plan's reads are (500 series per GetMetricData call, one pass per account and
region for the whole run). Any traffic cancels the teardown with the numbers, before any step;
so does a service's own inactivity measure (Canvas's TimeSinceLastActive) showing its user
active since the look began, or saying nothing at all in it; a look that fails cancels it too
(a teardown never goes on a reading it could not make). A
policy's own approval applies again next run; a person's was used, and they approve again if
it should still go.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

import structlog

from watchdog.act.clients import Clients
from watchdog.kinds import BY_KIND
from watchdog.records import ResourceRecord
from watchdog.signals.metrics import batches, fetch_batch
from watchdog.signals.models import MetricQuery, MetricSeries, MetricWindow
from watchdog.store.base import TeardownPlan
from watchdog.words import amount

log = structlog.get_logger(__name__)

LOOK = timedelta(hours=3)
PERIOD_S = 60  # 180 points a series, 90,000 for a full call of 500: one page (100,800)


def last_look(plans: Sequence[TeardownPlan], clients: Clients, now: datetime) -> dict[str, str]:
    """Finding id -> why its teardown must not start now, for each plan that may not go."""
    queries = {plan.finding_id: _looked_at(plan.finding.resource) for plan in plans}
    places: dict[tuple[str, str], list[tuple[str, MetricQuery]]] = defaultdict(list)
    for plan in plans:
        record = plan.finding.resource
        places[(record.account, record.region)] += [
            (plan.finding_id, q) for q in queries[plan.finding_id]
        ]
    window = look_window(now)
    seen: dict[str, list[MetricSeries]] = defaultdict(list)
    for (account, region), wanted in sorted(places.items()):
        client = clients.client("cloudwatch", account, region)
        for batch in batches(wanted):
            outcome = fetch_batch(client, [q for _, q in batch], window)
            for (finding_id, _), series in zip(batch, outcome.series, strict=True):
                seen[finding_id].append(series)
    held = {fid: why for fid, series in seen.items() if (why := _in_use(series, window))}
    for finding_id, why in held.items():
        log.warning("teardown held back by its last look", finding_id=finding_id, why=why)
    return held


def look_window(now: datetime) -> MetricWindow:
    """The last LOOK up to now, its ends on whole minutes and the end rounded up (a minute
    under way is read, not left out)."""
    epoch = now.astimezone(UTC).timestamp()
    end = math.ceil(epoch / PERIOD_S) * PERIOD_S
    start = end - math.ceil(LOOK.total_seconds() / PERIOD_S) * PERIOD_S
    return MetricWindow(
        start=datetime.fromtimestamp(start, UTC),
        end=datetime.fromtimestamp(end, UTC),
        period_seconds=PERIOD_S,
    )


def _looked_at(record: ResourceRecord) -> list[MetricQuery]:
    """What tells of use within minutes: request counts, and a service's own inactivity
    measure (SageMaker Canvas's TimeSinceLastActive)."""
    spec = BY_KIND.get(record.kind)
    if spec is None:
        return []
    return [q for q in spec.metric_queries(record) if q.role in ("traffic", "inactivity")]


def _in_use(series: Iterable[MetricSeries], window: MetricWindow) -> str | None:
    items = list(series)
    failed = next((s for s in items if s.error), None)
    if failed is not None:
        return (
            f"the last look at its traffic before the teardown failed ({failed.error}); "
            "nothing was changed: approve it again to try again"
        )
    inactivity = [s for s in items if s.query.role == "inactivity"]
    if inactivity:
        return _active_since(inactivity, window)
    counted: dict[str, float] = defaultdict(float)
    latest: datetime | None = None
    for item in items:
        for point in item.points:
            if point.value > 0:
                counted[item.query.label] += point.value
                latest = point.at if latest is None else max(latest, point.at)
    if latest is None:
        return None
    amounts = ", ".join(f"{amount(n)} {label}" for label, n in counted.items())
    hours = window.end - window.start
    return (
        f"in use: {amounts} in the last {hours.total_seconds() / 3600:g} hours, the latest at "
        f"{latest:%H:%M} UTC (the last look before the teardown); nothing was changed, and it "
        "goes back to its owner: approve it again if it should still go"
    )


def _active_since(series: Sequence[MetricSeries], window: MetricWindow) -> str | None:
    """Held back when the service saw its user active after the look began, or when it said
    nothing in the look (no reading cannot confirm the inactivity the plan saw)."""
    points = [(p, s.query.label) for s in series for p in s.points]
    if not points:
        label = series[0].query.label
        return (
            f"no {label} in the last look before the teardown, so the inactivity the plan saw "
            "could not be confirmed; nothing was changed: approve it again to try again"
        )
    point, label = max(points, key=lambda c: (c[0].at, -c[0].value))
    last_active = point.at - timedelta(seconds=point.value)
    if last_active <= window.start:
        return None
    return (
        f"in use: {label} shows its user active at {last_active:%H:%M} UTC (the last look "
        "before the teardown); nothing was changed, and it goes back to its owner: approve it "
        "again if it should still go"
    )
