"""What the signals stage hands to evaluate: metric series, prices and Cost Explorer figures.

Signals are facts with their provenance; nothing here decides anything. Evaluate (pure) reads
these models and the resource records, so everything it needs is in them, including what failed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

HOURS_PER_MONTH = 730  # AWS's own convention for monthly estimates (8,760 h / 12)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- metrics -------------------------------------------------------------------------------

# traffic: requests served (absent datapoints mean zero, if the query is right);
# load: instance metrics that exist whenever instances run, the proof that metrics flow;
# utilization: how busy it is (a percentage, bytes), idle while every datapoint in the window
# is at most the query's `idle_below` (for kinds with no request count, such as instances);
# inactivity: how long, in seconds, since its user was last active, as the service itself
# measures it (SageMaker Canvas's TimeSinceLastActive): idle once that reaches the window.
MetricRole = Literal["traffic", "load", "utilization", "inactivity"]


class MetricQuery(_Frozen):
    """One CloudWatch series a kind wants for one resource. Dimensions are in the order AWS
    emits them (moto, like CloudWatch's exact-match semantics, needs the exact set)."""

    resource_arn: str
    role: MetricRole
    namespace: str
    metric: str
    stat: Literal["Sum", "Average", "Minimum", "Maximum", "SampleCount"] = "Sum"
    dimensions: tuple[tuple[str, str], ...]
    # Which part of the resource the series covers (a production variant name), for reasons.
    part: str | None = None
    # What a traffic series counts, in a person's words ("invocations", "requests processed").
    label: str = "invocations"
    # Utilization series: the value (of `stat`, per datapoint) at or under which it is idle.
    idle_below: float | None = None
    # Utilization series that only hint at use (CPU and network on a GPU instance): read only
    # when no strong series has data, and a finding resting on them is never "high" confidence.
    weak: bool = False


class Datapoint(NamedTuple):
    """One period's value. A named tuple rather than a model: a 500-query GetMetricData answer
    holds 84,000 of them, and building them as models cost 0.4 s of CPU a call (py-spy on
    bench/plan.py); nothing serializes a series, and the fetch makes these from typed data."""

    at: datetime
    value: float


class MetricSeries(_Frozen):
    """The answer to one MetricQuery over the fetched window, oldest point first.

    `error` set means the series is unknown (the query or its call failed), which is not the
    same as an empty series (no datapoints: for traffic, no requests).
    """

    query: MetricQuery
    points: tuple[Datapoint, ...] = ()
    error: str | None = None


class MetricWindow(_Frozen):
    start: datetime
    end: datetime
    period_seconds: int


class MetricIdentity(_Frozen):
    """The series a resource's traffic would appear under, for asking CloudWatch whether
    any was ever published (ListMetrics), where no load metric proves that metrics flow."""

    resource_arn: str
    namespace: str
    metric: str
    dimension: str
    value: str


class QuietReading(_Frozen):
    """A resource's last full reading, which still holds: fetched at `read_at`, and CloudWatch
    has listed nothing published to its traffic series since (signals/quiet.py). Its newest
    traffic datapoint above zero and newest load datapoint, floored to this run's period
    (`traffic_at` None: none in that reading; `load_at` None: its kind has no load series, for
    a reading with load series and no load datapoint is never held)."""

    read_at: datetime
    traffic_at: datetime | None
    load_at: datetime | None


class MetricSignals(_Frozen):
    """Every series fetched in one run, by resource ARN (lower-cased)."""

    window: MetricWindow | None = None
    series: dict[str, tuple[MetricSeries, ...]] = Field(default_factory=dict)
    get_metric_data_calls: int = 0
    queries: int = 0
    # By lower-cased ARN, for resources whose kind declares a MetricIdentity: whether CloudWatch
    # lists that series (it lists those with data in the last two weeks). Absent: not asked,
    # or the ListMetrics call failed.
    published: dict[str, bool] = Field(default_factory=dict)
    list_metrics_calls: int = 0
    # Resources not queried because an earlier run proved them in use (signals/memory.py):
    # lower-cased ARN -> the moment since which their series show traffic (and load), floored
    # to this window's period. Evaluate reads them as those series would read: active for any
    # window reaching back to it. `queries_skipped` is how many queries that spared.
    active_at: dict[str, datetime] = Field(default_factory=dict)
    # Resources not queried because their last reading still holds (signals/quiet.py), by
    # lower-cased ARN. Evaluate reads them as those series would read this run.
    quiet: dict[str, QuietReading] = Field(default_factory=dict)
    queries_skipped: int = 0

    def for_resource(self, arn: str) -> tuple[MetricSeries, ...]:
        return self.series.get(arn.lower(), ())


# --- prices --------------------------------------------------------------------------------

# A kind of billed unit (endpoint instance hours...). Which components exist, and how the AWS
# Price List names each, is declared by the kind modules (`KindSpec.price_components`).
PriceComponent = str
PriceBasis = Literal["price-list", "fallback"]


class PriceKey(_Frozen):
    """What one billed unit is: a component, a region and a unit (an instance type, a memory
    size, a base model id: what the component's declaration says)."""

    component: PriceComponent
    region: str
    unit: str
    # The purchase term the price is for, in a person's words ("6-month commitment"); None:
    # the plain hourly price. Only components whose price depends on a term set it.
    term: str | None = None


class PriceUnits(_Frozen):
    """A resource bills `count` of `key` per hour (instances, model units)."""

    key: PriceKey
    count: float


class Price(_Frozen):
    key: PriceKey
    usd_per_hour: float
    basis: PriceBasis
    # Where the figure came from, for people: "AWS Price List API (publication 2025-01-01)",
    # "shipped fallback table (snapshot 2025-06)".
    source: str


class PriceSignals(_Frozen):
    prices: dict[str, Price] = Field(default_factory=dict)  # by price_key_id(key)
    # Why some keys have no price (Pricing API unreachable and not in the fallback table...).
    errors: tuple[str, ...] = ()
    pricing_calls: int = 0

    def get(self, key: PriceKey) -> Price | None:
        return self.prices.get(price_key_id(key))


def price_key_id(key: PriceKey) -> str:
    """The key as the cache and the fallback table spell it; not for people (price_key_words)."""
    base = f"{key.component}|{key.region}|{key.unit}"
    return base if key.term is None else f"{base}|{key.term}"


PriceFilters = list[dict[str, str]]


@dataclass(frozen=True)
class FallbackPrice:
    """A price shipped with the watchdog for one unit of a component, used only when the Price
    List cannot be reached, and always labelled so. Each says where its figure comes from."""

    region: str
    unit: str
    usd_per_hour: float
    source: str  # where the figure comes from, or how it was derived
    as_of: str  # when it was recorded, an ISO date
    term: str | None = None


@dataclass(frozen=True)
class PriceComponentSpec:
    """How one price component is found in the AWS Price List, declared by the kind that
    bills it (`KindSpec.price_components`); the signals stage only reads these.

    `filters` gives the GetProducts filters for a key, or None when the Price List has no known
    name for it (the key is then unknown, never guessed). `accepts` narrows the products those
    filters return, by their attributes (a commitment term the filters cannot express).
    """

    name: str
    # The component's units for people, with "{unit}" where the key's unit goes:
    # "{unit} endpoint instances".
    words: str
    service_code: str
    filters: Callable[[PriceKey], PriceFilters | None]
    # Prices per second (serverless), read as hourly ones (x 3,600).
    per_second: bool = False
    accepts: Callable[[PriceKey, Mapping[str, str]], bool] | None = None
    # What it costs when the Price List cannot be reached, for the units a source was found
    # for; any other key is then unknown, never guessed.
    fallback: tuple[FallbackPrice, ...] = ()
    # Price units its products spell an hour with, beyond "Hrs"/"hours"/"hour" (lower case):
    # a dimension in any other unit is not an hourly price and is skipped.
    hourly_units: frozenset[str] = frozenset()


def price_key_words(key: PriceKey, spec: PriceComponentSpec | None) -> str:
    """The key for people: "ml.p3.2xlarge notebooks in us-east-1"."""
    words = (spec.words if spec is not None else "{unit} " + key.component).format(unit=key.unit)
    term = "" if key.term is None else f", {key.term}"
    return f"{words}{term} in {key.region}"


def component_words(spec: PriceComponentSpec) -> str:
    """A component for people, without a unit: "Studio KernelGateway apps"."""
    return spec.words.replace("{unit} ", "").replace(" for {unit}", "")


# --- Cost Explorer -------------------------------------------------------------------------


class Spend(_Frozen):
    """Unblended cost in USD for the current month: so far, and forecast for the whole month."""

    month_to_date: float
    forecast: float | None = None


class CostSignals(_Frozen):
    """Cost Explorer figures for the payer view the watchdog runs in, possibly from cache."""

    fetched_at: datetime
    month_start: date
    # By Cost Explorer SERVICE dimension value: "Amazon SageMaker", "Amazon Bedrock".
    by_service: dict[str, Spend] = Field(default_factory=dict)
    # By cost-allocation tag key, then tag value ("" is the untagged bucket).
    by_tag: dict[str, dict[str, Spend]] = Field(default_factory=dict)
    # Opt-in (GetCostAndUsageWithResources): ARN (lower-cased) -> USD per month, extrapolated
    # from the last days Cost Explorer has (it covers 14 days at most).
    by_resource: dict[str, float] = Field(default_factory=dict)
    from_cache: bool = False
    requests_made: int = 0  # Cost Explorer requests this run (each costs $0.01)


class Signals(_Frozen):
    """Everything evaluate needs besides the records, policies and the time."""

    metrics: MetricSignals = Field(default_factory=MetricSignals)
    prices: PriceSignals = Field(default_factory=PriceSignals)
    costs: CostSignals | None = None  # None: Cost Explorer off or unavailable
    # Human-readable notes on what degraded ("Cost Explorer unavailable: ...; using prices").
    notes: tuple[str, ...] = ()
