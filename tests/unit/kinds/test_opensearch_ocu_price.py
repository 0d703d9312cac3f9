"""OpenSearch Serverless OCU prices read in the unit AWS quotes them in ("OCU-hours", botocore's
savingsplans SavingsPlanRateUnit), and only hourly ones."""

from __future__ import annotations

import json

from tests.unit.signals.test_prices import NOW, TTL, FakeClients
from watchdog.cache import MemoryCache
from watchdog.kinds.opensearch_serverless_collection import OCU_PRICES
from watchdog.signals.models import PriceKey
from watchdog.signals.prices import fetch_prices

INDEXING = PriceKey(component=OCU_PRICES.name, region="us-east-1", unit="IndexingOCU")


def ocu_product(unit: str, usd: str) -> str:
    sku = "SKU" + unit.replace("-", "")
    attributes = {"usagetype": "USE1-IndexingOCU", "regionCode": "us-east-1"}
    dimension = {"unit": unit, "pricePerUnit": {"USD": usd}}
    return json.dumps(
        {
            "product": {"productFamily": "Serverless", "attributes": attributes, "sku": sku},
            "serviceCode": "AmazonES",
            "terms": {"OnDemand": {f"{sku}.T": {"priceDimensions": {f"{sku}.T.D": dimension}}}},
        }
    )


def test_an_ocu_price_in_ocu_hours_is_read_as_hourly() -> None:
    answer = [ocu_product("OCU-hours", "0.24")]
    signals = fetch_prices([INDEXING], FakeClients(lambda r, f: answer), MemoryCache(), NOW, TTL)
    price = signals.get(INDEXING)
    assert price is not None and price.usd_per_hour == 0.24 and price.basis == "price-list"


def test_an_ocu_price_in_ocu_hrs_is_read_as_hourly_too() -> None:
    # The Price List's "-Hrs" spelling of its other hourly units.
    answer = [ocu_product("OCU-Hrs", "0.24")]
    signals = fetch_prices([INDEXING], FakeClients(lambda r, f: answer), MemoryCache(), NOW, TTL)
    price = signals.get(INDEXING)
    assert price is not None and price.usd_per_hour == 0.24 and price.basis == "price-list"


def test_a_price_in_another_unit_is_not_taken_for_an_ocu_hour() -> None:
    answer = [ocu_product("GB-Mo", "0.024")]
    signals = fetch_prices([INDEXING], FakeClients(lambda r, f: answer), MemoryCache(), NOW, TTL)
    assert signals.get(INDEXING) is None
