"""sagemaker-endpoint: real-time, serverless and asynchronous inference endpoints.

Listed with SageMaker `Search` (Resource="Endpoint"): one page holds up to 100 endpoints with
their production variants (current instance counts, serverless config) and tags, where
`ListEndpoints` + `DescribeEndpoint` would cost a call per endpoint. Instance types live only in
the endpoint config, described once per config however many endpoints share it, and kept
between scans (configs never change): a steady run describes only the configs new since the last.

Shadow variants (`ShadowProductionVariants` in Search, DescribeEndpoint and the config) run their
own instances on a copy of the production traffic (API_CreateEndpointConfig): their instances are
counted and priced as the endpoint's, but their requests and CPU are not the endpoint's traffic
or its proof that metrics flow. Serverless variants with provisioned concurrency bill memory x
concurrency x hours while idle ("Deploy models with Amazon SageMaker Serverless Inference").
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from functools import partial
from typing import Any

from watchdog.kinds._calls import LIST_PAGE_SIZE, description_or_gone
from watchdog.kinds._component_endpoint_parking import INSTANCE_MINIMUM
from watchdog.kinds._endpoint_parking import parking
from watchdog.kinds._fields import tag_dict
from watchdog.kinds._prices import recorded, sagemaker_instances
from watchdog.kinds._serverless_prices import PROVISIONED_CONCURRENCY_PRICES, memory_unit
from watchdog.kinds.base import (
    CannotRestore,
    KindPermissions,
    KindSpec,
    Operation,
    Recreate,
    Restore,
    ScanContext,
    Teardown,
    Uses,
)
from watchdog.records import ON_DEMAND, BillingMode, Kind, ResourceRecord, Variant
from watchdog.signals.models import MetricQuery, PriceKey, PriceUnits

KIND: Kind = "sagemaker-endpoint"
PAGE_SIZE = 100  # Search's maximum
TRAFFIC_NAMESPACE = "AWS/SageMaker"
INSTANCE_NAMESPACE = "/aws/sagemaker/Endpoints"
REAL_TIME, ASYNCHRONOUS = "real-time", "asynchronous"


# What the kinds read of a config's description, and all a later scan keeps of it.
CONFIG_FIELDS = (
    "EndpointConfigName",
    "EndpointConfigArn",
    "ProductionVariants",
    "ShadowProductionVariants",
    "AsyncInferenceConfig",
)


def describe_config(ctx: ScanContext, config_name: str) -> dict[str, Any]:
    """DescribeEndpointConfig's fields the kinds read, once per config per scan (configs are
    often shared), and not at all when an earlier scan kept this very config's description.

    A config never changes (there is no UpdateEndpointConfig), and one deleted and created
    again under its name has another CreationTime: a kept description is used when
    ListEndpointConfigs (called anyway, by the config kind) lists the name with the
    CreationTime it was kept with. A name never kept is described at once, without waiting
    for that listing."""
    key = ("sagemaker:DescribeEndpointConfig", config_name)

    def fetch() -> dict[str, Any]:
        kept = ctx.recall(key)
        listed = listed_configs(ctx).get(config_name) if kept is not None else None
        if kept is not None and listed is not None and kept[0] == _created(listed):
            version, config = kept
        else:
            answer = ctx.client("sagemaker").describe_endpoint_config(
                EndpointConfigName=config_name
            )
            version = _created(answer)
            config = {field: answer[field] for field in CONFIG_FIELDS if field in answer}
        ctx.keep(key, version, config)
        return dict(config)

    return ctx.memo(key, fetch)


def listed_configs(ctx: ScanContext) -> dict[str, dict[str, Any]]:
    """ListEndpointConfigs' summaries by name, in the order it lists them: one paginated
    pass per scan, shared by the config kind and the kept descriptions' check."""

    def fetch() -> dict[str, dict[str, Any]]:
        pages = ctx.paginate("sagemaker", "ListEndpointConfigs", MaxResults=LIST_PAGE_SIZE)
        return {
            summary["EndpointConfigName"]: summary
            for page in pages
            for summary in page.get("EndpointConfigs", [])
        }

    return ctx.memo(("sagemaker:ListEndpointConfigs",), fetch)


