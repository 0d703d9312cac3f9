"""SageMaker Canvas sessions priced through the AWS Price List (usage type
<prefix>-Canvas:Session-Hrs, the one AWS's dev guide names), with a labelled fallback."""

from __future__ import annotations

import json

from tests.unit.signals.test_prices import NOW, TTL, FakeClients, unreachable
from watchdog.cache import MemoryCache
from watchdog.kinds import sagemaker_app
from watchdog.signals.models import PriceKey
from watchdog.signals.prices import fetch_prices

SESSION = PriceKey(
    component=sagemaker_app.CANVAS_PRICES.name, region="us-east-1", unit="Canvas:Session-Hrs"
)


def canvas_product(usagetype: str, usd: str) -> str:
    sku = "SKU" + usagetype.replace("-", "").replace(":", "")
    attributes = {"usagetype": usagetype, "regionCode": "us-east-1"}
    dimension = {"unit": "Hrs", "pricePerUnit": {"USD": usd}}
    return json.dumps(
        {
            "product": {"productFamily": "Canvas", "attributes": attributes, "sku": sku},
            "serviceCode": "AmazonSageMaker",
            "terms": {"OnDemand": {f"{sku}.T": {"priceDimensions": {f"{sku}.T.D": dimension}}}},
        }
    )


def test_the_session_hour_is_asked_for_by_region_and_usage_type() -> None:
    seen: list[dict[str, str]] = []

    def answer(region: str, filters: dict[str, str]) -> list[str]:
        seen.append(filters)
        # A free-trial "-Parent" usage type contains the same text: it is not the price.
        return [
            canvas_product("USE1-Canvas:Session-Hrs", "1.9"),
            canvas_product("USE1-Canvas:Session-Hrs-Parent", "0"),
        ]

    signals = fetch_prices([SESSION], FakeClients(answer), MemoryCache(), NOW, TTL)
    price = signals.get(SESSION)
    assert price is not None and price.usd_per_hour == 1.9 and price.basis == "price-list"
    assert seen == [{"regionCode": "us-east-1", "usagetype": "-Canvas:Session-Hrs"}]


def test_unreachable_price_list_falls_back_to_the_labelled_canvas_page_figure() -> None:
    signals = fetch_prices([SESSION], FakeClients(unreachable), MemoryCache(), NOW, TTL)
    price = signals.get(SESSION)
    assert price is not None and price.basis == "fallback" and price.usd_per_hour == 1.90
    assert "aws.amazon.com/sagemaker/canvas/pricing" in price.source
