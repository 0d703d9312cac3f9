"""Endpoints whose cost is not one instance variant's, scanned and priced against the sandbox:
a shadow variant (its instances are the endpoint's cost, its traffic is not the endpoint's) and
serverless provisioned concurrency (billed while idle, priced per memory size)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3

from tests.functional import builders
from watchdog.aws.clients import ApiCallCounter, ClientFactory
from watchdog.cache import MemoryCache
from watchdog.evaluate.cost import monthly_cost
from watchdog.inventory import ScanRequest, scan
from watchdog.kinds import BY_KIND
from watchdog.records import ResourceRecord
from watchdog.signals.models import HOURS_PER_MONTH, PriceSignals, Signals
from watchdog.signals.prices import fetch_prices


def priced(record: ResourceRecord) -> tuple[PriceSignals, Signals]:
    units = BY_KIND[record.kind].price_units(record)
    clients = ClientFactory(boto3.Session(region_name="us-east-1"), ApiCallCounter())
    now = datetime.now(UTC)
    prices = fetch_prices([u.key for u in units], clients, MemoryCache(), now, timedelta(hours=1))
    return prices, Signals(prices=prices)


def endpoint_named(name: str) -> ResourceRecord:
    result = scan(ScanRequest())
    assert result.errors == []
    (record,) = [r for r in result.resources if r.kind == "sagemaker-endpoint" and r.name == name]
    return record


def test_a_shadow_variant_is_priced_with_the_endpoint_and_not_read_as_its_traffic(
    aws: None,
) -> None:
    sm = builders.sagemaker()
    builders.model(sm, "ranker-v1")
    builders.model(sm, "ranker-v2")
    sm.create_endpoint_config(
        EndpointConfigName="ranker-shadow-cfg",
        ProductionVariants=[
            {
                "VariantName": "prod",
                "ModelName": "ranker-v1",
                "InstanceType": "ml.m5.xlarge",
                "InitialInstanceCount": 1,
            }
        ],
        ShadowProductionVariants=[
            {
                "VariantName": "candidate",
                "ModelName": "ranker-v2",
                "InstanceType": "ml.g5.xlarge",
                "InitialInstanceCount": 2,
            }
        ],
    )
    sm.create_endpoint(EndpointName="ranker", EndpointConfigName="ranker-shadow-cfg")

    record = endpoint_named("ranker")
    prices, signals = priced(record)

    assert record.instance_count == 3
    assert [(v.name, v.shadow) for v in record.variants] == [("prod", False), ("candidate", True)]
    assert prices.errors == ()
    cost = monthly_cost(record, signals)
    # Sandbox catalog, us-east-1 Hosting: ml.m5.xlarge $0.23/h, ml.g5.xlarge $1.408/h.
    assert cost.usd == round((0.23 * 1 + 1.408 * 2) * HOURS_PER_MONTH, 2)
    assert cost.basis == "price-list"
    queried = {q.part for q in BY_KIND[record.kind].metric_queries(record)}
    assert queried == {"prod"}


def test_provisioned_concurrency_is_priced_per_unit_at_its_memory_size(aws: None) -> None:
    sm = builders.sagemaker()
    builders.model(sm, "faq")
    sm.create_endpoint_config(
        EndpointConfigName="faq-cfg",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "faq",
                "ServerlessConfig": {
                    "MemorySizeInMB": 4096,
                    "MaxConcurrency": 10,
                    "ProvisionedConcurrency": 3,
                },
            }
        ],
    )
    sm.create_endpoint(EndpointName="faq", EndpointConfigName="faq-cfg")

    record = endpoint_named("faq")
    _, signals = priced(record)

    assert record.billing.mode == "on-demand" and record.instance_count == 0
    cost = monthly_cost(record, signals)
    # Sandbox catalog: $0.00002 per second per unit at 4 GB = $0.072 an hour, 3 units.
    assert cost.usd == round(0.072 * 3 * HOURS_PER_MONTH, 2)
    assert cost.basis == "price-list"
