"""fetch_prices: Price List answers, cache TTLs, endpoint fallback and the shipped table."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from watchdog.cache import MemoryCache
from watchdog.signals.models import PriceKey
from watchdog.signals.prices import (
    NEGATIVE_TTL,
    PRICE_LIST_CONCURRENCY,
    Offer,
    choose_offer,
    fallback_table,
    fetch_prices,
    parse_hourly_offers,
)

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
TTL = timedelta(hours=24)
G5 = PriceKey(component="hosting", region="us-east-1", unit="ml.g5.xlarge")
T3_NOTEBOOK = PriceKey(component="notebook", region="us-east-1", unit="ml.t3.medium")
WEST_G5 = PriceKey(component="hosting", region="us-west-2", unit="ml.g5.xlarge")


def product(usd: str, *, operation: str = "RunInstance", unit: str = "Hrs") -> str:
    """One GetProducts PriceList item, shaped like the AmazonSageMaker price list's."""
    sku = "SKU" + usd.replace(".", "")
    return json.dumps(
        {
            "product": {
                "productFamily": "ML Instance",
                "attributes": {"operation": operation, "component": "Hosting"},
                "sku": sku,
            },
            "serviceCode": "AmazonSageMaker",
            "terms": {
                "OnDemand": {
                    f"{sku}.JRTCKXETXF": {
                        "priceDimensions": {
                            f"{sku}.JRTCKXETXF.6YS6EN2CT7": {
                                "unit": unit,
                                "pricePerUnit": {"USD": f"{float(usd):.10f}"},
                            }
                        }
                    }
                }
            },
            "publicationDate": "2026-02-01T00:00:00Z",
        }
    )


class FakePricing:
    """GetProducts answered by `answer(region, filters)`: a PriceList, or an exception."""

    def __init__(self, region: str, answer: Callable[[str, dict[str, str]], Any]) -> None:
        self.region, self._answer, self.calls = region, answer, 0
        self.service_codes: list[str] = []

    def get_products(self, **params: Any) -> dict[str, Any]:
        self.calls += 1
        self.service_codes.append(params["ServiceCode"])
        filters = {f["Field"]: f["Value"] for f in params["Filters"]}
        result = self._answer(self.region, filters)
        if isinstance(result, BaseException):
            raise result
        return {"FormatVersion": "aws_v1", "PriceList": result}


class FakeClients:
    def __init__(self, answer: Callable[[str, dict[str, str]], Any]) -> None:
        self._answer = answer
        self.pricing: dict[str, FakePricing] = {}

    def client(self, service: str, region: str) -> FakePricing:
        assert service == "pricing"
        return self.pricing.setdefault(region, FakePricing(region, self._answer))

    def calls(self, region: str) -> int:
        return self.pricing[region].calls if region in self.pricing else 0


def catalog(region: str, filters: dict[str, str]) -> list[str]:
    del region
    known = {("Hosting", "ml.g5.xlarge"): "1.408", ("Notebook", "ml.t3.medium"): "0.05"}
    usd = known.get((filters["component"], filters["instanceName"]))
    return [product(usd)] if usd else []


def unreachable(region: str, filters: dict[str, str]) -> Exception:
    del filters
    return EndpointConnectionError(endpoint_url=f"https://api.pricing.{region}.amazonaws.com/")


def denied(region: str, filters: dict[str, str]) -> Exception:
    del region, filters
    error = {"Error": {"Code": "AccessDeniedException", "Message": "not allowed"}}
    return ClientError(error, "GetProducts")


# --- parsing -------------------------------------------------------------------------------


def test_parse_reads_the_on_demand_hourly_usd_of_each_product() -> None:
    offers = parse_hourly_offers([product("1.408"), product("0.05", operation="Other")])
    assert offers == [
        Offer(1.408, "RunInstance", "2026-02-01T00:00:00Z"),
        Offer(0.05, "Other", "2026-02-01T00:00:00Z"),
    ]


def test_parse_skips_non_hourly_dimensions_and_unreadable_items() -> None:
    assert parse_hourly_offers([product("0.14", unit="GB-Mo"), "not json", "{}"]) == []


