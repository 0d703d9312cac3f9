"""Scan benchmark: how many AWS calls and how long a scan of a large account takes.

Seeds a local sandbox server with N endpoints (each with its own config, a few shared models),
notebooks and a Studio domain, scans it through HTTP like a real run, and prints wall time, API
calls by operation and calls per resource. The figure that matters is calls per endpoint: lists
and batch calls (Search, tag:GetResources) should carry the endpoints, so it stays near one
(the per-config describe) rather than several.

    python bench/scan.py [--endpoints 1000]
"""

from __future__ import annotations

import argparse
import time

from watchdog_sandbox.seed_bench import seed_many_endpoints
from watchdog_sandbox.server import point_this_process_at, running_server, sandbox_session

from watchdog.inventory import ScanRequest, scan
from watchdog.logs import configure_logging

REGION = "us-east-1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=1000)
    parser.add_argument("--notebooks", type=int, default=50)
    parser.add_argument("--profiles", type=int, default=20)
    args = parser.parse_args()
    configure_logging(level="warning")

    with running_server() as url:
        started = time.monotonic()
        seed_many_endpoints(
            args.endpoints,
            REGION,
            sandbox_session(),
            endpoint_url=url,
            notebooks=args.notebooks,
            profiles=args.profiles,
        )
        seeded_s = time.monotonic() - started
        point_this_process_at(url, REGION)
        result = scan(ScanRequest(regions=[REGION]))

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
    print(f"scan wall time        {stats.duration_s:8.2f} s")
    print(f"api calls             {stats.api_calls:8}")
    print(f"resources             {len(result.resources):8}")
    print(f"calls per resource    {stats.api_calls / max(1, len(result.resources)):8.3f}")
    print(f"calls per endpoint    {stats.api_calls / max(1, endpoints):8.3f}")
    print(f"errors                {len(result.errors):8}")
    for error in result.errors:
        print(f"  {error.account} {error.region} {error.kind}: {error.error}")


if __name__ == "__main__":
    main()
