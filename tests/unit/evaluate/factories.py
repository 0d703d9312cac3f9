"""Small builders for records and signals, so evaluate/plan tests read like the situation."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from typing import Any

from watchdog.inventory.link import link
from watchdog.records import BillingMode, IdleShutdown, ResourceRecord, Variant
from watchdog.signals.models import (
    Datapoint,
    MetricSeries,
    MetricSignals,
    MetricWindow,
    Price,
    PriceKey,
    PriceSignals,
    Signals,
    price_key_id,
)

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
ACCOUNT = "111122223333"
REGION = "us-east-1"
WINDOW = MetricWindow(start=NOW - timedelta(days=14), end=NOW, period_seconds=3600)


def arn(resource: str, service: str = "sagemaker") -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{resource}"


def record(kind: Any, name: str, resource: str, **fields: Any) -> ResourceRecord:
    service = "bedrock" if kind.startswith("bedrock") else "sagemaker"
    fields.setdefault("created_at", NOW - timedelta(days=30))
    return ResourceRecord(
        kind=kind,
        arn=arn(resource, service),
        name=name,
        account=ACCOUNT,
        region=REGION,
        **fields,
    )


def endpoint(
    name: str = "llm",
    *,
    instance_type: str = "ml.g5.xlarge",
    count: int = 1,
    variants: tuple[str, ...] = ("AllTraffic",),
    serverless: bool = False,
    config: str | None = None,
    age_days: float = 30,
    **fields: Any,
) -> ResourceRecord:
    fields.setdefault("status", "InService")
    billing = BillingMode(mode="serverless") if serverless else BillingMode(mode="on-demand")
    return record(
        "sagemaker-endpoint",
        name,
        f"endpoint/{name}",
        created_at=NOW - timedelta(days=age_days),
        instance_type=None if serverless else instance_type,
        instance_count=0 if serverless else count * len(variants),
        billing=billing,
        variants=tuple(
            Variant(
                name=v,
                instance_type=None if serverless else instance_type,
                current_instance_count=None if serverless else count,
                serverless=serverless,
            )
            for v in variants
        ),
        uses_arns=(arn(f"endpoint-config/{config or name + '-config'}"),),
        attributes={"endpoint_config_name": config or f"{name}-config"},
        **fields,
    )


def endpoint_config(name: str, models: tuple[str, ...]) -> ResourceRecord:
    return record(
        "sagemaker-endpoint-config",
        name,
        f"endpoint-config/{name}",
        uses_arns=tuple(arn(f"model/{m}") for m in models),
    )


def model(name: str) -> ResourceRecord:
    return record("sagemaker-model", name, f"model/{name}")


@functools.cache  # immutable points; the property tests draw the same histories thousands of times
def hourly(value: float, days: float = 14, end: datetime = NOW) -> tuple[Datapoint, ...]:
    hours = int(days * 24)
    return tuple(Datapoint(at=end - timedelta(hours=h), value=value) for h in range(hours, 0, -1))


def series(
    rec: ResourceRecord,
    role: Any,
    points: tuple[Datapoint, ...] = (),
    *,
    metric: str | None = None,
    error: str | None = None,
    label: str = "invocations",
) -> MetricSeries:
    from watchdog.signals.models import MetricQuery

    return MetricSeries(
        query=MetricQuery(
            resource_arn=rec.arn,
            role=role,
            namespace="AWS/SageMaker" if role == "traffic" else "/aws/sagemaker/Endpoints",
            metric=metric or ("Invocations" if role == "traffic" else "CPUUtilization"),
            stat="Sum" if role == "traffic" else "Average",
            dimensions=(("EndpointName", rec.name),),
            label=label,
        ),
        points=points,
        error=error,
    )


def metrics(*all_series: MetricSeries) -> MetricSignals:
    grouped: dict[str, tuple[MetricSeries, ...]] = {}
    for s in all_series:
        key = s.query.resource_arn.lower()
        grouped[key] = (*grouped.get(key, ()), s)
    return MetricSignals(window=WINDOW, series=grouped, queries=len(all_series))


def idle_signals(rec: ResourceRecord) -> list[MetricSeries]:
    """No Invocations datapoints at all (what AWS shows) but instance metrics present."""
    return [series(rec, "traffic"), series(rec, "load", hourly(3.0))]


def busy_signals(rec: ResourceRecord) -> list[MetricSeries]:
    return [series(rec, "traffic", hourly(120.0)), series(rec, "load", hourly(60.0))]


PRICES = {
    ("hosting", "ml.g5.xlarge"): 1.408,
    ("hosting", "ml.m5.xlarge"): 0.23,
    ("notebook", "ml.t3.medium"): 0.05,
    ("studio-jupyterlab", "ml.t3.medium"): 0.05,
}


def prices(basis: Any = "price-list") -> PriceSignals:
    table = {}
    for (component, unit), usd in PRICES.items():
        key = PriceKey(component=component, region=REGION, unit=unit)
        table[price_key_id(key)] = Price(key=key, usd_per_hour=usd, basis=basis, source="test")
    return PriceSignals(prices=table)


def signals(*all_series: MetricSeries, **fields: Any) -> Signals:
    fields.setdefault("prices", prices())
    return Signals(metrics=metrics(*all_series), **fields)


def linked(*records: ResourceRecord) -> list[ResourceRecord]:
    return link(list(records))


def studio_domain(idle_enabled: bool | None = False) -> list[ResourceRecord]:
    """A domain with a user profile (one app, one private space with an app) and a shared
    space with an app."""
    d = "d-abc123"
    domain = record(
        "sagemaker-domain",
        "research",
        f"domain/{d}",
        status="InService",
        idle_shutdown=None if idle_enabled is None else IdleShutdown(enabled=idle_enabled),
        attributes={"domain_id": d, "home_efs_file_system_id": "fs-0123"},
    )
    profile = record(
        "sagemaker-user-profile",
        "alice",
        f"user-profile/{d}/alice",
        status="InService",
        parent_arns=(domain.arn,),
        attributes={"domain_id": d},
    )
    private = record(
        "sagemaker-space",
        "alice-space",
        f"space/{d}/alice-space",
        status="InService",
        parent_arns=(domain.arn, profile.arn),
        attributes={"domain_id": d},
    )
    shared = record(
        "sagemaker-space",
        "team-space",
        f"space/{d}/team-space",
        status="InService",
        parent_arns=(domain.arn,),
        attributes={"domain_id": d},
    )

    def app(owner: ResourceRecord, name: str, status: str = "InService") -> ResourceRecord:
        return record(
            "sagemaker-app",
            name,
            f"app/{d}/{owner.name}/jupyterlab/{name}",
            status=status,
            instance_type="ml.t3.medium",
            instance_count=1 if status == "InService" else 0,
            billing=BillingMode(mode="on-demand" if status == "InService" else "none"),
            parent_arns=(owner.arn,),
            attributes={"app_type": "JupyterLab", "domain_id": d},
        )

    return [
        domain,
        profile,
        private,
        shared,
        app(profile, "alice-default"),
        app(private, "alice-lab"),
        app(shared, "team-lab"),
        app(shared, "old-lab", status="Failed"),
    ]
