"""Apply against the in-process sandbox: a seeded account, a store, a clock that skips waits."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from watchdog_sandbox.seed import SeedSummary

from tests.fakes import FakeClock
from tests.functional.demo_snapshot import seed_demo
from watchdog.act import ApplyResult, ExecOptions, apply
from watchdog.inventory import ScanRequest
from watchdog.policies.schema import Policy
from watchdog.signals.collect import SignalOptions
from watchdog.store.sqlite import SqliteStore

REGION = "us-east-1"


def teardown_policy(
    kinds: list[str], *, approval: str = "automatic", action: str = "delete", **extra: Any
) -> Policy:
    return Policy.model_validate(
        {
            "name": "tear-down",
            "resource": kinds,
            "conditions": {"older_than": "1h"},
            "action": action,
            "approval": {"mode": approval, "grace": "0h"},
            **extra,
        }
    )


@dataclass
class Applier:
    store: SqliteStore
    cache: Path
    clock: FakeClock

    def __call__(
        self,
        policy: Policy,
        *,
        execute: bool = True,
        only: tuple[str, ...] = (),
        clients: Any = None,
        **options: Any,
    ) -> ApplyResult:
        return apply(
            ScanRequest(regions=[REGION]),
            [policy],
            self.store,
            ExecOptions(execute=execute, **options),
            clock=self.clock,
            only=only,
            clients=clients,
            signal_options=SignalOptions(
                lookback=timedelta(days=7), cache_dir=self.cache, cost_explorer=False
            ),
        )


@pytest.fixture
def seeded(aws: None) -> SeedSummary:
    return seed_demo()


@pytest.fixture
def applier(seeded: SeedSummary, tmp_path: Path) -> Iterator[Applier]:
    store = SqliteStore(tmp_path / "watchdog.db")
    yield Applier(store, tmp_path, FakeClock(datetime.now(UTC)))
    store.close()


def sagemaker() -> Any:
    return boto3.client("sagemaker", region_name=REGION)