def _created(summary_or_description: dict[str, Any]) -> str:
    """The CreationTime to the second: the listing and the description both give it, and
    nothing documents they give it to the same fraction of a second. A config created again
    under its name within the same second is the one case this cannot tell apart."""
    created: datetime = summary_or_description["CreationTime"]
    return created.replace(microsecond=0).isoformat()


def _named_config(ctx: ScanContext, config_name: str) -> tuple[str, dict[str, Any]]:
    return config_name, describe_config(ctx, config_name)


def collect(ctx: ScanContext) -> list[ResourceRecord]:
    endpoints: list[dict[str, Any]] = []

    def config_names() -> Iterator[str]:
        """Each config once, as Search's pages arrive: the first page's describes run while
        the next is fetched (ten pages for 1,000 endpoints, half a second of wire at 50 ms)."""
        seen: set[str] = set()
        for page in ctx.paginate("sagemaker", "Search", Resource="Endpoint", MaxResults=PAGE_SIZE):
            for result in page.get("Results", []):
                endpoints.append(result["Endpoint"])
                name = result["Endpoint"]["EndpointConfigName"]
                if name not in seen:
                    seen.add(name)
                    yield name

    # The describes overlap (the region's bound); each config is read once however many
    # endpoints share it.
    configs = dict(ctx.each("sagemaker", config_names(), partial(_named_config, ctx)))
    return [
        to_record(ctx.account, ctx.region, endpoint, configs[endpoint["EndpointConfigName"]])
        for endpoint in endpoints
    ]


def to_record(
    account: str,
    region: str,
    endpoint: dict[str, Any],
    config: dict[str, Any],
) -> ResourceRecord:
    variants = _variants(endpoint.get("ProductionVariants", []), config, shadow=False)
    variants += _variants(endpoint.get("ShadowProductionVariants", []), config, shadow=True)
    config_models = [
        v["ModelName"]
        for v in (
            *config.get("ProductionVariants", []),
            *config.get("ShadowProductionVariants", []),
        )
        if "ModelName" in v
    ]
    instance_variants = [v for v in variants if not v.serverless]
    types = {v.instance_type for v in instance_variants if v.instance_type}
    return ResourceRecord(
        kind=KIND,
        arn=endpoint["EndpointArn"],
        name=endpoint["EndpointName"],
        account=account,
        region=region,
        status=endpoint.get("EndpointStatus"),
        created_at=endpoint.get("CreationTime"),
        last_modified_at=endpoint.get("LastModifiedTime"),
        tags=tag_dict(endpoint.get("Tags")),
        instance_type=types.pop() if len(types) == 1 else None,
        instance_count=sum(v.current_instance_count or 0 for v in instance_variants),
        billing=_billing(variants, asynchronous="AsyncInferenceConfig" in config),
        # Models are reached through the config, so a model shows as shared only when several
        # configs or inference components use it.
        uses_arns=(config["EndpointConfigArn"],),
        variants=tuple(variants),
        attributes={
            "endpoint_config_name": endpoint["EndpointConfigName"],
            "model_names": ",".join(config_models),
            "invocation_mode": ASYNCHRONOUS if "AsyncInferenceConfig" in config else REAL_TIME,
            INSTANCE_MINIMUM: _instance_minimum(config),
        },
    )


def _instance_minimum(config: dict[str, Any]) -> str:
    """The least MinInstanceCount of the config's managed instance scaling ("" when its
    instances are not managed): 0 lets an endpoint of inference components release them all."""
    instance_variants = [v for v in config.get("ProductionVariants", []) if "InstanceType" in v]
    scaling = [v.get("ManagedInstanceScaling") or {} for v in instance_variants]
    if not scaling or any(s.get("Status") != "ENABLED" for s in scaling):
        return ""
    return str(min(int(s.get("MinInstanceCount", 1)) for s in scaling))


