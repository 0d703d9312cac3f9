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

--way async seeds N asynchronous endpoints auto scaled to keep an instance instead (parked by
lowering the minimum to zero, RegisterScalableTarget, and resumed by putting it back); --way
components N endpoints of one inference component each on instances managed down to zero (parked
by taking the copies to zero, UpdateInferenceComponentRuntimeConfig).

    python bench/park.py [--endpoints 100] [--way classic|async|components]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from watchdog_sandbox import backdate
from watchdog_sandbox.seed_bench import seed_many_endpoints
from watchdog_sandbox.seed_scaling import auto_scale, component_host
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
EXEMPT = {"watchdog:exempt": "true"}


@dataclass(frozen=True)
class Way:
    park: str  # the call that parks each endpoint, once
    resume: str  # the call that brings it back, once
    # Calls per endpoint and phase, at most. Classic: a read before the call (DescribeEndpoint,
    # with the tags the exemption check needs), the call and the polls until AWS confirms; for a
    # park, also the Application Auto Scaling read (an auto-scaled endpoint is not parked).
    # Async: each read is DescribeEndpoint + DescribeScalableTargets (the minimums are the state
    # the park changes); the call acts on the read made before it, so: 2 + 1 (tags) + 1 (the
    # call) + 2 (one poll) = 6.
    # Components: each read is DescribeEndpoint, ListInferenceComponents, DescribeInference-
    # Component per component and DescribeScalableTargets, and a component is Updating for one
    # poll before it settles: 4 + 1 (tags) + 1 (the call) + 2 x 4 (polls) = 14 for an endpoint
    # of one component.
    max_calls: float


WAYS = {
    "classic": Way("sagemaker:DeleteEndpoint", "sagemaker:CreateEndpoint", 6.0),
    "async": Way(
        "application-autoscaling:RegisterScalableTarget",
        "application-autoscaling:RegisterScalableTarget",
        6.0,
    ),
    "components": Way(
        "sagemaker:UpdateInferenceComponentRuntimeConfig",
        "sagemaker:UpdateInferenceComponentRuntimeConfig",
        14.0,
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=100)
    parser.add_argument("--way", choices=sorted(WAYS), default="classic")
    args = parser.parse_args()
    configure_logging(level="warning")
    now = datetime.now(UTC)
    problems: list[str] = []
    way = WAYS[args.way]
    with running_server() as url, tempfile.TemporaryDirectory() as tmp:
        classic = args.endpoints if args.way == "classic" else 0
        seeded = seed_many_endpoints(classic, REGION, sandbox_session(), endpoint_url=url)
        for endpoint in seeded.select("sagemaker-endpoint"):
            backdate.endpoint(endpoint.account_id, REGION, endpoint.name, now - timedelta(days=30))
        parkable = sum(1 for e in seeded.select("sagemaker-endpoint") if not e.exempt)
        if args.way != "classic":
            parkable = seed_scaled(args.way, args.endpoints, url)
        point_this_process_at(url, REGION)
        store = SqliteStore(Path(tmp) / "bench.db")
        signals = SignalOptions(
            lookback=lookback_for([POLICY]), cache_dir=Path(tmp), cost_explorer=False
        )
        execute = ExecOptions(
            execute=True, poll_initial=timedelta(seconds=0.05), poll_max=timedelta(seconds=0.2)
        )
        request = ScanRequest(regions=[REGION])

        # Once to fill the cache (config descriptions), as apply's own plan will find it:
        # then the baseline's calls are exactly apply's plan's.
        run_plan(request, [POLICY], signals, now=now)
        baseline = run_plan(request, [POLICY], signals, now=now).stats.api_calls_by_operation
        started = time.monotonic()
        parked = apply(request, [POLICY], store, execute, signal_options=signals)
        seconds = time.monotonic() - started
        calls = _beyond(parked.api_calls_by_operation, baseline)
        problems += report("park", parked.findings, calls, seconds, parkable, way)

        counter = ApiCallCounter()
        clients = SessionClients(counter=counter)
        started = time.monotonic()
        resumed = resume_now(store, clients, SystemClock(), execute, "bench-resume", None)
        seconds = time.monotonic() - started
        problems += report("resume", resumed, counter.by_operation(), seconds, parkable, way)
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
    way: Way,
) -> list[str]:
    fates = Counter(f.fate for f in findings)
    steps = Counter(s.fate for f in findings for s in f.steps)
    total = sum(calls.values())
    # Per endpoint: without the run's one identity read (sts), which is not an endpoint's.
    per = (total - sum(n for op, n in calls.items() if op.startswith("sts:"))) / max(1, endpoints)
    print(f"\n{title} of {endpoints} endpoints (the exempt left alone): {seconds:.2f} s")
    print(f"  findings by fate            {dict(fates)}")
    print(f"  steps by fate               {dict(steps)}")
    print(f"  api calls of the {title:11}{total:8}   ({per:.2f} per endpoint)")
    for operation, count in sorted(calls.items()):
        print(f"    {operation:44} {count:6}")
    problems = []
    if fates.get("done", 0) != endpoints:
        problems.append(f"{title}: {fates.get('done', 0)} of {endpoints} endpoints done")
    acting = way.park if title == "park" else way.resume
    if calls.get(acting) != endpoints:
        problems.append(f"{title}: {calls.get(acting)} {acting} calls for {endpoints} endpoints")
    if per > way.max_calls:
        problems.append(f"{title}: {per:.2f} calls per endpoint, more than {way.max_calls}")
    return problems


def seed_scaled(way: str, count: int, url: str) -> int:
    """`count` endpoints that park by scaling to zero (one in ten tagged exempt); how many may
    be parked."""
    session = sandbox_session()
    sagemaker = session.client("sagemaker", endpoint_url=url, region_name=REGION)
    autoscaling = session.client("application-autoscaling", endpoint_url=url, region_name=REGION)
    role = sagemaker.describe_model(ModelName="bench-model-0")["ExecutionRoleArn"]
    for i in range(count):
        name = f"bench-{way}-{i:04d}"
        tags = [{"Key": k, "Value": v} for k, v in EXEMPT.items()] if i % 10 == 0 else []
        if way == "async":
            _async_endpoint(sagemaker, autoscaling, name, f"bench-model-{i % 5}", tags)
        else:
            components = [(f"{name}-ic", f"bench-model-{i % 5}", 1)]
            component_host(sagemaker, name, role, components, instances=1, tags=tags)
    return count - len(range(0, count, 10))


def _async_endpoint(sagemaker: Any, autoscaling: Any, name: str, model: str, tags: Any) -> None:
    sagemaker.create_endpoint_config(
        EndpointConfigName=f"{name}-config",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": model,
                "InstanceType": "ml.g5.xlarge",
                "InitialInstanceCount": 1,
            }
        ],
        AsyncInferenceConfig={"OutputConfig": {"S3OutputPath": "s3://bench-async-output/"}},
    )
    sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-config", Tags=tags)
    auto_scale(sagemaker, autoscaling, name, ["AllTraffic"], keep=1, maximum=2)


if __name__ == "__main__":
    main()
