from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fakes import ACCOUNT, REGION, FakeScanContext
from tests.unit.policies.test_shipped_policies import shipped_for
from watchdog.kinds import sagemaker_endpoint

CONFIG_ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint-config/cfg"


def endpoint(*variants: dict[str, Any]) -> dict[str, Any]:
    return {
        "EndpointName": "ep",
        "EndpointArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/ep",
        "EndpointConfigName": "cfg",
        "EndpointStatus": "InService",
        "ProductionVariants": list(variants),
        "Tags": [{"Key": "owner", "Value": "alice"}],
    }


CREATED = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)


def config(*variants: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "EndpointConfigName": "cfg",
        "EndpointConfigArn": CONFIG_ARN,
        "ProductionVariants": list(variants),
        "CreationTime": CREATED,
        **extra,
    }


def test_instance_variants_bill_on_demand_with_type_and_count_from_config_and_endpoint() -> None:
    record = sagemaker_endpoint.to_record(
        ACCOUNT,
        REGION,
        endpoint({"VariantName": "a", "CurrentInstanceCount": 2}),
        config({"VariantName": "a", "ModelName": "m", "InstanceType": "ml.g5.xlarge"}),
    )
    assert record.billing.mode == "on-demand"
    assert (record.instance_type, record.instance_count) == ("ml.g5.xlarge", 2)
    assert record.tags == {"owner": "alice"}
    assert record.uses_arns == (CONFIG_ARN,)
    assert record.attributes["model_names"] == "m"


def test_serverless_without_provisioned_concurrency_bills_per_request() -> None:
    serverless = {"MemorySizeInMB": 2048, "MaxConcurrency": 5}
    record = sagemaker_endpoint.to_record(
        ACCOUNT,
        REGION,
        endpoint({"VariantName": "a", "CurrentServerlessConfig": serverless}),
        config({"VariantName": "a", "ModelName": "m", "ServerlessConfig": serverless}),
    )
    assert record.billing.mode == "serverless"
    assert record.instance_count == 0


def test_serverless_with_provisioned_concurrency_is_an_hourly_cost() -> None:
    serverless = {"MemorySizeInMB": 2048, "MaxConcurrency": 5, "ProvisionedConcurrency": 2}
    record = sagemaker_endpoint.to_record(
        ACCOUNT,
        REGION,
        endpoint({"VariantName": "a", "CurrentServerlessConfig": serverless}),
        config({"VariantName": "a", "ModelName": "m", "ServerlessConfig": serverless}),
    )
    assert record.billing.mode == "on-demand"
    assert record.variants[0].provisioned_concurrency == 2


def test_async_endpoint_at_zero_instances_is_scaled_to_zero_not_idle_cost() -> None:
    record = sagemaker_endpoint.to_record(
        ACCOUNT,
        REGION,
        endpoint({"VariantName": "a", "CurrentInstanceCount": 0}),
        config(
            {"VariantName": "a", "ModelName": "m", "InstanceType": "ml.g5.xlarge"},
            AsyncInferenceConfig={"OutputConfig": {"S3OutputPath": "s3://b/o"}},
        ),
    )
    assert record.billing.mode == "scaled-to-zero"


def test_multi_variant_endpoint_of_mixed_types_keeps_each_variant() -> None:
    record = sagemaker_endpoint.to_record(
        ACCOUNT,
        REGION,
        endpoint(
            {"VariantName": "big", "CurrentInstanceCount": 1},
            {"VariantName": "small", "CurrentInstanceCount": 3},
        ),
        config(
            {"VariantName": "big", "ModelName": "m1", "InstanceType": "ml.g5.2xlarge"},
            {"VariantName": "small", "ModelName": "m2", "InstanceType": "ml.m5.xlarge"},
        ),
    )
    assert record.instance_type is None  # no single type describes it
    assert record.instance_count == 4
    assert [(v.name, v.instance_type) for v in record.variants] == [
        ("big", "ml.g5.2xlarge"),
        ("small", "ml.m5.xlarge"),
    ]


