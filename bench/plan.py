"""Plan benchmark: what a full plan (scan, metrics, prices, Cost Explorer, evaluate, plan) of a
large account costs in AWS calls and time.

Seeds a local sandbox server with N endpoints (one in three idle, with a week of hourly metrics),
runs `run_plan` with the shipped policies through HTTP like a real run, and prints the
GetMetricData calls made against the floor ceil(queries / 500), wall time, API calls per
resource, and Cost Explorer requests: a first run with nothing cached, and the next one, which
reuses what the first kept (config descriptions, prices, Cost Explorer) as every run after a
new install's first does. The goal (10 s at 50 ms a call, for 1,000 endpoints or fewer) is
checked on both: a new install's first plan must meet it too. Each
run's CPU is shown twice: the watchdog's, and the sandbox's (AWS's work, which the emulator does
on the same cores, one interpreter lock for every request).

Then, with a store remembering which resources were seen in use (signals/memory.py), a first
run and a second one an hour later (the clock moved, not waited for): the metrics each
requests, and whether the later run decided exactly as one that fetches everything at that hour.

    python bench/plan.py [--endpoints 1000]
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from watchdog_sandbox import backdate
from watchdog_sandbox.seed_bench import seed_many_endpoints
from watchdog_sandbox.server import point_this_process_at, sandbox_session, set_latency
from watchdog_sandbox.server_process import running_server_process

from watchdog.inventory import ScanRequest
from watchdog.logs import configure_logging
from watchdog.pipeline import PlanResult, lookback_for, run_plan
from watchdog.policies import default_policies_dir, load_policies
from watchdog.policies.schema import Policy
from watchdog.signals.collect import SignalOptions
from watchdog.store.sqlite import SqliteStore
from watchdog.tuning import tune_for_plans

REGION = "us-east-1"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=1000)
    parser.add_argument("--metric-hours", type=int, default=8 * 24)
    parser.add_argument(
        "--latency-ms",
        type=float,
        nargs="+",
        default=[0, 50],
        help="wire time the sandbox adds to every call; the plan runs at each",
    )
    parser.add_argument(
        "--goal-s", type=float, default=10.0, help="the most a plan may take at 50 ms a call"
    )
    return parser.parse_args()


WARM_UP_QUERY = {
    "Id": "warm",
    "MetricStat": {
        "Metric": {"Namespace": "AWS/SageMaker", "MetricName": "Invocations"},
        "Period": 3600,
        "Stat": "Sum",
    },
}


def main() -> None:
    args = _arguments()
    configure_logging(level="warning")
    policies = load_policies(default_policies_dir())
    now = datetime.now(UTC)

    def seed(url: str) -> float:
        """Runs in the sandbox's process (it backdates moto's records directly)."""
        started = time.monotonic()
        seeded = seed_many_endpoints(
            args.endpoints,
            REGION,
            sandbox_session(),
            endpoint_url=url,
            notebooks=50,
            profiles=20,
            metric_hours=args.metric_hours,
            now=now,
        )
        # Old enough that a week without traffic proves idleness.
        for endpoint in seeded.select("sagemaker-endpoint"):
            backdate.endpoint(endpoint.account_id, REGION, endpoint.name, now - timedelta(days=30))
        # The emulator's first GetMetricData groups every datapoint it holds (2 s here;
        # watchdog_sandbox/cloudwatch_index.py): its warm-up, not AWS's, so it is done now and
        # not charged to whichever plan is measured first.
        cloudwatch = sandbox_session().client("cloudwatch", endpoint_url=url, region_name=REGION)
        cloudwatch.get_metric_data(
            MetricDataQueries=[WARM_UP_QUERY], StartTime=now - timedelta(hours=1), EndTime=now
        )
        return time.monotonic() - started

    runs: dict[float, tuple[PlanResult, PlanResult]] = {}
    # The sandbox runs in a child process: AWS's CPU is not ours, nor should the emulator's be.
    with running_server_process(seed_with=seed) as (url, seeded_s):
        point_this_process_at(url, REGION)
        tune_for_plans()  # as ai-watchdog and the Lambda do (not the sandbox)
        for latency in args.latency_ms:
            set_latency(url, latency)
            runs[latency] = cold_then_hourly(policies, now)
        # The store's runs at the slowest wire time measured: what a daemon or Lambda sees.
        slowest = max(args.latency_ms)
        set_latency(url, slowest)
        with tempfile.TemporaryDirectory() as cache:
            options = SignalOptions(lookback=lookback_for(policies), cache_dir=Path(cache))
            remembered = hourly_with_memory(policies, options, now, Path(cache) / "memory.db")

    print(f"seeded in {seeded_s:.1f} s: {args.endpoints} endpoints, {args.metric_hours} h metrics")
    ok = True
    for latency, (first, second) in runs.items():
        print(f"\n=== wire time added to every call: {latency:g} ms ===")
        report("first run (nothing cached: a new install)", first)
        report("next run (configs, prices and Cost Explorer kept: every later run)", second)
        if latency == 50 and args.endpoints <= GOAL_ENDPOINTS:
            ok = within_goal(args.goal_s, first, second) and ok
    decisions = {_decisions(first) for first, _ in runs.values()}
    if len(decisions) != 1:
        print("FAIL: the plans at different wire times decided differently")
        ok = False
    ok = report_memory(slowest, *remembered) and ok
    if not ok:
        sys.exit(1)


# The goal is stated for a region of 1,000 endpoints (issue 20); a larger fleet is measured,
# not judged.
GOAL_ENDPOINTS = 1000


def within_goal(goal_s: float, first: PlanResult, later: PlanResult) -> bool:
    """Whether a new install's first plan and the plan after it each took at most `goal_s`."""
    ok = True
    for title, result in (("a new install's first plan", first), ("a plan after it", later)):
        took = result.stats.duration_s
        if took > goal_s:
            print(f"FAIL: {title} took {took:.2f} s at 50 ms, over {goal_s:g} s")
            ok = False
    if ok:
        first_s, later_s = first.stats.duration_s, later.stats.duration_s
        print(
            f"  goal met (at most {goal_s:g} s at 50 ms): the first plan {first_s:.2f} s "
            f"({goal_s / first_s:.2f}x under), the next {later_s:.2f} s"
        )
    return ok


