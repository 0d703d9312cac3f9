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

    def region_list(self) -> list[str] | None:
        return self.regions.split(",") if self.regions else None
