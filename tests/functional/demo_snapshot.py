"""The demo organisation for tests that need a fresh copy of it: seeded once, then restored.

Seeding the demo (`seed_demo_account`) costs about 3 s of CPU: two accounts, two regions, eight
days of hourly metrics. Most functional tests that need it start from a fresh `mock_aws` and
change what they find (tear down, tag, delete), so each needs its own copy, but not its own
seeding. `seed_demo()` seeds the first time in a process and keeps a pickled snapshot of every
moto backend the seed filled (moto's state is plain objects in per-process `BackendDict`s, the
sandbox additions' state included); later calls load that snapshot into the current, freshly
reset mock, which takes a fraction of the time and gives each test its own objects.

The seed dates everything from the real time it ran (`SeedSummary.now`). A snapshot is reused
only within the same UTC hour as its seeding, so what a test sees is what a seed at that moment
would have made: metric series end in the same hour and every age holds to within minutes.
Tests that seed at a fixed `now`, or test the seeding itself, call `seed_demo_account`.
"""

from __future__ import annotations

import io
import pickle
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
from moto.cloudwatch.models import MetricDatumBase
from moto.core.base_backend import BackendDict
from watchdog_sandbox.seed import SeedSummary, seed_demo_account

REGION = "us-east-1"
# The moto services the demo seed writes to (some, like sagemaker, have the sandbox's own
# BackendDict as well as moto's). A snapshot holds these and nothing else, so what a test made in
# other services before it seeded (a DynamoDB table for the store) stays its own.
DEMO_SERVICES = frozenset(
    {
        "application-autoscaling",
        "bedrock",
        "ce",
        "cloudwatch",
        "ec2",
        "ecs",
        "efs",
        "iam",
        "opensearchserverless",
        "organizations",
        "sagemaker",
        "sts",
    }
)


@dataclass(frozen=True)
class _Snapshot:
    summary: SeedSummary
    # The BackendDicts the seed used, in the order of `state` (kept out of the pickle: the
    # restored objects must go into these live, module-level registries).
    backends: tuple[BackendDict[Any], ...]
    # Per BackendDict: account id -> region -> backend, pickled together so that objects
    # shared between backends stay shared in each copy.
    state: bytes
    # The metric datapoints, shared by every copy rather than pickled: moto never changes a
    # datum once put (a put appends new ones to the copy's own list), and unpickling the demo's
    # 16,000 of them was most of a restore's time (0.4 s, in about 60 tests a process).
    datapoints: tuple[MetricDatumBase, ...]


_snapshot: _Snapshot | None = None


def seed_demo() -> SeedSummary:
    """The demo organisation in the current `mock_aws`: seeded at the real time, or restored
    from this process's snapshot of a seeding within the same UTC hour. Call it before creating
    anything in the services the demo uses (IAM, STS, Organizations, SageMaker, Bedrock,
    CloudWatch, EC2, EFS, Cost Explorer): a restore replaces their state."""
    global _snapshot
    now = datetime.now(UTC)
    if _snapshot is not None and _same_hour(_snapshot.summary.now, now):
        _restore(_snapshot)
        return _snapshot.summary
    before = set(map(id, BackendDict._instances))
    summary = seed_demo_account(boto3.Session(region_name=REGION))
    unknown = {
        b.service_name
        for b in BackendDict._instances
        if id(b) not in before and b.service_name not in DEMO_SERVICES
    }
    if unknown:
        raise RuntimeError(f"the demo seed now uses {sorted(unknown)}: add to DEMO_SERVICES")
    _snapshot = _take(summary)
    return summary


def _same_hour(seeded: datetime, now: datetime) -> bool:
    def hour(moment: datetime) -> datetime:
        return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)

    return hour(seeded) == hour(now)


def _take(summary: SeedSummary) -> _Snapshot:
    backends = tuple(b for b in BackendDict._instances if b.service_name in DEMO_SERVICES)
    state = [{account: dict(regions) for account, regions in b.items()} for b in backends]
    datapoints: list[MetricDatumBase] = []
    buffer = io.BytesIO()
    _DatapointsAside(buffer, datapoints).dump(state)
    return _Snapshot(summary, backends, buffer.getvalue(), tuple(datapoints))


class _DatapointsAside(pickle.Pickler):
    """Pickles each metric datum as its place in `datapoints`."""

    def __init__(self, file: io.BytesIO, datapoints: list[MetricDatumBase]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.datapoints = datapoints

    def persistent_id(self, obj: Any) -> int | None:
        if isinstance(obj, MetricDatumBase):
            self.datapoints.append(obj)
            return len(self.datapoints) - 1
        return None


class _DatapointsShared(pickle.Unpickler):
    def __init__(self, state: bytes, datapoints: tuple[MetricDatumBase, ...]) -> None:
        super().__init__(io.BytesIO(state))
        self.datapoints = datapoints

    def persistent_load(self, pid: Any) -> MetricDatumBase:
        return self.datapoints[pid]


def _restore(snapshot: _Snapshot) -> None:
    loaded = _DatapointsShared(snapshot.state, snapshot.datapoints).load()
    state: list[dict[str, dict[str, Any]]] = loaded
    for backend_dict, accounts in zip(snapshot.backends, state, strict=True):
        for account, regions in accounts.items():
            # Indexing creates the account's backend and registers the BackendDict for the mock's
            # reset at the end of the test. A region backend already there is replaced: moto
            # creates some on its own (IAM, for any request), and a test seeds before it builds
            # on the demo, so nothing of its own is in the services the seed fills.
            account_backend = backend_dict[account]
            for region, backend in regions.items():
                dict.__setitem__(account_backend, region, backend)
