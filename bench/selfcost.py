"""Self-cost benchmark: what the watchdog's own CloudWatch requests cost over a month of hourly
runs on a 1,000-endpoint fleet with the store's memory on, measured run by run.

For each fleet (a share of its endpoints idle, the rest busy every hour; "mix" adds endpoints
used in a burst every few days), hourly runs are made for `--days` after 8 days of history with
`fetch_metrics` and a store remembering activity (signals/memory.py, quiet.py), as the daemon
and the Lambda run, under the shipped policies. Their metrics requested (GetMetricData) and
ListMetrics requests are summed and priced a month (x 730 / hours simulated). One run in
`--compare-every` is made again fetching everything. Exits 1 if one decided otherwise, or if a
fleet's GetMetricData and ListMetrics come to more than MAX_MONTHLY_USD a month.

CloudWatch is emulated as in tests/unit/signals/test_memory_equivalence.py, from hourly values
computed once per series: a datapoint is readable once published (traffic at its minute of the
hour, load at the hour's start); ListMetrics with RecentlyActive=PT3H lists the series published
to in the three hours before the run, 500 a page. Endpoints run all along (load every hour);
`--zeros`: traffic series get a 0 each hour without requests too, which keeps idle ones listed.

    python bench/selfcost.py [--endpoints 1000] [--days 30] [--fleets none 5% third all mix]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import repeat
from pathlib import Path
from typing import Any, cast
from unittest.mock import patch

# The record factories of the unit tests (bench scripts run from the repo root).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.unit.evaluate.factories import endpoint, linked, prices
from watchdog.aws.clients import ClientFactory
from watchdog.aws.scope import Shard
from watchdog.evaluate import evaluate
from watchdog.kinds import BY_KIND
from watchdog.logs import configure_logging
from watchdog.pipeline import lookback_for
from watchdog.policies import default_policies_dir, load_policies
from watchdog.policies.schema import Policy
from watchdog.records import ResourceRecord
from watchdog.signals import metrics as metrics_module
from watchdog.signals.collect import SignalOptions, fetch_metrics
from watchdog.signals.memory import Memory, hold_windows, skip_windows
from watchdog.signals.models import MetricSignals, Signals
from watchdog.signals.self_cost import CLOUDWATCH_PER_REQUEST as PER_REQUEST
from watchdog.signals.self_cost import GET_METRIC_DATA_PER_METRIC as PER_METRIC
from watchdog.signals.self_cost import HOURS_PER_MONTH
from watchdog.store.sqlite import SqliteStore

HOUR = timedelta(hours=1)
T0 = datetime(2026, 11, 24, tzinfo=UTC)  # the first run's hour
HISTORY_DAYS = 8  # before T0: more than the 7-day window, so the first run reads a whole one
H0 = T0 - timedelta(days=HISTORY_DAYS)  # hour 0 of every series
MAX_MONTHLY_USD = 1.00  # GetMetricData + ListMetrics a month for the fleet, at most
LIST_PAGE = 500  # ListMetrics returns at most 500 metrics a page (each page a billed request)
Key = tuple[str, str, tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class Fleet:
    name: str
    idle: float  # share of endpoints with no traffic once the first day of runs is over
    sporadic: float = 0.0  # share used in a burst of 1-3 hours every 2 to 10 days


FLEETS = {
    "none": Fleet("none idle", 0.0),
    "5%": Fleet("5% idle", 0.05),
    "third": Fleet("one in three idle", 1 / 3),
    "all": Fleet("all idle", 1.0),
    "mix": Fleet("mix: 5% idle, 10% sporadic", 0.05, 0.10),
}


@dataclass
class Series:
    values: list[float | None]  # by hour from H0: None where nothing was published
    minute: int  # of the hour each datapoint is published at

    def last_readable(self, now: datetime) -> int:
        """The last hour whose datapoint is published by `now`."""
        hour, rest = divmod(now - H0, HOUR)
        return hour if rest >= timedelta(minutes=self.minute) else hour - 1

    def published_since(self, since: datetime, now: datetime) -> bool:
        first = max(0, math.ceil((since - H0 - timedelta(minutes=self.minute)) / HOUR))
        return any(v is not None for v in self.values[first : self.last_readable(now) + 1])


class EmulatedCloudWatch:
    """GetMetricData and ListMetrics (with its paginator) over precomputed hourly series."""

    def __init__(self, series: Mapping[Key, Series], hours: int) -> None:
        self.series = series
        self.by_metric: dict[tuple[str, str], list[tuple[Key, Series]]] = {}
        for key, history in series.items():
            self.by_metric.setdefault(key[:2], []).append((key, history))
        self.stamps = [H0 + h * HOUR for h in range(hours)]
        self.now = T0

    def client(self, service: str, region: str) -> EmulatedCloudWatch:
        return self  # the shard's ClientFactory: CloudWatch is all a metrics fetch asks for

    def get_paginator(self, operation: str) -> EmulatedCloudWatch:
        assert operation == "list_metrics"
        return self

    def paginate(self, **params: Any) -> Iterator[Mapping[str, Any]]:
        recent = params.get("RecentlyActive") == "PT3H"
        since = self.now - (3 * HOUR if recent else timedelta(days=14))
        listed = [
            {
                "Namespace": key[0],
                "MetricName": key[1],
                "Dimensions": [{"Name": name, "Value": value} for name, value in key[2]],
            }
            for key, history in self.by_metric.get((params["Namespace"], params["MetricName"]), [])
            if history.published_since(since, self.now)
        ]
        # Every series of the metric recently published to, busy ones too: they fill pages.
        for start in range(0, max(1, len(listed)), LIST_PAGE):
            yield {"Metrics": listed[start : start + LIST_PAGE]}

    def get_metric_data(self, **params: Any) -> Mapping[str, Any]:
        start = max(0, (params["StartTime"] - H0) // HOUR)
        end = math.ceil((params["EndTime"] - H0) / HOUR)
        return {
            "MetricDataResults": [self._answer(q, start, end) for q in params["MetricDataQueries"]]
        }

    def _answer(self, query: Mapping[str, Any], start: int, end: int) -> dict[str, Any]:
        stat = query["MetricStat"]
        assert stat["Period"] == 3600, "the emulator keeps hourly series (a 7-day lookback)"
        metric = stat["Metric"]
        dims = tuple((d["Name"], d["Value"]) for d in metric["Dimensions"])
        history = self.series.get((metric["Namespace"], metric["MetricName"], dims))
        stop = start if history is None else min(end, history.last_readable(self.now) + 1)
        readable = [] if history is None else history.values[start:stop]
        points = [(h, v) for h, v in enumerate(readable, start) if v is not None]
        return {
            "Id": query["Id"],
            "Timestamps": [self.stamps[h] for h, _ in points],
            "Values": [v for _, v in points],
            "StatusCode": "Complete",
        }


class InlinePool(Executor):
    """metrics.py's ThreadPoolExecutor running each task at once: threads add only wall time
    to what is measured here (what is asked, and what is decided)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        done: Future[Any] = Future()
        done.set_result(fn(*args, **kwargs))
        return done


