"""Scan benchmark: how many AWS calls and how long a scan of a large account takes.

Seeds a local sandbox server with N endpoints (each with its own config, a few shared models),
notebooks and a Studio domain, scans it through HTTP like a real run, and prints wall time, API
calls by operation and calls per resource. The figure that matters is calls per endpoint: lists
and batch calls (Search, tag:GetResources) should carry the endpoints, so it stays near one
(the per-config describe) rather than several.

    python bench/scan.py [--endpoints 1000] [--per-kind 100]

Then, for each kind with its own sandbox module (watchdog_sandbox.kinds), a fresh
account with `--per-kind` of that kind alone: the calls its resources add to an empty account's
scan, per resource. The check fails when any kind needs more than MAX_CALLS_PER_KIND_RESOURCE.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime

from watchdog_sandbox.kinds import bench_kinds
from watchdog_sandbox.seed import seed_region
from watchdog_sandbox.seed_bench import seed_many_endpoints
from watchdog_sandbox.seed_clients import AwsClients
from watchdog_sandbox.seed_org_bench import OrgSeed, seed_org_endpoints
from watchdog_sandbox.seed_plan import RegionPlan
from watchdog_sandbox.server import (
    point_this_process_at,
    running_server,
    sandbox_session,
    set_latency,
)
from watchdog_sandbox.server_process import running_server_process

from watchdog.inventory import ScanRequest, scan
from watchdog.logs import configure_logging
from watchdog.tuning import tune_for_plans

REGION = "us-east-1"
# Scanning what one bench resource brings (itself and what it links: a knowledge base with its
# collection and data source) may cost this many calls per resource found at most: more says
# they are listed one by one where a list or batch call should carry them (describes of what a
# list omits are fine up to ~2). "per one" shows the cost of each of the kind itself.
MAX_CALLS_PER_KIND_RESOURCE = 2.5


def main() -> None:
    # moto fills each EC2 backend it creates (one per account and region the scan's
    # DescribeInstances reaches) with its default AMIs: 0.12 s of the sandbox's CPU each, 7.5 s
    # of an organization scan (py-spy), which AWS never spends. Nothing here reads an AMI.
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=1000)
    parser.add_argument("--notebooks", type=int, default=50)
    parser.add_argument("--profiles", type=int, default=20)
    parser.add_argument("--per-kind", type=int, default=100)
    parser.add_argument(
        "--latency-ms",
        type=float,
        nargs="+",
        default=[0, 50],
        help="wire time the sandbox adds to every call; the scan runs at each",
    )
    parser.add_argument(
        "--org",
        type=int,
        default=0,
        metavar="ACCOUNTS",
        help="also an organization of this many accounts x 3 regions x --org-endpoints",
    )
    parser.add_argument("--org-endpoints", type=int, default=50)
    args = parser.parse_args()
    configure_logging(level="warning")
    if args.org:
        org_scan(args)
    endpoints_scan(args)
    if args.per_kind > 0 and not kinds_scan(args.per_kind):
        sys.exit(1)


def endpoints_scan(args: argparse.Namespace) -> None:
    results = {}

    def seed(url: str) -> float:
        started = time.monotonic()
        seed_many_endpoints(
            args.endpoints,
            REGION,
            sandbox_session(),
            endpoint_url=url,
            notebooks=args.notebooks,
            profiles=args.profiles,
        )
        return time.monotonic() - started

    # In a child process: the emulator's CPU is not the watchdog's (server_process.py).
    with running_server_process(seed_with=seed) as (url, seeded_s):
        point_this_process_at(url, REGION)
        tune_for_plans()  # as ai-watchdog and the Lambda do (not the sandbox)
        for latency in args.latency_ms:
            set_latency(url, latency)
            results[latency] = scan(ScanRequest(regions=[REGION]))

    result = results[args.latency_ms[0]]
    counts: dict[str, int] = {}
    for record in result.resources:
        counts[record.kind] = counts.get(record.kind, 0) + 1
    endpoints = counts.get("sagemaker-endpoint", 0)
    stats = result.stats
    print(
        f"seeded in {seeded_s:.1f} s: {args.endpoints} endpoints, {args.notebooks} notebooks, "
        f"a domain with {args.profiles} profiles"
    )
    print("resources found:")
    for kind, count in sorted(counts.items()):
        print(f"  {kind:36} {count:6}")
    print("api calls by operation:")
    for operation, count in stats.api_calls_by_operation.items():
        print(f"  {operation:52} {count:6}")
    for latency, at in results.items():
        ideal = at.stats.api_calls * latency / 1000
        print(
            f"scan wall time at {latency:g} ms a call: {at.stats.duration_s:8.2f} s "
            f"({at.stats.api_calls} calls; one after the other would wire {ideal:.1f} s)"
        )
    print(f"api calls             {stats.api_calls:8}")
    print(f"resources             {len(result.resources):8}")
    print(f"calls per resource    {stats.api_calls / max(1, len(result.resources)):8.3f}")
    print(f"calls per endpoint    {stats.api_calls / max(1, endpoints):8.3f}")
    print(f"errors                {len(result.errors):8}")
    for error in result.errors:
        print(f"  {error.account} {error.region} {error.kind}: {error.error}")
    if len({r.model_dump_json(exclude={"stats", "run_id"}) for r in results.values()}) != 1:
        print("FAIL: the scans at different wire times found different things")
        sys.exit(1)


ORG_REGIONS = ("us-east-1", "us-west-2", "eu-west-1")


def org_scan(args: argparse.Namespace) -> None:
    """An organization scanned through its member role, at each wire time."""
    results = {}

    def seed(url: str) -> tuple[float, OrgSeed]:
        started = time.monotonic()
        org = seed_org_endpoints(
            sandbox_session(),
            url,
            accounts=args.org,
            regions=ORG_REGIONS,
            per_region=args.org_endpoints,
        )
        return time.monotonic() - started, org

    with running_server_process(seed_with=seed) as (url, (seeded_s, org)):
        point_this_process_at(url, REGION)
        tune_for_plans()  # as ai-watchdog and the Lambda do (not the sandbox)
        request = ScanRequest(
            regions=list(ORG_REGIONS),
            accounts="organization",
            member_role=org.member_role,
            external_id=org.external_id,
        )
        for latency in args.latency_ms:
            set_latency(url, latency)
            results[latency] = scan(request)
    print(
        f"organization: {args.org} accounts x {len(ORG_REGIONS)} regions x "
        f"{args.org_endpoints} endpoints = {org.endpoints}, seeded in {seeded_s:.1f} s"
    )
    for latency, at in results.items():
        found = sum(1 for r in at.resources if r.kind == "sagemaker-endpoint")
        print(
            f"  scan at {latency:g} ms a call: {at.stats.duration_s:8.2f} s, "
            f"{at.stats.api_calls} calls, {at.stats.shards} shards, {found} endpoints found, "
            f"{len(at.errors)} errors"
        )
        if found != org.endpoints or at.errors:
            print("  FAIL: the organization scan missed endpoints or failed somewhere")
            sys.exit(1)


def calls_to_scan(n: int, kind: str | None) -> tuple[int, int, int]:
    """A fresh sandbox account holding `n` resources of `kind` (none: an empty account): the
    scan's AWS calls, the resources of that kind it found, and all it found (what each brings:
    a knowledge base its collection and data source, a Marketplace endpoint its SageMaker
    endpoint, config and model)."""
    with running_server() as url:
        if kind is not None:
            seeds = tuple(bench_kinds()[kind](i) for i in range(n))
            clients = AwsClients(sandbox_session(), url)
            account = clients.account_id()
            seed_region(clients, account, REGION, RegionPlan(kinds=seeds), datetime.now(UTC))
        point_this_process_at(url, REGION)
        result = scan(ScanRequest(regions=[REGION]))
    found = sum(1 for record in result.resources if record.kind == kind)
    return result.stats.api_calls, found, len(result.resources)


def kinds_scan(n: int) -> bool:
    """Calls per resource for each kind with its own sandbox module; False if one is too many."""
    empty, _, _ = calls_to_scan(0, None)
    print(f"\nan empty account's scan: {empty} calls")
    print(
        f"{'kind':36} {'found':>6} {'with it':>8} {'calls':>6} {'per one':>8} {'per resource':>13}"
    )
    ok = True
    for kind in bench_kinds():
        calls, found, made = calls_to_scan(n, kind)
        per_one = (calls - empty) / max(1, found)
        per_resource = (calls - empty) / max(1, made)
        print(f"{kind:36} {found:6} {made:8} {calls - empty:6} {per_one:8.3f} {per_resource:13.3f}")
        if found != n:
            print(f"  FAIL: seeded {n}, the scan found {found}")
            ok = False
        elif per_resource > MAX_CALLS_PER_KIND_RESOURCE:
            print(f"  FAIL: over {MAX_CALLS_PER_KIND_RESOURCE} calls per resource")
            ok = False
    return ok


if __name__ == "__main__":
    main()
