"""Settings: one model for the CLI, the daemon and the Lambda (the WATCHDOG_* contract).

Precedence is flag > environment > default; entry points pass flags as init arguments, which
pydantic-settings ranks above the environment.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from watchdog.settings_channels import ChannelSettings

# The longest snooze, wherever it is asked for (the Snooze button's value, `snooze --days`, this
# setting): a year's pause at most, so a forgotten snooze still comes back, and far from the
# dates a datetime cannot hold (a signed button value of 10**12 days is refused, not a crash).
MAX_SNOOZE_DAYS = 365
# A channel as WATCHDOG_SLACK_CHANNELS lists it: an id, or a name (Slack's are lower-case
# letters, digits, '-' and '_', up to 80 characters; '#' optional), never a mention or markup.
_CHANNEL_NAME = re.compile(r"#?[\w.-]{1,80}")


class Settings(ChannelSettings):
    # A refused value is kept out of the error's text (a traceback in the Lambda's log): a secret
    # URL's signature must not land there. The CLI reads `errors()`, which keep it.
    model_config = SettingsConfigDict(
        env_prefix="WATCHDOG_", extra="ignore", hide_input_in_errors=True
    )

    regions: str | None = Field(
        default=None, description="comma list or `all`; unset: the session's region"
    )
    accounts: str | None = Field(
        default=None, description="`current`, `organization`, or comma list of role ARNs / ids"
    )
    member_role: str | None = Field(default=None, description="role name in member accounts")
    external_id: str | None = Field(default=None, description="ExternalId for sts:AssumeRole")
    max_workers: int = Field(default=8, ge=1, le=64, description="concurrent account x region")
    region_concurrency: int = Field(
        default=8,
        ge=1,
        le=32,
        description="calls of one service in flight at once within an account x region "
        "(the scan's per-resource reads, the metric batches)",
    )
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

    # Slack (unset: no Slack). A bot token posts and updates messages with buttons; a webhook
    # URL only posts, with links. Secrets are SecretStr so they never show up in a repr or log.
    slack_bot_token: SecretStr | None = Field(default=None, description="xoxb- bot token")
    slack_signing_secret: SecretStr | None = Field(
        default=None, description="verifies Slack's interactivity requests"
    )
    slack_app_token: SecretStr | None = Field(
        default=None, description="xapp- app-level token: the daemon receives clicks by Socket Mode"
    )
    slack_webhook_url: SecretStr | None = Field(
        default=None, description="incoming-webhook mode (no buttons; links only)"
    )
    slack_channel: str | None = Field(
        default=None, description="channel for findings whose owner names no channel"
    )
    slack_channels: str | None = Field(
        default=None,
        description="comma list of channels (ids, or names without #) an owner tag may route "
        "alerts to; any other owner's alerts go to WATCHDOG_SLACK_CHANNEL",
    )
    slack_api_url: str = Field(
        default="https://slack.com/api/", description="Slack Web API base URL (tests: local)"
    )
    slack_digest: bool = Field(
        default=False, description="one message per channel per run instead of one per finding"
    )
    slack_snooze_days: int = Field(
        default=7, ge=1, le=MAX_SNOOZE_DAYS, description="the Snooze button's days"
    )
    slack_approvers: str | None = Field(
        default=None,
        description="comma list of Slack user IDs (U...) or user group IDs (S...) who may "
        "approve; unset: anyone in the channel",
    )
    link_secret: SecretStr | None = Field(
        default=None, description="HMAC key for approval links (at least 32 bytes)"
    )
    public_url: str | None = Field(
        default=None, description="base URL approval links are built on (the daemon or Lambda)"
    )
    link_hours: float = Field(default=24, gt=0, description="how long an approval link is valid")

    # The daemon (`ai-watchdog daemon`).
    daemon_schedule: str = Field(
        default="every 1h",
        description="`every <duration>` (e.g. every 15m) or a five-field cron expression",
    )
    daemon_timezone: str = Field(default="UTC", description="timezone for a cron schedule")
    parking_minutes: float = Field(
        default=15,
        gt=0,
        description="the daemon runs park schedules' parks and resumes this often, between cycles",
    )
    daemon_host: str = Field(default="127.0.0.1", description="HTTP server address")
    daemon_port: int = Field(default=8080, ge=0, le=65535, description="HTTP port; 0: any free")
    daemon_lock_minutes: float = Field(
        default=15,
        gt=0,
        description="a cycle holds the store's lock this long and ends before it runs out",
    )
    daemon_max_failed_cycles: int = Field(
        default=3, ge=1, description="/healthz answers 503 after this many failed cycles in a row"
    )
    daemon_run_on_start: bool = Field(default=True, description="run a cycle when it starts")
    # What one HTTP client may hold: Slack's clicks and the approval form are small and quick, so
    # a connection idle this long, or still sending its request after it, is closed.
    daemon_http_timeout: int = Field(
        default=10,
        ge=1,
        le=600,
        description="seconds a client may stay idle, or take to send a request, before the "
        "daemon closes its connection",
    )
    daemon_max_connections: int = Field(
        default=500,
        ge=8,
        le=50_000,
        description="open HTTP connections at most; more wait in the listen backlog",
    )

    # Policies and caches.
    policies: str | None = Field(
        default=None, description="policy directory; unset: the shipped policies/ directory"
    )
    cache_dir: str | None = Field(
        default=None,
        description=(
            "price, Cost Explorer and endpoint config cache; unset: the user's cache dir "
            "(the Lambda: its store, or /tmp without one)"
        ),
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
        # A region named twice would be scanned twice and its findings reported twice.
        regions = list(dict.fromkeys(r.strip() for r in value.split(",") if r.strip()))
        if not regions:
            raise ValueError("give at least one region, or `all`")
        if "all" in regions and len(regions) > 1:
            raise ValueError("`all` cannot be combined with named regions")
        return ",".join(regions)

    @field_validator("accounts")
    @classmethod
    def _accounts_once_each(cls, value: str | None) -> str | None:
        """An account named twice is entered and scanned once (first mention's order kept)."""
        if value is None:
            return None
        return ",".join(dict.fromkeys(a.strip() for a in value.split(",") if a.strip()))

    @field_validator("slack_approvers")
    @classmethod
    def _approver_ids(cls, value: str | None) -> str | None:
        """Slack ids only (U/W users, S user groups): a name or an email would never match
        anyone, and the allowlist would silently refuse every approver."""
        for entry in (e.strip() for e in (value or "").split(",")):
            if entry and not re.fullmatch(r"[UWS][A-Z0-9]{2,}", entry):
                raise ValueError(f"{entry!r} is not a Slack user (U..., W...) or group (S...) id")
        return value

    @field_validator("slack_channels")
    @classmethod
    def _channels_written_well(cls, value: str | None) -> str | None:
        """Channel ids or names, nothing else: an email, a user id's mention or markup in this
        list is a mistake that would otherwise only show as alerts never routed."""
        if value is None:
            return None
        for name in (n.strip() for n in value.split(",")):
            if name and not _CHANNEL_NAME.fullmatch(name):
                raise ValueError(
                    f"{name!r} is not a channel: give channel ids (C0123ABCD) or names "
                    "(ml-team), comma-separated"
                )
        return value

    @field_validator("slack_api_url", "public_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"must be an http(s) URL, not {value!r}")
        return value

    def slack_channel_set(self) -> frozenset[str]:
        names = (self.slack_channels or "").split(",")
        return frozenset(n.strip().removeprefix("#") for n in names if n.strip())

    def ce_tag_key_list(self) -> list[str]:
        return [k.strip() for k in self.ce_tag_keys.split(",") if k.strip()]

    def region_list(self) -> list[str] | None:
        return self.regions.split(",") if self.regions else None