def cold_then_hourly(policies: list[Policy], now: datetime) -> tuple[PlanResult, PlanResult]:
    """A run with an empty cache, then one with what it kept (the configs' descriptions,
    prices, Cost Explorer's answers): a new install's first run, and every run after it."""
    request = ScanRequest(regions=[REGION])
    with tempfile.TemporaryDirectory() as cache:
        options = SignalOptions(lookback=lookback_for(policies), cache_dir=Path(cache))
        first = _measured(request, policies, options, now)
        return first, _measured(request, policies, options, now)


# CPU seconds a run took, by run id: the watchdog's, and the sandbox's (AWS's work, done on
# the same cores here; None where /proc is not there to read it).
CPU: dict[str, tuple[float, float | None]] = {}


def _measured(
    request: ScanRequest, policies: list[Policy], options: SignalOptions, now: datetime
) -> PlanResult:
    ours, theirs = time.process_time(), _sandbox_cpu()
    result = run_plan(request, policies, options, now=now)
    after = _sandbox_cpu()
    sandbox = None if theirs is None or after is None else after - theirs
    CPU[result.run_id] = (time.process_time() - ours, sandbox)
    return result


def _sandbox_cpu() -> float | None:
    """The sandbox child process's CPU seconds so far (Linux's /proc), all its threads."""
    child = next((c for c in multiprocessing.active_children() if c.name == "sandbox"), None)
    if child is None:
        return None
    try:
        stat = Path(f"/proc/{child.pid}/stat").read_text()
        utime, stime = stat.rsplit(")", 1)[1].split()[11:13]
    except (OSError, ValueError):
        return None
    return (int(utime) + int(stime)) / os.sysconf("SC_CLK_TCK")