def _variants(
    summaries: list[dict[str, Any]], config: dict[str, Any], *, shadow: bool
) -> list[Variant]:
    field = "ShadowProductionVariants" if shadow else "ProductionVariants"
    configured = {v["VariantName"]: v for v in config.get(field, [])}
    variants = []
    for summary in summaries:
        spec = configured.get(summary["VariantName"], {})
        serverless = summary.get("CurrentServerlessConfig") or spec.get("ServerlessConfig")
        variants.append(
            Variant(
                name=summary["VariantName"],
                instance_type=spec.get("InstanceType"),
                current_instance_count=summary.get("CurrentInstanceCount"),
                serverless=bool(serverless),
                provisioned_concurrency=(serverless or {}).get("ProvisionedConcurrency"),
                memory_mb=(serverless or {}).get("MemorySizeInMB"),
                shadow=shadow,
            )
        )
    return variants


def _billing(variants: list[Variant], asynchronous: bool) -> BillingMode:
    # Serverless bills per request unless provisioned concurrency keeps capacity warm.
    if variants and all(v.serverless and not v.provisioned_concurrency for v in variants):
        return BillingMode(mode="serverless")
    instances = sum(v.current_instance_count or 0 for v in variants if not v.serverless)
    if asynchronous and instances == 0:
        return BillingMode(mode="scaled-to-zero")
    return ON_DEMAND


def metric_queries(record: ResourceRecord) -> tuple[MetricQuery, ...]:
    """Traffic per production variant (EndpointName alone returns nothing on AWS), and
    CPUUtilization per instance-backed variant as proof that metrics flow at all.

    Serverless variants publish no instance metric ("Monitor a serverless endpoint": its list is
    exhaustive, and CPUUtilization is not in it), so they have no positive control: absent
    Invocations count as zero once the endpoint is older than the window, and only a failed query
    or a too-young endpoint make the reading unknown (engine: medium confidence, no load metric).
    The provisioned-concurrency metrics (ServerlessProvisionedConcurrencyInvocations,
    -SpilloverInvocations, -Utilization, -Executions; AWS/SageMaker, EndpointName + VariantName)
    split the same requests that Invocations counts, and AWS does not say they are emitted while
    idle, so they add neither traffic nor a positive control.

    Asynchronous endpoints publish no `Invocations` (SageMaker developer guide, "Monitor
    asynchronous endpoints": any metric not in its list is not published for them): their
    traffic is `InvocationsProcessed` per variant and `ApproximateBacklogSize`, published with
    the EndpointName dimension alone - a request waiting in the queue is work too. Read as
    `Invocations`, a busy asynchronous endpoint would read idle while its CPU proves metrics flow.
    """
    asynchronous = record.attributes.get("invocation_mode") == ASYNCHRONOUS
    # A shadow variant serves copies of the production requests: its Invocations would count
    # each request twice, and its CPU would "prove" metrics flow for a variant that is not the
    # one serving users. Its cost is counted in price_units.
    queries = [
        query
        for variant in record.variants
        if not variant.shadow
        for query in _variant_queries(record, variant, asynchronous)
    ]
    if asynchronous:
        queries.append(
            MetricQuery(
                resource_arn=record.arn,
                role="traffic",
                namespace=TRAFFIC_NAMESPACE,
                metric="ApproximateBacklogSize",
                stat="Maximum",
                dimensions=(("EndpointName", record.name),),
                label="requests queued",
            )
        )
    return tuple(queries)


def _variant_queries(
    record: ResourceRecord, variant: Variant, asynchronous: bool
) -> list[MetricQuery]:
    """One production variant's traffic, and its CPU when instances back it."""
    dims = (("EndpointName", record.name), ("VariantName", variant.name))
    metric, label = (
        ("InvocationsProcessed", "requests processed")
        if asynchronous
        else ("Invocations", "invocations")
    )
    queries = [
        MetricQuery(
            resource_arn=record.arn,
            role="traffic",
            namespace=TRAFFIC_NAMESPACE,
            metric=metric,
            stat="Sum",
            dimensions=dims,
            part=variant.name,
            label=label,
        )
    ]
    if not variant.serverless:
        queries.append(
            MetricQuery(
                resource_arn=record.arn,
                role="load",
                namespace=INSTANCE_NAMESPACE,
                metric="CPUUtilization",
                stat="Average",
                dimensions=dims,
                part=variant.name,
            )
        )
    return queries


