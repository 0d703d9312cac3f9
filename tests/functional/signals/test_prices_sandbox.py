"""fetch_prices against the sandbox's Price List API (moto plus watchdog_sandbox.pricing)."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.config import Config

from watchdog.aws.clients import ApiCallCounter, ClientFactory
from watchdog.cache import FileCache, MemoryCache
from watchdog.kinds import bedrock_provisioned_throughput as pt_kind
from watchdog.signals.models import PriceKey
from watchdog.signals.prices import fetch_prices

NOW = datetime.now(UTC)
TTL = timedelta(hours=24)
HOSTING = PriceKey(component="hosting", region="us-east-1", unit="ml.g5.2xlarge")
NOTEBOOK = PriceKey(component="notebook", region="us-west-2", unit="ml.t3.medium")
STUDIO = PriceKey(component="studio-jupyterlab", region="eu-west-1", unit="ml.g5.xlarge")
CODE_EDITOR = PriceKey(component="studio-codeeditor", region="us-east-1", unit="ml.p4d.24xlarge")
KERNEL_GATEWAY = PriceKey(component="studio-kernelgateway", region="us-west-2", unit="ml.t3.medium")
UNKNOWN = PriceKey(component="hosting", region="us-east-1", unit="ml.m5.large-typo")


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class UnreachablePricing(ClientFactory):
    """A ClientFactory whose Price List endpoints in `down` refuse connections (one attempt,
    so the test does not sit through botocore's retries); every other client is the real one."""

    def __init__(self, down: set[str]) -> None:
        super().__init__(boto3.Session(region_name="us-east-1"), ApiCallCounter())
        self.down, self.port = down, closed_port()

    def client(self, service: str, region: str) -> Any:
        if service == "pricing" and region in self.down:
            return self.session.client(
                "pricing",
                region_name=region,
                endpoint_url=f"http://127.0.0.1:{self.port}",
                config=Config(retries={"mode": "standard", "max_attempts": 1}, connect_timeout=1),
            )
        return super().client(service, region)


def clients() -> tuple[ClientFactory, ApiCallCounter]:
    counter = ApiCallCounter()
    return ClientFactory(boto3.Session(region_name="us-east-1"), counter), counter


def test_prices_resolve_from_the_sandbox_catalog(aws: None) -> None:
    factory, counter = clients()

    signals = fetch_prices([HOSTING, NOTEBOOK, STUDIO, HOSTING], factory, MemoryCache(), NOW, TTL)

    assert {key: (p.usd_per_hour, p.basis) for key, p in signals.prices.items()} == {
        "hosting|us-east-1|ml.g5.2xlarge": (1.515, "price-list"),
        "notebook|us-west-2|ml.t3.medium": (0.05, "price-list"),
        "studio-jupyterlab|eu-west-1|ml.g5.xlarge": (1.5727, "price-list"),
    }
    assert signals.errors == () and signals.pricing_calls == 3
    assert counter.by_operation() == {"pricing:GetProducts": 3}
    assert all(
        p.source == "AWS Price List API (publication 2025-01-01)" for p in signals.prices.values()
    )


def test_types_the_price_list_lacks_are_unknown_not_guessed(aws: None) -> None:
    factory, _ = clients()
    signals = fetch_prices([UNKNOWN, CODE_EDITOR], factory, MemoryCache(), NOW, TTL)
    assert signals.prices == {}
    assert [e.split(": ", 1)[1] for e in signals.errors] == [
        "the AWS Price List has no such product"
    ] * 2


def test_a_second_run_is_answered_from_the_file_cache(aws: None, tmp_path: Any) -> None:
    factory, counter = clients()
    fetch_prices([HOSTING, UNKNOWN], factory, FileCache(tmp_path), NOW, TTL)

    again = fetch_prices([HOSTING, UNKNOWN], factory, FileCache(tmp_path), NOW, TTL)
    assert again.pricing_calls == 0 and counter.total == 2
    assert again.get(HOSTING) is not None and len(again.errors) == 1


def test_ap_south_1_answers_when_us_east_1_is_unreachable(aws: None) -> None:
    factory = UnreachablePricing(down={"us-east-1"})
    signals = fetch_prices([HOSTING, NOTEBOOK], factory, MemoryCache(), NOW, TTL)
    assert {p.basis for p in signals.prices.values()} == {"price-list"}
    assert len(signals.prices) == 2 and signals.pricing_calls == 3


def test_no_reachable_endpoint_means_fallback_prices_labelled_as_such(aws: None) -> None:
    factory = UnreachablePricing(down={"us-east-1", "ap-south-1"})

    signals = fetch_prices([HOSTING, NOTEBOOK], factory, MemoryCache(), NOW, TTL)

    price = signals.get(HOSTING)
    assert price is not None and (price.usd_per_hour, price.basis) == (1.515, "fallback")
    assert "shipped fallback table (snapshot" in price.source
    assert signals.get(NOTEBOOK) is None  # us-west-2 is not in the table: unknown, not guessed
    assert "Pricing API unavailable (no Price List endpoint reachable" in signals.errors[0]
    assert signals.pricing_calls == 2


def test_provisioned_concurrency_resolves_per_memory_size_from_ml_serverless(aws: None) -> None:
    factory, _ = clients()
    pc = PriceKey(component="serverless-provisioned-concurrency", region="eu-west-1", unit="")
    at_2gb, at_4gb, at_6gb = (
        pc.model_copy(update={"unit": f"{mb} MB"}) for mb in (2048, 4096, 6144)
    )

    signals = fetch_prices([at_2gb, at_4gb, at_6gb], factory, MemoryCache(), NOW, TTL)

    # Per second in the price list, per hour here; the 2 GB duration product is not mistaken
    # for the warm charge; a size the catalog lacks is unknown.
    assert {key: p.usd_per_hour for key, p in signals.prices.items()} == {
        "serverless-provisioned-concurrency|eu-west-1|2048 MB": 0.04032,
        "serverless-provisioned-concurrency|eu-west-1|4096 MB": 0.08064,
    }
    (error,) = signals.errors
    assert error.endswith("the AWS Price List has no such product")


# --- Studio Classic KernelGateway apps and Bedrock provisioned throughput ---------------------


def test_a_kernel_gateway_app_is_priced_from_the_studio_notebook_product(aws: None) -> None:
    factory, _ = clients()
    signals = fetch_prices([KERNEL_GATEWAY], factory, MemoryCache(), NOW, TTL)
    price = signals.get(KERNEL_GATEWAY)
    assert price is not None and (price.usd_per_hour, price.basis) == (0.05, "price-list")


def _throughput_units(commitment: str | None) -> list[Any]:
    """Buy a provisioned throughput in the sandbox, list it the way the scan does, and return
    the units the kind bills."""
    bedrock = boto3.client("bedrock", region_name="us-east-1")
    args: dict[str, Any] = {
        "provisionedModelName": f"pt-{commitment}",
        "modelId": "amazon.titan-text-express-v1:0:8k",
        "modelUnits": 2,
    }
    if commitment:
        args["commitmentDuration"] = commitment
    arn = bedrock.create_provisioned_model_throughput(**args)["provisionedModelArn"]
    (summary,) = (
        s
        for s in bedrock.list_provisioned_model_throughputs()["provisionedModelSummaries"]
        if s["provisionedModelArn"] == arn
    )
    record = pt_kind.to_record("123456789012", "us-east-1", summary, {})
    return list(pt_kind.price_units(record))


def test_a_provisioned_throughput_gets_the_price_list_price_of_its_term(aws: None) -> None:
    factory, counter = clients()
    (hourly,) = _throughput_units(None)
    (committed,) = _throughput_units("SixMonths")

    signals = fetch_prices([hourly.key, committed.key], factory, MemoryCache(), NOW, TTL)

    assert signals.errors == ()
    assert {key: (p.usd_per_hour, p.basis) for key, p in signals.prices.items()} == {
        "bedrock-provisioned-throughput|us-east-1|amazon.titan-text-express-v1:0:8k": (
            24.0,
            "price-list",
        ),
        "bedrock-provisioned-throughput|us-east-1|amazon.titan-text-express-v1:0:8k"
        "|6-month commitment": (16.4, "price-list"),
    }
    assert hourly.count == committed.count == 2
    assert counter.by_operation()["pricing:GetProducts"] == 2


def test_an_unreachable_api_leaves_a_throughput_unknown_and_says_why(aws: None) -> None:
    (committed,) = _throughput_units("OneMonth")
    factory = UnreachablePricing(down={"us-east-1", "ap-south-1"})

    signals = fetch_prices([committed.key], factory, MemoryCache(), NOW, TTL)

    assert signals.prices == {}
    (error,) = signals.errors
    assert error.startswith(
        "no price known for Bedrock provisioned throughput for "
        "amazon.titan-text-express-v1:0:8k, 1-month commitment in us-east-1: "
        "Pricing API unavailable (no Price List endpoint reachable"
    )
    assert error.endswith("not in the shipped fallback table")