def traffic_values(role: str, hours: int, rng: random.Random) -> list[float | None]:
    """Requests by hour from H0: busy every hour (more by day than by night); idle last used in
    the day after T0 - 7 d (so it turns idle during the first day of runs); sporadic in a burst
    of 1-3 hours every 2 to 10 days."""
    values: list[float | None] = [None] * hours
    if role == "busy":
        for h in range(hours):
            values[h] = float(round(50 + 40 * math.sin(2 * math.pi * (h % 24) / 24)))
    elif role == "idle":
        values[HISTORY_DAYS * 24 - 7 * 24 + rng.randrange(24)] = 3.0
    else:
        every, length = rng.randint(2, 10) * 24, rng.randint(1, 3)
        phase = rng.randrange(every)
        for h in range(hours):
            if (h - phase) % every < length:
                values[h] = float(rng.randint(1, 40))
    return values


def roles(fleet: Fleet, n: int, seed: int) -> list[str]:
    idle, sporadic = math.ceil(n * fleet.idle), math.ceil(n * fleet.sporadic)
    kinds = ["idle"] * idle + ["sporadic"] * min(sporadic, n - idle)
    kinds += ["busy"] * (n - len(kinds))
    random.Random(seed).shuffle(kinds)
    return kinds


def build_fleet(
    fleet: Fleet, n: int, hours: int, zeros: bool, seed: int
) -> tuple[list[ResourceRecord], dict[Key, Series]]:
    """The endpoints (one variant each, 30 days old) and every series their queries read."""
    rng = random.Random(seed)
    load: list[float | None] = [10.0] * hours  # instances run all along: one list for all
    records: list[ResourceRecord] = []
    series: dict[Key, Series] = {}
    for i, role in enumerate(roles(fleet, n, seed)):
        record = endpoint(f"ep{i}", age_days=30)
        records.append(record)
        queries = BY_KIND[record.kind].metric_queries(record)
        for traffic_q, load_q in zip(queries[::2], queries[1::2], strict=True):
            assert (traffic_q.role, load_q.role) == ("traffic", "load")
            values = traffic_values(role, hours, rng)
            if zeros:
                values = [0.0 if v is None else v for v in values]
            series[traffic_q.namespace, traffic_q.metric, traffic_q.dimensions] = Series(
                values, minute=rng.randrange(60)
            )
            series[load_q.namespace, load_q.metric, load_q.dimensions] = Series(load, minute=0)
    return linked(*records), series