_HOSTING = "SageMaker real-time inference (Hosting)"
HOSTING_PRICES = sagemaker_instances(
    "hosting",
    "{unit} endpoint instances",
    "Hosting",
    fallback=(
        recorded("ml.m5.xlarge", 0.23, _HOSTING),
        recorded("ml.g5.xlarge", 1.408, _HOSTING),
        recorded("ml.g5.2xlarge", 1.515, _HOSTING),
    ),
)


def price_units(record: ResourceRecord) -> tuple[PriceUnits, ...]:
    """Hosting instance-hours of each instance-backed variant that has instances now, shadow
    variants included; provisioned-concurrency hours of each serverless variant that has it
    (per unit of concurrency at its memory size; the requests themselves bill per use)."""
    units = []
    for v in record.variants:
        if not v.serverless and v.instance_type and v.current_instance_count:
            key = PriceKey(
                component=HOSTING_PRICES.name, region=record.region, unit=v.instance_type
            )
            units.append(PriceUnits(key=key, count=v.current_instance_count))
        elif v.serverless and v.provisioned_concurrency and v.memory_mb:
            key = PriceKey(
                component=PROVISIONED_CONCURRENCY_PRICES.name,
                region=record.region,
                unit=memory_unit(v.memory_mb),
            )
            units.append(PriceUnits(key=key, count=v.provisioned_concurrency))
    return tuple(units)


def delete(client: Any, record: ResourceRecord) -> None:
    client.delete_endpoint(EndpointName=record.name)


def describe(client: Any, record: ResourceRecord) -> dict[str, Any] | None:
    return description_or_gone(lambda: client.describe_endpoint(EndpointName=record.name))


def config_name(described: dict[str, Any]) -> list[str]:
    """The config a recreated endpoint needs, from its recorded description."""
    name = described.get("EndpointConfigName")
    if not name:
        raise CannotRestore("the recorded description names no endpoint config to recreate from")
    return [str(name)]


SPEC = KindSpec(
    kind=KIND,
    about="Real-time, serverless and asynchronous inference endpoints.",
    service="sagemaker",
    tag_type="sagemaker:endpoint",
    depends_on=("sagemaker-inference-component",),
    collect=collect,
    metric_queries=metric_queries,
    price_units=price_units,
    teardown=Teardown(
        delete=Operation(
            "sagemaker:DeleteEndpoint",
            frozenset({"InService", "Failed", "OutOfService"}),
            "an endpoint can be deleted once it is InService, OutOfService or Failed",
            invoke=delete,
        ),
        status_field="EndpointStatus",
        in_progress=frozenset({"Deleting"}),
        describe=describe,
    ),
    park=parking(delete),
    restore=Restore(
        recreate=Recreate(
            op="sagemaker:CreateEndpoint",
            request=lambda client, described, name: {
                "EndpointName": name,
                "EndpointConfigName": described["EndpointConfigName"],
            },
            noun="endpoint",
            uses=(Uses("sagemaker-endpoint-config", config_name),),
        )
    ),
    price_components=(HOSTING_PRICES, PROVISIONED_CONCURRENCY_PRICES),
    # Search's pages carry each endpoint's tags: the region's tagging-API pass, whose pages
    # come one after the other, need not list every endpoint again.
    in_tagging_api=False,
    iam=KindPermissions(
        scan=("sagemaker:Search", "sagemaker:DescribeEndpointConfig"),
        describe="sagemaker:DescribeEndpoint",
        restore=("sagemaker:CreateEndpoint", "sagemaker:AddTags"),
    ),
)