def test_choose_prefers_real_prices_and_instance_hours_and_refuses_to_guess() -> None:
    assert choose_offer([]) is None
    free, paid = Offer(0.0, "RunInstance", None), Offer(1.5, "RunInstance", None)
    assert choose_offer([free, paid]) == paid
    other = Offer(9.0, "Other", None)
    assert choose_offer([other, paid]) == paid
    ambiguous = choose_offer([paid, Offer(2.0, "RunInstance", None)])
    assert isinstance(ambiguous, str) and "2 different prices" in ambiguous


# --- the Price List API and the cache ------------------------------------------------------


def test_prices_come_from_the_price_list_once_per_distinct_key() -> None:
    clients, cache = FakeClients(catalog), MemoryCache()

    signals = fetch_prices([G5, T3_NOTEBOOK, G5], clients, cache, NOW, TTL)

    price = signals.get(G5)
    assert price is not None and price.usd_per_hour == 1.408
    assert price.basis == "price-list"
    assert price.source == "AWS Price List API (publication 2026-02-01)"
    assert signals.pricing_calls == 2 and signals.errors == ()


def test_the_first_key_is_asked_alone_and_the_rest_a_few_at_a_time_in_order() -> None:
    """The first call finds which endpoint answers; the others overlap their wire time."""
    sizes = ["xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge"]
    keys = [PriceKey(component="hosting", region="us-east-1", unit=f"ml.g5.{s}") for s in sizes]
    lock, overlapped = threading.Lock(), threading.Event()
    flight = {"now": 0, "most": 0, "calls": 0, "first alone": 0}

    def priced(region: str, filters: dict[str, str]) -> list[str]:
        with lock:
            flight["calls"] += 1
            flight["now"] += 1
            flight["most"] = max(flight["most"], flight["now"])
            if flight["now"] > 1:
                overlapped.set()
            first = flight["calls"] == 1
        if first:
            flight["first alone"] = int(flight["now"] == 1)
        else:
            overlapped.wait(5)  # until another call is in flight too (never, one at a time)
        with lock:
            flight["now"] -= 1
        return [product(str(sizes.index(filters["instanceName"][6:]) + 1))]

    signals = fetch_prices(keys, FakeClients(priced), MemoryCache(), NOW, TTL)

    assert [p.usd_per_hour for p in signals.prices.values()] == [1, 2, 3, 4, 5, 6, 7]
    assert [p.key for p in signals.prices.values()] == keys
    assert flight["first alone"] == 1
    assert 1 < flight["most"] <= PRICE_LIST_CONCURRENCY
    assert signals.pricing_calls == 7 and signals.errors == ()


def test_filters_name_region_instance_and_the_price_list_component() -> None:
    seen: list[dict[str, str]] = []

    def answer(region: str, filters: dict[str, str]) -> list[str]:
        seen.append(filters)
        return []

    clients = FakeClients(answer)
    fetch_prices([G5], clients, MemoryCache(), NOW, TTL)
    assert seen == [
        {"regionCode": "us-east-1", "instanceName": "ml.g5.xlarge", "component": "Hosting"}
    ]
    assert clients.pricing["us-east-1"].service_codes == ["AmazonSageMaker"]


def test_a_fresh_cached_price_is_not_asked_for_again_until_the_ttl_passes() -> None:
    clients, cache = FakeClients(catalog), MemoryCache()
    fetch_prices([G5], clients, cache, NOW, TTL)

    later = fetch_prices([G5], clients, cache, NOW + TTL - timedelta(minutes=1), TTL)
    assert later.pricing_calls == 0 and later.get(G5) is not None

    expired = fetch_prices([G5], clients, cache, NOW + TTL, TTL)
    assert expired.pricing_calls == 1


