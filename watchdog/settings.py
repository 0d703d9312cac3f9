"""Settings: one model for the CLI, the daemon and the Lambda (the WATCHDOG_* contract).

Precedence is flag > environment > default; entry points pass flags as init arguments, which
pydantic-settings ranks above the environment.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WATCHDOG_", extra="ignore")

    regions: str | None = Field(
        default=None, description="comma list or `all`; unset: the session's region"
    )
    accounts: str | None = Field(
        default=None, description="`current`, `organization`, or comma list of role ARNs / ids"
    )
    member_role: str | None = Field(default=None, description="role name in member accounts")
    external_id: str | None = Field(default=None, description="ExternalId for sts:AssumeRole")
    max_workers: int = Field(default=8, ge=1, le=64, description="concurrent account x region")
    log_format: Literal["json", "console"] | None = Field(
        default=None, description="unset: console on a terminal, json otherwise"
    )
    log_level: Literal["debug", "info", "warning", "error"] = "warning"

    store: str | None = Field(
        default=None,
        description="`sqlite:///path` or `dynamodb://table-name`; unset: SQLite in the user's "
        "state directory",
    )

    # Acting: dry-run unless a flag (`apply --execute`) or this setting says otherwise.
    mode: Literal["dry-run", "enforce"] = Field(
        default="dry-run", description="`enforce` lets scheduled runs execute approved teardowns"
    )
    step_lease_seconds: float = Field(
        default=300,
        gt=0,
        description="how long a claimed step is held; a crashed run's steps are taken over after",
    )
    step_timeout_minutes: float = Field(
        default=30, gt=0, description="how long one step may take before it is left for next run"
    )
    poll_seconds: float = Field(
        default=2, gt=0, description="first wait before re-reading a step AWS is carrying out"
    )
    max_poll_seconds: float = Field(default=30, gt=0, description="longest wait between reads")
    max_failed_steps: int = Field(
        default=3, ge=1, description="circuit breaker: stop acting after this many failed steps"
    )
    max_throttles: int = Field(
        default=5, ge=1, description="circuit breaker: stop after this many throttled calls"
    )

    # Policies and caches.
    policies: str | None = Field(
        default=None, description="policy directory; unset: the shipped policies/ directory"
    )
    cache_dir: str | None = Field(
        default=None, description="price and Cost Explorer cache; unset: the user's cache dir"
    )
    price_ttl_hours: float = Field(default=24, gt=0, description="how long a price is reused")

    # Cost Explorer: $0.01 a request, data refreshed up to 3 times a day, so cached.
    cost_explorer: bool = Field(default=True, description="read spend from Cost Explorer")
    ce_max_requests_per_day: int = Field(default=4, ge=0, le=1000)
    ce_tag_keys: str = Field(
        default="team", description="comma list of cost-allocation tag keys for budgets"
    )
    ce_per_resource: bool = Field(
        default=False, description="GetCostAndUsageWithResources (opt-in in Cost Explorer too)"
    )

    @field_validator("regions")
    @classmethod
    def _regions_written_well(cls, value: str | None) -> str | None:
        if value is None:
            return None
        regions = [r.strip() for r in value.split(",") if r.strip()]
        if not regions:
            raise ValueError("give at least one region, or `all`")
        if "all" in regions and len(regions) > 1:
            raise ValueError("`all` cannot be combined with named regions")
        return ",".join(regions)

    def ce_tag_key_list(self) -> list[str]:
        return [k.strip() for k in self.ce_tag_keys.split(",") if k.strip()]

    def region_list(self) -> list[str] | None:
        return self.regions.split(",") if self.regions else None