def test_two_endpoints_sharing_a_config_cost_one_describe() -> None:
    described: list[str] = []

    def describe(EndpointConfigName: str) -> dict[str, Any]:
        described.append(EndpointConfigName)
        return config({"VariantName": "a", "ModelName": "m", "InstanceType": "ml.m5.xlarge"})

    page = {"Results": [{"Endpoint": endpoint({"VariantName": "a", "CurrentInstanceCount": 1})}]}
    ctx = FakeScanContext(
        pages={"Search": [page, page]}, describes={"describe_endpoint_config": describe}
    )

    records = sagemaker_endpoint.collect(ctx)

    assert len(records) == 2
    assert described == ["cfg"]


def test_an_asynchronous_endpoint_is_judged_by_processed_work_and_backlog_not_invocations() -> None:
    record = sagemaker_endpoint.to_record(
        ACCOUNT,
        REGION,
        endpoint({"VariantName": "a", "CurrentInstanceCount": 1}),
        config(
            {"VariantName": "a", "ModelName": "m", "InstanceType": "ml.g5.xlarge"},
            AsyncInferenceConfig={"OutputConfig": {"S3OutputPath": "s3://b/out/"}},
        ),
    )
    queries = {(q.role, q.metric, q.dimensions) for q in sagemaker_endpoint.metric_queries(record)}

    variant = (("EndpointName", "ep"), ("VariantName", "a"))
    assert queries == {
        ("traffic", "InvocationsProcessed", variant),
        ("traffic", "ApproximateBacklogSize", (("EndpointName", "ep"),)),
        ("load", "CPUUtilization", variant),
    }


def test_a_real_time_endpoint_is_judged_by_invocations() -> None:
    record = sagemaker_endpoint.to_record(
        ACCOUNT,
        REGION,
        endpoint({"VariantName": "a", "CurrentInstanceCount": 1}),
        config({"VariantName": "a", "ModelName": "m", "InstanceType": "ml.g5.xlarge"}),
    )
    metrics = [q.metric for q in sagemaker_endpoint.metric_queries(record)]
    assert metrics == ["Invocations", "CPUUtilization"]


def shadowed() -> Any:
    """A production variant on 1 ml.m5.xlarge shadowed by 2 ml.g5.xlarge (one each, as AWS
    allows when ShadowProductionVariants is used)."""
    described = endpoint({"VariantName": "prod", "CurrentInstanceCount": 1})
    described["ShadowProductionVariants"] = [{"VariantName": "shadow", "CurrentInstanceCount": 2}]
    configured = config(
        {"VariantName": "prod", "ModelName": "m1", "InstanceType": "ml.m5.xlarge"},
        ShadowProductionVariants=[
            {"VariantName": "shadow", "ModelName": "m2", "InstanceType": "ml.g5.xlarge"}
        ],
    )
    return sagemaker_endpoint.to_record(ACCOUNT, REGION, described, configured)


def test_shadow_variant_instances_are_the_endpoints_instances_and_cost() -> None:
    record = shadowed()

    assert record.instance_count == 3
    assert [(v.name, v.shadow) for v in record.variants] == [("prod", False), ("shadow", True)]
    assert record.attributes["model_names"] == "m1,m2"
    units = {(u.key.component, u.key.unit, u.count) for u in sagemaker_endpoint.price_units(record)}
    assert units == {("hosting", "ml.m5.xlarge", 1), ("hosting", "ml.g5.xlarge", 2)}


def test_shadow_variant_traffic_and_cpu_are_not_the_endpoints() -> None:
    queries = {(q.role, q.metric, q.part) for q in sagemaker_endpoint.metric_queries(shadowed())}

    assert queries == {("traffic", "Invocations", "prod"), ("load", "CPUUtilization", "prod")}


def provisioned(concurrency: int | None) -> Any:
    serverless: dict[str, Any] = {"MemorySizeInMB": 2048, "MaxConcurrency": 5}
    if concurrency is not None:
        serverless["ProvisionedConcurrency"] = concurrency
    return sagemaker_endpoint.to_record(
        ACCOUNT,
        REGION,
        endpoint({"VariantName": "a", "CurrentServerlessConfig": serverless}),
        config({"VariantName": "a", "ModelName": "m", "ServerlessConfig": serverless}),
    )


def test_provisioned_concurrency_is_priced_per_unit_at_its_memory_size() -> None:
    (units,) = sagemaker_endpoint.price_units(provisioned(3))

    assert units.key.component == "serverless-provisioned-concurrency"
    assert (units.key.region, units.key.unit, units.count) == (REGION, "2048 MB", 3)


