"""Typed resource records: what the inventory knows about one AWS resource.

Records are the boundary between inventory (which talks to AWS) and every later stage (which
must not). They are immutable, JSON-serialisable and carry everything evaluate and plan need:
status, times, tags, size, how the resource bills, and its links to other resources.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError


def _known_kind(value: str) -> str:
    """A kind the registry declares. Read at validation time: the registry's modules import
    this one, and a kind exists by being registered (`watchdog.kinds`), nowhere else."""
    from watchdog.kinds import BY_KIND, kind_names

    if value not in BY_KIND:  # every record, step and finding is checked: a dict, not a list
        # The error pydantic gives a Literal, so messages (and the policy loader's "did you
        # mean") read the same as for any other choice.
        raise PydanticCustomError(
            "literal_error",
            "Input should be {expected}",
            {"expected": ", ".join(repr(k) for k in kind_names())},
        )
    return value


class _KindsInSchema:
    """The JSON Schema of a kind: a string, one of the registered kinds (an enum built when
    the schema is asked for, so it always matches the registry)."""

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        from watchdog.kinds import kind_names

        schema = handler(core_schema)
        schema["enum"] = list(kind_names())
        return schema


# A resource kind's name, as declared by its module in `watchdog.kinds` (the names are used
# everywhere: JSON, policies, tags, logs).
Kind = Annotated[str, AfterValidator(_known_kind), _KindsInSchema]

BillingModeName = Literal[
    "on-demand",  # instances billed by the hour while they exist
    "serverless",  # billed per request; zero when unused
    "scaled-to-zero",  # async endpoint with no instances right now
    "committed",  # paid for until a commitment expires, whatever happens
    "storage",  # only storage bills (stopped notebook volume, custom model storage)
    "none",  # nothing bills by itself (configs, models, domains)
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _utc(value: datetime | None) -> datetime | None:
    """Some AWS answers (Bedrock's custom models in moto, for one) carry no zone: they are UTC.
    Aware times everywhere keep every later comparison with `now` valid."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


AwareTime = Annotated[datetime | None, AfterValidator(_utc)]


class BillingMode(_Frozen):
    """How a resource bills right now; `committed_until` is set only for `committed`."""

    mode: BillingModeName
    committed_until: AwareTime = None

    def describe(self) -> str:
        if self.mode == "committed" and self.committed_until is not None:
            return f"committed until {self.committed_until.date().isoformat()}"
        return self.mode


ON_DEMAND = BillingMode(mode="on-demand")
NO_BILLING = BillingMode(mode="none")


class Variant(_Frozen):
    """One production (or shadow) variant of an endpoint, as the endpoint and its config
    describe it."""

    name: str
    instance_type: str | None = None
    current_instance_count: int | None = None
    serverless: bool = False
    provisioned_concurrency: int | None = None
    # Serverless memory (MemorySizeInMB): provisioned concurrency is priced per memory size.
    memory_mb: int | None = None
    # A shadow variant (ShadowProductionVariants) gets a copy of the production traffic: its
    # instances are the endpoint's cost, its requests are not the endpoint's traffic.
    shadow: bool = False


class IdleShutdown(_Frozen):
    """Studio's built-in idle shutdown (AppLifecycleManagement.IdleSettings) as configured."""

    enabled: bool | None = None  # None: not configured at this level (inherits)
    idle_timeout_minutes: int | None = None


class ResourceRecord(_Frozen):
    """One AWS resource of a watched kind, as found by the inventory."""

    kind: Kind
    arn: str
    name: str
    account: str
    region: str
    status: str | None = None
    created_at: AwareTime = None
    last_modified_at: AwareTime = None
    tags: dict[str, str] = Field(default_factory=dict)
    instance_type: str | None = None
    instance_count: int | None = None
    billing: BillingMode = NO_BILLING
    # Containment: it lives inside these (app -> user profile or space, profile -> domain).
    parent_arns: tuple[str, ...] = ()
    # References: the resource uses these (endpoint -> config, config -> models, PT -> model).
    uses_arns: tuple[str, ...] = ()
    # Filled by the inventory's link pass, the reverse of the two above.
    child_arns: tuple[str, ...] = ()
    used_by_arns: tuple[str, ...] = ()
    variants: tuple[Variant, ...] = ()
    idle_shutdown: IdleShutdown | None = None
    # Small kind-specific facts (app type, space sharing, model units...) as plain strings.
    attributes: dict[str, str] = Field(default_factory=dict)

    @property
    def shared(self) -> bool:
        """True when more than one resource uses this one (a shared config or model)."""
        return len(self.used_by_arns) > 1


class ScanError(_Frozen):
    """A failure confined to one (account, region, kind); the rest of the scan went on."""

    account: str
    region: str
    kind: Kind | Literal["*"]
    error: str