def test_an_unknown_type_is_an_error_remembered_briefly() -> None:
    clients, cache = FakeClients(catalog), MemoryCache()
    odd = PriceKey(component="hosting", region="us-east-1", unit="ml.nonexistent.large")

    first = fetch_prices([odd], clients, cache, NOW, TTL)
    assert first.get(odd) is None
    assert first.errors == (
        "no price known for ml.nonexistent.large endpoint instances in us-east-1: the AWS Price "
        "List has no such product",
    )
    soon = fetch_prices([odd], clients, cache, NOW + NEGATIVE_TTL / 2, TTL)
    assert soon.pricing_calls == 0 and soon.errors == first.errors
    later = fetch_prices([odd], clients, cache, NOW + NEGATIVE_TTL, TTL)
    assert later.pricing_calls == 1


def test_an_unknown_type_is_not_given_a_fallback_price_while_the_api_answers() -> None:
    def nothing(region: str, filters: dict[str, str]) -> list[str]:
        return []

    signals = fetch_prices([G5], FakeClients(nothing), MemoryCache(), NOW, TTL)
    assert signals.get(G5) is None and "no such product" in signals.errors[0]


# --- when the API cannot be reached --------------------------------------------------------


def test_ap_south_1_answers_when_us_east_1_cannot_be_reached() -> None:
    def east_down(region: str, filters: dict[str, str]) -> Any:
        return unreachable(region, filters) if region == "us-east-1" else catalog(region, filters)

    clients = FakeClients(east_down)
    signals = fetch_prices([G5, T3_NOTEBOOK], clients, MemoryCache(), NOW, TTL)

    assert {p.basis for p in signals.prices.values()} == {"price-list"}
    # The failed endpoint is tried once; the next key goes straight to the one that answered.
    assert (clients.calls("us-east-1"), clients.calls("ap-south-1")) == (1, 2)
    assert signals.pricing_calls == 3


@pytest.mark.parametrize("failure", [unreachable, denied], ids=["unreachable", "access-denied"])
def test_an_unreachable_api_falls_back_to_the_shipped_table_labelled_as_such(
    failure: Callable[[str, dict[str, str]], Exception],
) -> None:
    clients = FakeClients(failure)

    signals = fetch_prices([G5, WEST_G5], clients, MemoryCache(), NOW, TTL)

    price = signals.get(G5)
    assert price is not None and price.usd_per_hour == 1.408 and price.basis == "fallback"
    assert price.source.startswith("shipped fallback table (snapshot 2026-11-24;")
    assert signals.get(WEST_G5) is None
    (error,) = signals.errors
    assert error.startswith(
        "no price known for ml.g5.xlarge endpoint instances in us-west-2: Pricing API unavailable"
    )
    assert error.endswith("not in the shipped fallback table")
    # Once the API is known to be down, the run stops asking it.
    assert signals.pricing_calls == (2 if failure is unreachable else 1)


def test_fallback_prices_are_not_cached_so_the_next_run_asks_the_api_again() -> None:
    cache = MemoryCache()
    fetch_prices([G5], FakeClients(unreachable), cache, NOW, TTL)

    signals = fetch_prices([G5], FakeClients(catalog), cache, NOW, TTL)
    price = signals.get(G5)
    assert price is not None and price.basis == "price-list" and signals.pricing_calls == 1


def test_an_expired_price_list_price_beats_the_table_when_the_api_is_down() -> None:
    cache = MemoryCache()
    fetch_prices([G5], FakeClients(catalog), cache, NOW, TTL)

    later = NOW + 3 * TTL
    signals = fetch_prices([G5], FakeClients(unreachable), cache, later, TTL)
    price = signals.get(G5)
    assert price is not None and price.basis == "price-list"
    assert price.source.endswith("cached 2026-03-10 (Pricing API unreachable)")


def test_a_cache_that_cannot_be_written_does_not_lose_the_price() -> None:
    class ReadOnlyCache(MemoryCache):
        def put(self, key: str, value: Any, now: datetime) -> None:
            raise PermissionError("read-only file system")

    signals = fetch_prices([G5], FakeClients(catalog), ReadOnlyCache(), NOW, TTL)
    assert signals.get(G5) is not None


# --- keys the Price List is not asked about ------------------------------------------------


