"""Apply benchmark: what executing approved teardowns costs in AWS calls and time.

Seeds a local sandbox server with N endpoints (one in three idle), approves every delete through
a policy with automatic approval, and runs `apply --execute` through HTTP like a real run: first
the teardown, then a second run that must find nothing to do. Prints API calls per executed step
(beyond the plan's own calls), the steps by outcome and the wall time.

    python bench/apply.py [--endpoints 300]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from watchdog_sandbox import backdate
from watchdog_sandbox.seed_bench import seed_many_endpoints
from watchdog_sandbox.server import point_this_process_at, running_server, sandbox_session

from watchdog.act import ApplyResult, ExecOptions, apply
from watchdog.inventory import ScanRequest
from watchdog.logs import configure_logging
from watchdog.pipeline import lookback_for, run_plan
from watchdog.policies.schema import Policy
from watchdog.signals.collect import SignalOptions
from watchdog.store.sqlite import SqliteStore

REGION = "us-east-1"
POLICY = Policy.model_validate(
    {
        "name": "bench-idle-endpoints",
        "resource": ["sagemaker-endpoint"],
        "conditions": {"idle": {"metric": "invocations", "window": "7d"}, "older_than": "7d"},
        "action": "delete",
        "approval": {"mode": "automatic", "grace": "0h"},
    }
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=300)
    args = parser.parse_args()
    configure_logging(level="warning")
    now = datetime.now(UTC)
    with running_server() as url, tempfile.TemporaryDirectory() as tmp:
        seeded = seed_many_endpoints(
            args.endpoints,
            REGION,
            sandbox_session(),
            endpoint_url=url,
            metric_hours=8 * 24,
            now=now,
        )
        for endpoint in seeded.select("sagemaker-endpoint"):
            backdate.endpoint(endpoint.account_id, REGION, endpoint.name, now - timedelta(days=30))
        point_this_process_at(url, REGION)
        store = SqliteStore(Path(tmp) / "bench.db")
        options = SignalOptions(
            lookback=lookback_for([POLICY]), cache_dir=Path(tmp), cost_explorer=False
        )
        execute = ExecOptions(
            execute=True, poll_initial=timedelta(seconds=0.05), poll_max=timedelta(seconds=0.2)
        )
        request = ScanRequest(regions=[REGION])
        # Once to fill the cache (config descriptions), as apply's own plan will find it:
        # then each baseline's calls are exactly apply's plan's.
        run_plan(request, [POLICY], options, now=now)
        for title in ("teardown", "second run (nothing left)"):
            # The same plan on its own: what apply calls beyond it is the teardown's cost.
            baseline = run_plan(request, [POLICY], options, now=now).stats.api_calls_by_operation
            started = time.monotonic()
            result = apply(request, [POLICY], store, execute, signal_options=options)
            report(title, result, time.monotonic() - started, baseline)
        store.close()


def report(title: str, result: ApplyResult, seconds: float, baseline: dict[str, int]) -> None:
    steps = Counter(s.fate for f in result.findings for s in f.steps)
    executed = steps["done"] + steps["already"]
    acting = {
        op: n - baseline.get(op, 0)
        for op, n in result.api_calls_by_operation.items()
        if n > baseline.get(op, 0)
    }
    print(f"\n{title}: verdict {result.verdict()}, {seconds:.2f} s")
    print(f"  findings by fate            {dict(result.summary.by_fate)}")
    print(f"  steps by fate               {dict(steps)}")
    print(f"  api calls (all)             {result.api_calls:8}")
    print("  api calls of the teardown:")
    for operation, count in sorted(acting.items()):
        print(f"    {operation:44} {count:6}")
    total = sum(acting.values())
    if executed:
        print(f"  teardown calls per step     {total / executed:8.2f}")
    print(f"  saved                       ${result.summary.monthly_savings_usd:,.0f}/month")


if __name__ == "__main__":
    main()
