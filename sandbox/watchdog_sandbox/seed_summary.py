"""What a seeder created, for tests and the demo to assert on."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict


class SeededResource(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: str  # the design's kind names, e.g. "sagemaker-endpoint"
    account_id: str
    region: str
    name: str  # an app's is "<user profile or space>/<AppType>/<AppName>"
    # Idle by the seeded metrics (instances running, no traffic over the window). Only kinds with
    # an idle signal are ever idle: endpoints, inference components, provisioned throughput,
    # GPU instances, Canvas sessions.
    idle: bool = False
    # Production variants without traffic on an endpoint that is busy overall.
    idle_variants: tuple[str, ...] = ()
    # Tagged watchdog:exempt=true or with a watchdog:expires date still ahead.
    exempt: bool = False
    # The CreationTime the emulator reports, as the plan set it; None: not backdated, so the
    # emulator's clock when the seed ran (SeedSummary.created_at).
    created_at: datetime | None = None
    # LastModifiedTime where the plan sets one apart from creation (a notebook's last start/stop).
    last_modified_at: datetime | None = None

    def older_than(self, age: timedelta, now: datetime) -> bool:
        """Whether it existed for all of the `age` before `now` (e.g. a whole metrics window)."""
        return self.created_at is not None and self.created_at <= now - age


class SeedSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    management_account_id: str
    member_account_ids: tuple[str, ...] = ()
    member_role_name: str = ""
    external_id: str = ""
    regions: tuple[str, ...]
    # Metric timestamps end at `now`, and backdated resources were created their age before it.
    now: datetime
    # The real clock when the seed ran: the CreationTime of whatever was not backdated.
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

    def idle_names(
        self,
        kind: str | None = None,
        *,
        include_exempt: bool = False,
        window: timedelta | None = None,
    ) -> list[str]:
        """Names of the idle resources (by default without the exempt ones). With `window`,
        only those old enough for it at `now`: the ones whose idleness can be proven."""
        return sorted(
            r.name
            for r in self.select(kind)
            if r.idle
            and (include_exempt or not r.exempt)
            and (window is None or r.older_than(window, self.now))
        )