def test_a_component_no_kind_declares_is_not_asked_about() -> None:
    odd = PriceKey(component="studio-nonexistent", region="us-east-1", unit="ml.t3.medium")
    signals = fetch_prices([odd], FakeClients(catalog), MemoryCache(), NOW, TTL)
    assert signals.pricing_calls == 0
    assert signals.errors == (
        "no price known for ml.t3.medium studio-nonexistent in us-east-1: the watchdog does "
        "not know how the AWS Price List names studio-nonexistent",
    )


def test_the_shipped_table_holds_the_documented_snapshot_each_row_with_its_source() -> None:
    table = fallback_table()
    # A kind may ship more rows for its own components; these are the ones documented so far.
    assert {key: usd for key, (usd, _, _) in table.prices.items()}.items() >= {
        "hosting|us-east-1|ml.m5.xlarge": 0.23,
        "hosting|us-east-1|ml.g5.xlarge": 1.408,
        "hosting|us-east-1|ml.g5.2xlarge": 1.515,
        "notebook|us-east-1|ml.t3.medium": 0.05,
        "serverless-provisioned-concurrency|us-east-1|2048 MB": 0.036,
        "ec2-instance|us-east-1|g5.xlarge": 1.006,
        "opensearch-serverless-ocu|us-east-1|IndexingOCU": 0.24,
        "opensearch-serverless-ocu|us-east-1|SearchOCU": 0.24,
    }.items()
    assert all(source and as_of for _, source, as_of in table.prices.values())
    sources = {key.split("|")[0]: source for key, (_, source, _) in table.prices.items()}
    assert "aws-facts.md" in sources["hosting"] and "aws-facts.md" in sources["notebook"]
    # Not a figure from an AWS page: the row says how it was derived.
    assert sources["serverless-provisioned-concurrency"].startswith("derived: $0.00001/s")
    assert sources["ec2-instance"].startswith("instances.vantage.sh/aws/ec2/g5.xlarge")


# --- serverless provisioned concurrency ----------------------------------------------------

PC_2GB = PriceKey(
    component="serverless-provisioned-concurrency", region="us-east-1", unit="2048 MB"
)


def serverless_catalog(region: str, filters: dict[str, str]) -> list[str]:
    """The warm provisioned-concurrency product at 2 GB, per second as AWS prices it."""
    del region
    wanted = {
        "productFamily": "ML Serverless",
        "group": "ServerlessProvisionedConcurrency-Usage",
        "memorygb": "2",
    }
    if any(filters.get(field) != value for field, value in wanted.items()):
        return []
    return [product("0.00001", operation="Serverless", unit="seconds")]


def test_provisioned_concurrency_is_asked_for_by_family_group_and_memory() -> None:
    seen: list[dict[str, str]] = []

    def answer(region: str, filters: dict[str, str]) -> list[str]:
        seen.append(filters)
        return serverless_catalog(region, filters)

    signals = fetch_prices([PC_2GB], FakeClients(answer), MemoryCache(), NOW, TTL)

    assert seen == [
        {
            "regionCode": "us-east-1",
            "productFamily": "ML Serverless",
            "group": "ServerlessProvisionedConcurrency-Usage",
            "memorygb": "2",
        }
    ]
    price = signals.get(PC_2GB)
    # AWS prices it per second; the watchdog's prices are hourly.
    assert price is not None and price.usd_per_hour == 0.036 and price.basis == "price-list"


def test_per_second_prices_are_not_read_as_hourly_ones_for_instances() -> None:
    item = product("0.00001", operation="Serverless", unit="seconds")
    assert parse_hourly_offers([item]) == []
    assert [o.usd_per_hour for o in parse_hourly_offers([item], per_second=True)] == [0.036]


def test_provisioned_concurrency_falls_back_to_the_derived_row_only_at_2_gb() -> None:
    pc_4gb = PC_2GB.model_copy(update={"unit": "4096 MB"})

    signals = fetch_prices([PC_2GB, pc_4gb], FakeClients(unreachable), MemoryCache(), NOW, TTL)

    price = signals.get(PC_2GB)
    assert price is not None and price.usd_per_hour == 0.036 and price.basis == "fallback"
    assert signals.get(pc_4gb) is None
    (error,) = signals.errors
    assert error.startswith(
        "no price known for provisioned concurrency of 4096 MB serverless endpoints in us-east-1"
    )