@dataclass
class Tally:
    """What one fleet's runs requested, and what comparing them found."""

    runs: int = 0
    metrics: int = 0
    skipped: int = 0
    held: int = 0
    list_metrics: int = 0
    peak: int = 0
    steady_metrics: int = 0  # from the second week on: the first run's full read left out
    steady_runs: int = 0
    everything: int = 0  # metrics a run requests fetching everything
    compared: int = 0
    findings: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    comparing_s: float = 0.0

    def add(self, run: int, got: MetricSignals) -> None:
        self.runs += 1
        self.metrics += got.queries
        self.skipped += got.queries_skipped
        self.held += len(got.quiet)
        self.list_metrics += got.list_metrics_calls
        self.peak = max(self.peak, got.queries)
        if run >= 7 * 24:
            self.steady_runs += 1
            self.steady_metrics += got.queries


def decisions(
    records: Sequence[ResourceRecord], metrics: MetricSignals, policies: list[Policy], now: datetime
) -> tuple[list[str], str]:
    """Every finding's decision (all but a held reading's wording), then skipped and exempt."""
    result = evaluate(records, Signals(metrics=metrics, prices=prices()), policies, now)
    found = [json.dumps(f.decision(), sort_keys=True) for f in result.findings]
    return found, repr((sorted(result.skipped.items()), sorted(result.exempt)))


def simulate(fleet: Fleet, args: argparse.Namespace, policies: list[Policy]) -> Tally:
    """Hourly runs with the memory; one in `compare_every` made again fetching everything."""
    started = time.monotonic()
    runs = args.days * 24
    hours = HISTORY_DAYS * 24 + runs + 1
    records, series = build_fleet(fleet, args.endpoints, hours, args.zeros, args.seed)
    cloudwatch = EmulatedCloudWatch(series, hours)
    shards = [Shard("111122223333", "us-east-1", cast(ClientFactory, cloudwatch))]
    options = SignalOptions(lookback=lookback_for(policies), max_workers=1)
    store = SqliteStore(":memory:")
    memory = Memory(store, skip_windows(policies), hold_windows(policies))
    tally = Tally(everything=sum(len(BY_KIND[r.kind].metric_queries(r)) for r in records))
    with closing(store), patch.object(metrics_module, "ThreadPoolExecutor", InlinePool):
        for run in range(runs):
            now = T0 + run * HOUR + timedelta(minutes=args.minute)
            cloudwatch.now = now
            remembered = fetch_metrics(shards, records, options, now, memory)
            tally.add(run, remembered)
            if (run + 1) % args.compare_every == 0:
                compare_started = time.monotonic()
                everything = fetch_metrics(shards, records, options, now, None)
                tally.compared += 1
                theirs = decisions(records, everything, policies, now)
                tally.findings = len(theirs[0])
                if decisions(records, remembered, policies, now) != theirs:
                    tally.failures.append(f"{now:%Y-%m-%d %H:%M}: decided otherwise")
                if remembered.queries + remembered.queries_skipped != everything.queries:
                    tally.failures.append(f"{now:%Y-%m-%d %H:%M}: requested + skipped != all")
                tally.comparing_s += time.monotonic() - compare_started
    tally.seconds = time.monotonic() - started
    return tally


def monthly(count: int, runs: int) -> float:
    return count * HOURS_PER_MONTH / max(1, runs)


def bill(tally: Tally) -> tuple[float, float, float]:
    """GetMetricData and ListMetrics a month at the simulated runs' rate, and GetMetricData
    fetching everything every run, in dollars."""
    metrics = monthly(tally.metrics, tally.runs) * PER_METRIC
    listing = monthly(tally.list_metrics, tally.runs) * PER_REQUEST
    return metrics, listing, tally.everything * HOURS_PER_MONTH * PER_METRIC


