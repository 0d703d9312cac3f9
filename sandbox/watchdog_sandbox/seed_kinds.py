"""The seed's hook for a kind's own sandbox module: a kind added to the watchdog brings its demo
resources with it, without the seeder learning its name.

A kind's sandbox module defines what one of its demo resources is (a frozen dataclass with a
`seed(ctx)` method, the `KindSeed` protocol) and the demo plan (seed_plan.py) lists instances
of it in a region's `RegionPlan.kinds`; `seed_region` calls each once, after the built-in
kinds, with the account-region it is in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from watchdog_sandbox.seed_ages import Ages
from watchdog_sandbox.seed_clients import AwsClients
from watchdog_sandbox.seed_metrics import MetricWriter
from watchdog_sandbox.seed_sagemaker import is_exempt
from watchdog_sandbox.seed_summary import SeededResource


@dataclass(frozen=True)
class SeedContext:
    """One account-region of the seed, as a kind's seed sees it."""

    clients: AwsClients
    account_id: str
    region: str
    now: datetime
    ages: Ages
    writer: MetricWriter  # hourly datapoints, flushed once per region

    def seeded(
        self,
        kind: str,
        name: str,
        tags: Mapping[str, str] | None = None,
        created_at: datetime | None = None,
        **facts: Any,
    ) -> SeededResource:
        """What the summary says about one created resource (exempt is read off its tags)."""
        return SeededResource(
            kind=kind,
            account_id=self.account_id,
            region=self.region,
            name=name,
            exempt=is_exempt(tags or {}, self.now.date()),
            created_at=created_at,
            **facts,
        )


class KindSeed(Protocol):
    """One demo resource of a kind that has its own sandbox module."""

    def seed(self, ctx: SeedContext) -> list[SeededResource]:
        """Create it (and what it needs) in `ctx`'s account-region; what was made."""
        ...
