"""Many resources of each kind that has its own sandbox module, for the scan benchmark's
calls-per-resource figures (bench/scan.py --per-kind N).

Each entry makes the i-th of N resources of one kind: idle or busy by turns, so the scan meets
both and the signals stage queries both, as it would in a real account.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from watchdog_sandbox.bedrock_marketplace_endpoints import MarketplaceEndpointSeed
from watchdog_sandbox.ec2_accelerated_instances import GpuInstance
from watchdog_sandbox.seed_kinds import KindSeed


def _gpu_instance(i: int) -> KindSeed:
    return GpuInstance(
        f"bench-gpu-{i:04d}",
        use="busy" if i % 3 == 0 else "idle",
        age=timedelta(days=10),
        agent=i % 2 == 0,
        tags={"team": "bench"},
    )


def _marketplace_endpoint(i: int) -> KindSeed:
    return MarketplaceEndpointSeed(
        f"bench-marketplace-{i:04d}",
        "huggingface-llm-mistral-7b",
        "ml.g5.2xlarge",
        {"team": "bench"},
        10,
        busy=i % 3 == 0,
    )


# kind -> the i-th bench resource of that kind
BENCH_KINDS: dict[str, Callable[[int], KindSeed]] = {
    "ec2-accelerated-instance": _gpu_instance,
    "bedrock-marketplace-endpoint": _marketplace_endpoint,
}