def report(fleet: Fleet, tally: Tally, args: argparse.Namespace) -> None:
    metrics, listing, without = bill(tally)
    steady = (
        f"{monthly(tally.steady_metrics, tally.steady_runs):,.0f}" if tally.steady_runs else "-"
    )
    print(f"\n=== {fleet.name}: {args.endpoints} endpoints, {tally.runs} hourly runs ===")
    print(
        f"  metrics requested    {tally.metrics:10,}  ({monthly(tally.metrics, tally.runs):,.0f} "
        f"a month; {steady} from day 8 on, past the first full read)\n"
        f"  most in one run      {tally.peak:10,}  (skipped: {tally.skipped:,} metrics; "
        f"an idle reading held: {tally.held:,} times)\n"
        f"  ListMetrics requests {tally.list_metrics:10,}  "
        f"({monthly(tally.list_metrics, tally.runs):,.0f} a month)\n"
        f"  a month: GetMetricData ${metrics:.4f} + ListMetrics ${listing:.4f} = "
        f"${metrics + listing:.4f}\n"
        f"  without the memory: ${without:.2f} ({tally.everything:,} metrics x {HOURS_PER_MONTH})"
    )
    verdict = "identical" if not tally.failures else f"{len(tally.failures)} DIFFERED"
    print(
        f"  compared with fetching everything: {tally.compared} runs (one in "
        f"{args.compare_every}), decisions {verdict}; {tally.findings} findings at the last\n"
        f"  wall time {tally.seconds:.1f} s (comparing: {tally.comparing_s:.1f} s)"
    )
    for failure in tally.failures[:10]:
        print(f"    FAIL {failure}")


def summary(results: Sequence[tuple[Fleet, Tally]], args: argparse.Namespace) -> bool:
    """The table, and whether every fleet passed its checks."""
    print(f"\nsummary: {args.endpoints} endpoints, {args.days} days of hourly runs, a month 730 h")
    print(
        f"{'fleet':28} {'metrics/mo':>10} {'ListMetrics/mo':>14} {'GetMetricData':>13} "
        f"{'ListMetrics':>11} {'total':>8} {'no memory':>9} {'compared':>9}"
    )
    failed = []
    for fleet, tally in results:
        metrics, listing, without = bill(tally)
        dollars = [f"${usd:.4f}" for usd in (metrics, listing, metrics + listing)]
        print(
            f"{fleet.name:28} {monthly(tally.metrics, tally.runs):10,.0f} "
            f"{monthly(tally.list_metrics, tally.runs):14,.0f} {dollars[0]:>13} "
            f"{dollars[1]:>11} {dollars[2]:>8} {f'${without:.2f}':>9} "
            f"{tally.compared:4} {'FAIL' if tally.failures else 'ok':>4}"
        )
        if tally.failures:
            failed.append(f"{fleet.name}: a compared run decided otherwise than fetching all")
        if metrics + listing > MAX_MONTHLY_USD:
            failed.append(
                f"{fleet.name}: ${metrics + listing:.2f} a month, over ${MAX_MONTHLY_USD:.2f}"
            )
    for failure in failed:
        print(f"FAIL: {failure}")
    return not failed


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=1000)
    parser.add_argument("--days", type=int, default=30, help="of hourly runs, after 8 of history")
    parser.add_argument("--fleets", nargs="+", choices=list(FLEETS), default=list(FLEETS))
    # 23, prime to 24: the compared runs walk through the hours of the day. Every run would
    # double the time (a full fetch and two evaluations of 1,000 endpoints: ~0.9 s here).
    parser.add_argument("--compare-every", type=int, default=23, help="N: one run in N")
    parser.add_argument("--minute", type=int, default=10, help="of the hour every run starts at")
    parser.add_argument(
        "--zeros", action="store_true", help="traffic series get a 0 each hour without requests"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2, help="fleets simulated at once")
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    configure_logging(level="warning")
    policies = [p for p in load_policies(default_policies_dir()) if p.enabled]  # as shipped
    started = time.monotonic()
    fleets = [FLEETS[name] for name in args.fleets]
    # A fleet a process: a run's time is the product's own CPU (recalling the store, choosing
    # what to query: 0.1-0.3 s a run for 1,000 endpoints), so fleets overlap only across cores.
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        tallies = list(pool.map(simulate, fleets, repeat(args), repeat(policies)))
    for fleet, tally in zip(fleets, tallies, strict=True):
        report(fleet, tally, args)
    ok = summary(list(zip(fleets, tallies, strict=True)), args)
    print(f"\nwall time {time.monotonic() - started:.1f} s ({args.jobs} fleets at a time)")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