def hourly_with_memory(
    policies: list[Policy], options: SignalOptions, now: datetime, path: Path
) -> tuple[PlanResult, PlanResult, PlanResult]:
    """A first run and one an hour later remembering activity in a store, and a run at that
    later hour fetching everything, for comparison."""
    request = ScanRequest(regions=[REGION])
    store = SqliteStore(path)
    try:
        first = run_plan(request, policies, options, now=now, activity=store)
        later = now + timedelta(hours=1)
        second = run_plan(request, policies, options, now=later, activity=store)
    finally:
        store.close()
    everything = run_plan(request, policies, options, now=later)
    return first, second, everything


def report_memory(
    latency: float, first: PlanResult, second: PlanResult, everything: PlanResult
) -> bool:
    print(f"\n=== with a store remembering activity ({latency:g} ms a call) ===")
    for title, result in (("first run", first), ("second run, an hour later", second)):
        stats = result.stats
        cost = stats.self_cost
        monthly = f"${cost.per_month():,.2f} a month if every run were this one" if cost else ""
        print(
            f"  {title:28} {stats.duration_s:6.2f} s, {stats.metric_queries:6} metrics requested, "
            f"{stats.metric_queries_skipped:6} skipped; {monthly}"
        )
    print(f"  fetching everything then    {everything.stats.metric_queries:6} metrics requested")
    if _all_of(second) != _all_of(everything):
        print("FAIL: with the memory, the later run decided otherwise than fetching everything")
        return False
    print(f"  decisions identical to fetching everything: {len(second.findings)} findings")
    return True


def _all_of(result: PlanResult) -> list[str]:
    """Every finding's decision (all but the wording a held reading words otherwise:
    Finding.decision), and what was skipped as too new."""
    findings = sorted(json.dumps(f.decision(), sort_keys=True) for f in result.findings)
    return [*findings, repr(sorted(result.summary.skipped.items()))]


def _decisions(result: PlanResult) -> str:
    return "\n".join(sorted(f"{f.id} {f.action} {f.monthly_cost_usd}" for f in result.findings))


def report(title: str, result: PlanResult) -> None:
    stats, summary = result.stats, result.summary
    floor = math.ceil(stats.metric_queries / 500)
    print(f"\n{title}")
    print("  api calls by operation:")
    for operation, count in stats.api_calls_by_operation.items():
        print(f"    {operation:52} {count:6}")
    scan_s = stats.scan_duration_s
    print(f"  wall time                   {stats.duration_s:8.2f} s (scan {scan_s:.2f} s)")
    if result.run_id in CPU:
        ours, theirs = CPU[result.run_id]
        sandbox = "?" if theirs is None else f"{theirs:.2f}"
        print(f"  CPU                         {ours:8.2f} s the watchdog, {sandbox} s the sandbox")
    print(f"  resources                   {summary.resources_scanned:8}")
    print(f"  api calls                   {stats.api_calls:8}")
    print(
        f"  calls per resource          {stats.api_calls / max(1, summary.resources_scanned):8.3f}"
    )
    print(f"  metric queries              {stats.metric_queries:8}")
    calls = stats.get_metric_data_calls
    print(f"  GetMetricData calls         {calls:8}  (ceil(queries/500) = {floor})")
    print(f"  Pricing calls               {stats.pricing_calls:8}")
    print(f"  Cost Explorer requests      {stats.cost_explorer_requests:8}")
    if stats.self_cost is not None:
        cost = stats.self_cost
        print(
            f"  its own AWS bill            ${cost.usd:8.4f} a run, "
            f"${cost.per_month():,.2f} a month hourly ({cost.metrics_requested} metrics)"
        )
    print(f"  findings                    {summary.findings:8}  {summary.by_action}")
    print(f"  potential savings           ${summary.monthly_savings_usd:,.0f}/month")
    print(f"  errors                      {len(result.errors):8}")


if __name__ == "__main__":
    main()
