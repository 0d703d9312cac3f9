"""Park benchmark: what parking and resuming N endpoints costs in AWS calls and wall time.

Seeds a local sandbox server with N classic real-time endpoints (own config each, shared
models), then, through HTTP like a real run:
1. `apply --execute` under an office-hours policy whose park time has come: each endpoint is
   parked by DeleteEndpoint (its config and models kept);
2. `resume --all --execute` (the same resume step the schedule runs): each is created again
   under its name from its config (CreateEndpoint), and waited for until InService.
Prints the calls of each phase by operation (for the park, beyond the plan's own calls: the scan
and the signals are the plan's cost, bench/plan.py), calls per endpoint, steps by fate and wall
time. One seeded endpoint in ten is tagged exempt and must be left alone. Exits 1 unless every
other endpoint was parked and resumed once, with at most MAX_CALLS calls per endpoint and phase.

    python bench/park.py [--endpoints 100]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from watchdog_sandbox import backdate
from watchdog_sandbox.seed_bench import seed_many_endpoints
from watchdog_sandbox.server import point_this_process_at, running_server, sandbox_session

from watchdog.act import ExecOptions, FindingOutcome, SessionClients, SystemClock, apply
from watchdog.act.parking import resume_now
from watchdog.aws.clients import ApiCallCounter
from watchdog.inventory import ScanRequest
from watchdog.logs import configure_logging
from watchdog.pipeline import lookback_for, run_plan
from watchdog.policies.schema import Policy
from watchdog.signals.collect import SignalOptions
from watchdog.store.sqlite import SqliteStore

REGION = "us-east-1"
# Parks at midnight UTC and resumes on demand: the park is due whenever the bench runs.
POLICY = Policy.model_validate(
    {
        "name": "bench-office-hours",
        "resource": ["sagemaker-endpoint"],
        "conditions": {"status": ["InService"]},
        "action": "park",
        "approval": {"mode": "automatic", "grace": "0h"},
        "park": {"at": "0 0 * * *", "resume": "on-demand", "timezone": "UTC"},
    }
)
# Per endpoint and phase: a read before the call (DescribeEndpoint, with the tags the
# exemption check needs), the call, and the polls until AWS confirms; for a park, also the
# Application Auto Scaling read (an auto-scaled endpoint is not parked).
MAX_CALLS = 6.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=100)
    args = parser.parse_args()
    configure_logging(level="warning")
    now = datetime.now(UTC)
    problems: list[str] = []
    with running_server() as url, tempfile.TemporaryDirectory() as tmp:
        seeded = seed_many_endpoints(args.endpoints, REGION, sandbox_session(), endpoint_url=url)
        for endpoint in seeded.select("sagemaker-endpoint"):
            backdate.endpoint(endpoint.account_id, REGION, endpoint.name, now - timedelta(days=30))
        parkable = sum(1 for e in seeded.select("sagemaker-endpoint") if not e.exempt)
        point_this_process_at(url, REGION)
        store = SqliteStore(Path(tmp) / "bench.db")
        signals = SignalOptions(
            lookback=lookback_for([POLICY]), cache_dir=Path(tmp), cost_explorer=False
        )
        execute = ExecOptions(
            execute=True, poll_initial=timedelta(seconds=0.05), poll_max=timedelta(seconds=0.2)
        )
        request = ScanRequest(regions=[REGION])

        baseline = run_plan(request, [POLICY], signals, now=now).stats.api_calls_by_operation
        started = time.monotonic()
        parked = apply(request, [POLICY], store, execute, signal_options=signals)
        seconds = time.monotonic() - started
        calls = _beyond(parked.api_calls_by_operation, baseline)
        problems += report("park", parked.findings, calls, seconds, parkable)

        counter = ApiCallCounter()
        clients = SessionClients(counter=counter)
        started = time.monotonic()
        resumed = resume_now(store, clients, SystemClock(), execute, "bench-resume", None)
        seconds = time.monotonic() - started
        problems += report("resume", resumed, counter.by_operation(), seconds, parkable)
        store.close()
    for problem in problems:
        print(f"FAILED: {problem}")
    print("ok" if not problems else "FAILED")
    sys.exit(1 if problems else 0)


def _beyond(calls: dict[str, int], baseline: dict[str, int]) -> dict[str, int]:
    """The calls a run made beyond those of the plan alone."""
    return {op: n - baseline.get(op, 0) for op, n in calls.items() if n > baseline.get(op, 0)}


def report(
    title: str,
    findings: list[FindingOutcome],
    calls: dict[str, int],
    seconds: float,
    endpoints: int,
) -> list[str]:
    fates = Counter(f.fate for f in findings)
    steps = Counter(s.fate for f in findings for s in f.steps)
    total = sum(calls.values())
    per = total / max(1, endpoints)
    print(f"\n{title} of {endpoints} endpoints (the exempt left alone): {seconds:.2f} s")
    print(f"  findings by fate            {dict(fates)}")
    print(f"  steps by fate               {dict(steps)}")
    print(f"  api calls of the {title:11}{total:8}   ({per:.2f} per endpoint)")
    for operation, count in sorted(calls.items()):
        print(f"    {operation:44} {count:6}")
    problems = []
    if fates.get("done", 0) != endpoints:
        problems.append(f"{title}: {fates.get('done', 0)} of {endpoints} endpoints done")
    acting = "sagemaker:DeleteEndpoint" if title == "park" else "sagemaker:CreateEndpoint"
    if calls.get(acting) != endpoints:
        problems.append(f"{title}: {calls.get(acting)} {acting} calls for {endpoints} endpoints")
    if per > MAX_CALLS:
        problems.append(f"{title}: {per:.2f} calls per endpoint, more than {MAX_CALLS}")
    return problems


if __name__ == "__main__":
    main()