def test_serverless_without_provisioned_concurrency_has_nothing_hourly_to_price() -> None:
    assert sagemaker_endpoint.price_units(provisioned(None)) == ()


def test_provisioned_concurrency_is_judged_by_invocations_with_no_instance_metric() -> None:
    queries = [
        (q.role, q.namespace, q.metric, q.dimensions)
        for q in sagemaker_endpoint.metric_queries(provisioned(2))
    ]

    variant = (("EndpointName", "ep"), ("VariantName", "a"))
    assert queries == [("traffic", "AWS/SageMaker", "Invocations", variant)]


def test_the_statuses_that_mean_a_stop_or_delete_is_under_way() -> None:
    # After a stop or delete call (ours, or a crashed run's), these statuses mean "wait", never
    # "call again".
    assert sagemaker_endpoint.SPEC.teardown.in_progress == frozenset({"Deleting"})


def test_its_default_policies_are_shipped() -> None:
    assert {"failed-endpoints", "idle-endpoints"} <= shipped_for(sagemaker_endpoint.KIND)


# A config's description kept by an earlier scan (inventory.kept): configs never change, so it
# is reused while ListEndpointConfigs lists the name with the CreationTime it was kept with.
ONE_VARIANT = {"VariantName": "a", "ModelName": "m", "InstanceType": "ml.m5.xlarge"}
KEY = ("sagemaker:DescribeEndpointConfig", "cfg")


def kept_scan(listed_created: datetime, kept_type: str = "ml.m5.xlarge") -> FakeScanContext:
    page = {"Results": [{"Endpoint": endpoint({"VariantName": "a", "CurrentInstanceCount": 1})}]}
    listing = {"EndpointConfigs": [{"EndpointConfigName": "cfg", "CreationTime": listed_created}]}
    earlier = config({**ONE_VARIANT, "InstanceType": kept_type})
    del earlier["CreationTime"]
    return FakeScanContext(
        pages={"Search": [page], "ListEndpointConfigs": [listing]},
        describes={
            "describe_endpoint_config": lambda **_: config(ONE_VARIANT, CreationTime=listed_created)
        },
        kept={KEY: (CREATED.isoformat(), earlier)},
    )


def test_a_kept_config_listed_with_its_creation_time_is_not_described_again() -> None:
    ctx = kept_scan(CREATED, kept_type="ml.g5.xlarge")

    [record] = sagemaker_endpoint.collect(ctx)

    assert "describe_endpoint_config" not in ctx.calls
    assert record.instance_type == "ml.g5.xlarge"  # what was kept: nothing asked AWS
    assert ctx.kept[KEY][0] == CREATED.isoformat()  # kept again for the next scan


def test_a_config_created_again_under_its_name_is_described_again() -> None:
    recreated = CREATED + timedelta(days=2)
    ctx = kept_scan(recreated, kept_type="ml.g5.xlarge")

    [record] = sagemaker_endpoint.collect(ctx)

    assert ctx.calls.count("describe_endpoint_config") == 1
    assert record.instance_type == "ml.m5.xlarge"  # the new config's, not the kept one's
    version, kept = ctx.kept[KEY]
    assert (version, kept["ProductionVariants"]) == (recreated.isoformat(), [ONE_VARIANT])


def test_a_config_never_kept_is_described_without_waiting_for_the_listing() -> None:
    page = {"Results": [{"Endpoint": endpoint({"VariantName": "a", "CurrentInstanceCount": 1})}]}
    ctx = FakeScanContext(
        pages={"Search": [page]},
        describes={"describe_endpoint_config": lambda **_: config(ONE_VARIANT, KmsKeyId="k")},
    )

    sagemaker_endpoint.collect(ctx)

    assert ctx.calls == ["Search", "describe_endpoint_config"]
    version, kept = ctx.kept[KEY]
    assert version == CREATED.isoformat()
    # Only what the kinds read is kept: no key ids, no timestamps a cache cannot hold.
    assert set(kept) == {"EndpointConfigName", "EndpointConfigArn", "ProductionVariants"}


def test_a_listing_that_gives_the_creation_time_to_another_precision_still_matches() -> None:
    ctx = kept_scan(CREATED.replace(microsecond=0) + timedelta(microseconds=250_000))

    sagemaker_endpoint.collect(ctx)

    assert "describe_endpoint_config" not in ctx.calls
