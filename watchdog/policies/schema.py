"""The policy schema: one pydantic model that validates YAML files and documents itself.

A policy names resource kinds, conditions that must all hold, exemptions, the action, how it is
approved, when actions may run and who owns the resource. The JSON Schema that editors use for
completion is generated from these models (`ai-watchdog policies schema`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import time, timedelta
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    field_validator,
    model_validator,
)

from watchdog.policies.cron import parse_cron
from watchdog.records import BillingModeName, Kind

_DURATION = re.compile(r"^\s*(\d+)\s*(m|h|d|w)\s*$")
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: object) -> timedelta:
    """'30m', '12h', '7d', '2w' (or a timedelta) as a timedelta. A bare number is refused: in
    a policy file `older_than: 30` would silently mean seconds to one reader, days to another."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            return timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2)])
    raise ValueError("expected a duration such as '30m', '12h', '7d' or '2w'")


def format_duration(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    for unit in ("d", "h", "m"):
        if seconds and seconds % _UNIT_SECONDS[unit] == 0:
            return f"{seconds // _UNIT_SECONDS[unit]}{unit}"
    return f"{seconds // 60}m"


Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str, when_used="json"),
    Field(json_schema_extra={"type": "string", "pattern": _DURATION.pattern}),
]

Action = Literal["notify", "stop", "delete", "park"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ALL_DAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# CloudWatch keeps hourly data 63 days: no idle window may reach further back.
LONGEST_IDLE_WINDOW = timedelta(days=63)


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class IdleCondition(_Strict):
    """Idle: at most `threshold` requests in the last `window` (CloudWatch `Invocations`).

    `metric: inactivity` judges only resources whose service publishes how long their user has
    been inactive (SageMaker Canvas's TimeSinceLastActive): idle once inactive for `window`;
    a resource of the listed kinds without such a metric (a JupyterLab app) does not match.
    """

    metric: Literal["invocations", "inactivity"] = Field(
        default="invocations",
        description="invocations: requests served; inactivity: the service's own measure of "
        "how long its user has been inactive (only resources that publish one match)",
    )
    window: Duration = timedelta(days=7)
    threshold: float = Field(default=0, ge=0)

    # A field validator (not a model one) so an error names `window`, and its YAML line.
    @field_validator("window")
    @classmethod
    def _window_bounds(cls, window: timedelta) -> timedelta:
        if not timedelta(hours=1) <= window <= LONGEST_IDLE_WINDOW:
            raise ValueError("window must be between 1h and 63d (CloudWatch keeps hourly data 63d)")
        return window


class OverBudget(_Strict):
    """Over budget: the spend of resources carrying `tag` (per tag value) exceeds the budget."""

    tag: str = Field(min_length=1, description="cost-allocation tag key, e.g. team")
    monthly_budget_usd: float = Field(gt=0)
    measure: Literal["month-to-date", "forecast"] = "forecast"
    # Per-value budgets override the default, e.g. {genai: 5000}.
    budgets: dict[str, float] = Field(default_factory=dict)


class Conditions(_Strict):
    """All given conditions must hold for a resource to match. At least one is required."""

    idle: IdleCondition | None = None
    older_than: Duration | None = Field(default=None, description="time since creation")
    running_longer_than: Duration | None = Field(
        default=None, description="time in its current running state (notebooks, apps)"
    )
    status: list[str] | None = Field(default=None, description="e.g. [Failed] or [Stopped]")
    billing: list[BillingModeName] | None = Field(
        default=None, description="how it bills now, e.g. [storage] for a stopped notebook"
    )
    idle_shutdown: Literal["disabled"] | None = Field(
        default=None, description="Studio idle shutdown off (or never set) for JupyterLab"
    )
    over_budget: OverBudget | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> Conditions:
        if not any(getattr(self, name) is not None for name in type(self).model_fields):
            raise ValueError("a policy needs at least one condition")
        return self


class Exemptions(_Strict):
    """Tags that exempt a resource. Exempt resources are never stopped or deleted."""

    tag: str = "watchdog:exempt"
    value: str = "true"
    expires_tag: str = Field(default="watchdog:expires", description="ISO date; exempt until then")


# AWS's own limit on a tag value (a key's, 1 to 128 characters, is checked with its name).
TagValue = Annotated[str, StringConstraints(max_length=256)]


class Approval(_Strict):
    """`required`: a person approves each stop/delete. `automatic`: it runs once the finding has
    stood for `grace` (owners are told first), unless the evidence is unknown."""

    mode: Literal["required", "automatic"] = "required"
    grace: Duration = timedelta(hours=24)
    # With action park: a resource its owner tagged into the schedule (every pair here) is
    # approved by that tag, at once; the policy's mode holds for the others. At least one pair:
    # an empty one would read as "every resource consents".
    automatic_when_tagged: dict[str, TagValue] | None = Field(
        default=None,
        min_length=1,
        description="with action park: tags (all of them) that approve a resource's parking, "
        "e.g. {watchdog:schedule: office-hours}",
    )

    # A field validator (not key constraints) so an error names the key, on its field's line.
    @field_validator("automatic_when_tagged")
    @classmethod
    def _owners_tags(cls, tags: dict[str, str] | None) -> dict[str, str] | None:
        for key in tags or {}:
            if not 1 <= len(key) <= 128:
                raise ValueError(f"tag key {key!r}: AWS tag keys have 1 to 128 characters")
            if key.lower().startswith("aws:"):
                # AWS sets these itself (a CloudFormation stack's name): no owner's consent.
                raise ValueError(f"tag key {key!r}: aws: tags are set by AWS, not by an owner")
        return tags

    def consent(self, tags: Mapping[str, str]) -> str | None:
        """The tag pairs that approve parking these tags' resource ("k=v,k2=v2"), or None."""
        wanted = self.automatic_when_tagged
        if not wanted or any(tags.get(key) != value for key, value in wanted.items()):
            return None
        return self.consent_pairs()

    def consent_pairs(self) -> str | None:
        """automatic_when_tagged as approvers name it: "k=v,k2=v2", sorted (None: unset)."""
        wanted = self.automatic_when_tagged or {}
        return ",".join(f"{key}={value}" for key, value in sorted(wanted.items())) or None


def known_timezone(timezone: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown timezone {timezone!r}") from error
    return timezone


class ActionWindow(_Strict):
    """When stop/delete steps may run: on these days, between `start` and `end` (may wrap
    midnight), in `timezone`."""

    timezone: str = "UTC"
    days: list[Weekday] = Field(default_factory=lambda: list(ALL_DAYS))
    start: time = time(0, 0)
    end: time = time(23, 59, 59)

    # A field validator (not a model one) so an error names `timezone`, and its YAML line.
    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, timezone: str) -> str:
        return known_timezone(timezone)


CronExpression = Annotated[
    str,
    AfterValidator(parse_cron),
    Field(description="five-field cron: minute hour day-of-month month day-of-week"),
]


def _cron_or_on_demand(text: str) -> str:
    return text if text == "on-demand" else parse_cron(text)


TimezoneName = Annotated[
    str, AfterValidator(known_timezone), Field(description="IANA name, e.g. Europe/Paris")
]


class ParkSchedule(_Strict):
    """Office hours: park at `at`, bring back at `resume` (or when a person asks), both read in
    `timezone`. Each parking is one occurrence: parked once, resumed once."""

    at: CronExpression = Field(description="when to park, e.g. '0 20 * * mon-fri'")
    resume: Annotated[str, AfterValidator(_cron_or_on_demand)] = Field(
        description="when to bring it back, e.g. '0 8 * * mon-fri', or on-demand"
    )
    timezone: TimezoneName = "UTC"


class Owner(_Strict):
    """Who hears about a finding: the first of these tags present on the resource, else the
    default (a Slack channel such as '#finops', a Slack user ID or an email)."""

    tags: list[str] = Field(default_factory=lambda: ["owner", "slack-channel"])
    default: str | None = None


# Where an escalation may go: an email address, a Slack channel ("#name", C.../G... id), a
# Slack user (U.../W...) or user group (S...). A policy is written by whoever runs the
# watchdog, not by whoever can tag a resource, so it may name any channel.
_ESCALATION_TARGET = re.compile(
    r"^([^@\s]+@[^@\s]+\.[^@\s]+|#[a-z0-9][a-z0-9._-]{0,79}|[CGSUW][A-Z0-9]{6,})$"
)


class Reminders(_Strict):
    """What happens to a finding nobody answers: its owner is reminded after `remind_after`,
    and after `escalate_after` it goes to `escalate_to` as well, on every channel. Nothing is
    stopped or deleted because nobody answered: only approval.mode automatic does that."""

    remind_after: Duration | None = Field(default=None, description="e.g. 3d")
    escalate_after: Duration | None = Field(default=None, description="e.g. 7d")
    escalate_to: list[str] = Field(
        default_factory=list,
        description="email addresses, Slack channels (#name or C... id), users (U...) or "
        "user groups (S...)",
    )

    @field_validator("escalate_to")
    @classmethod
    def _targets(cls, targets: list[str]) -> list[str]:
        for target in targets:
            if not _ESCALATION_TARGET.match(target):
                raise ValueError(
                    f"{target!r} is not an email address, a Slack channel (#name or C... id), "
                    "user (U...) or user group (S...)"
                )
        return targets

    @model_validator(mode="after")
    def _escalation_is_whole(self) -> Reminders:
        if self.escalate_after is not None and not self.escalate_to:
            raise ValueError("escalate_after needs escalate_to: whom to escalate to")
        if self.escalate_to and self.escalate_after is None:
            raise ValueError("escalate_to needs escalate_after: when to escalate")
        if (
            self.remind_after is not None
            and self.escalate_after is not None
            and self.escalate_after <= self.remind_after
        ):
            raise ValueError("escalate_after must come after remind_after")
        return self


class Policy(_Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$", description="unique, kebab-case")
    description: str = ""
    enabled: bool = True
    resource: list[Kind] = Field(min_length=1, description="resource kinds it applies to")
    conditions: Conditions
    action: Action = "notify"
    park: ParkSchedule | None = Field(default=None, description="with action park: when")
    park_when_idle: Duration | None = Field(
        default=None,
        description="with action park: park once idle this long (1h to 63d), back on demand; "
        "beside a park: schedule, also between its parks, back at its resume",
    )
    approval: Approval = Field(default_factory=Approval)
    action_window: ActionWindow | None = None
    exemptions: Exemptions = Field(default_factory=Exemptions)
    owner: Owner = Field(default_factory=Owner)
    reminders: Reminders | None = None

    @field_validator("park_when_idle")
    @classmethod
    def _idle_bounds(cls, idle_for: timedelta | None) -> timedelta | None:
        return None if idle_for is None else IdleCondition._window_bounds(idle_for)

    @property
    def idle_rule_beside_schedule(self) -> bool:
        """Both a schedule and park_when_idle: the idle condition parks, it does not match."""
        return self.park is not None and self.park_when_idle is not None

    @model_validator(mode="after")
    def _park_has_its_schedule(self) -> Policy:
        if self.action == "park" and self.park is None and self.park_when_idle is None:
            raise ValueError(
                "action park needs its schedule: park: {at, resume, timezone}, or "
                "park_when_idle: 2h"
            )
        if self.action != "park" and (self.park or self.park_when_idle) is not None:
            field = "park" if self.park is not None else "park_when_idle"
            raise ValueError(f"{field}: belongs to action park, not to {self.action}")
        if self.park_when_idle is not None:
            self._idle_for_parking(self.park_when_idle)
        if self.approval.automatic_when_tagged is not None and self.action != "park":
            raise ValueError(
                "approval.automatic_when_tagged approves parking only: a tag never approves "
                f"a {self.action}"
            )
        return self

    def _idle_for_parking(self, idle_for: timedelta) -> None:
        """park_when_idle is the policy's idle condition: its window, as every stage reads it
        (the signals' lookback, the evaluation, the loader's checks). Beside a schedule it does
        not choose the resources (the schedule parks them idle or not): evaluate reads it as
        whether each is idle enough to park between the schedule's parks."""
        idle = self.conditions.idle
        if idle is not None and idle.window != idle_for:
            raise ValueError(
                "park_when_idle sets the idle window: conditions.idle.window must match it, "
                "or be left out"
            )
        window = idle if idle is not None else IdleCondition(window=idle_for)
        # Frozen model: set once, during its own validation.
        object.__setattr__(self, "conditions", self.conditions.model_copy(update={"idle": window}))


class PolicyFile(_Strict):
    """One YAML file: a list of policies under `policies:`."""

    policies: list[Policy] = Field(min_length=1)
