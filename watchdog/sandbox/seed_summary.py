"""What a seeder created, for tests and the demo to assert on."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from pydantic import BaseModel, ConfigDict


class SeededResource(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: str  # the design's kind names, e.g. "sagemaker-endpoint"
    account_id: str
    region: str
    name: str  # an app's is "<user profile or space>/<AppType>/<AppName>"
    # Idle by the seeded metrics (instances running, no traffic over the window). Only kinds with
    # a traffic signal are ever idle: endpoints, inference components, provisioned throughput.
    idle: bool = False
    # Production variants without traffic on an endpoint that is busy overall.
    idle_variants: tuple[str, ...] = ()
    # Tagged watchdog:exempt=true or with a watchdog:expires date still ahead.
    exempt: bool = False


class SeedSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    management_account_id: str
    member_account_ids: tuple[str, ...] = ()
    member_role_name: str = ""
    external_id: str = ""
    regions: tuple[str, ...]
    # Metric timestamps end at `now`; moto stamped every CreationTime at `created_at` (the real
    # clock, which boto3 cannot set). See seed_demo_account() on evaluating "old enough".
    now: datetime
    created_at: datetime
    metric_datums: int = 0
    resources: tuple[SeededResource, ...] = ()

    @property
    def accounts(self) -> tuple[str, ...]:
        return (self.management_account_id, *self.member_account_ids)

    def select(
        self, kind: str | None = None, *, region: str | None = None, account_id: str | None = None
    ) -> list[SeededResource]:
        return [
            r
            for r in self.resources
            if (kind is None or r.kind == kind)
            and (region is None or r.region == region)
            and (account_id is None or r.account_id == account_id)
        ]

    def count(self, kind: str, *, region: str | None = None, account_id: str | None = None) -> int:
        return len(self.select(kind, region=region, account_id=account_id))

    def counts(self) -> dict[str, int]:
        """Resources per kind over every account and region."""
        return dict(sorted(Counter(r.kind for r in self.resources).items()))

    def names(
        self, kind: str, *, region: str | None = None, account_id: str | None = None
    ) -> list[str]:
        return sorted(r.name for r in self.select(kind, region=region, account_id=account_id))

    def idle_names(self, kind: str | None = None, *, include_exempt: bool = False) -> list[str]:
        """Names of the idle resources (by default without the exempt ones)."""
        return sorted(
            r.name for r in self.select(kind) if r.idle and (include_exempt or not r.exempt)
        )
