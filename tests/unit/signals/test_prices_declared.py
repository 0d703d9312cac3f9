"""Price components declared by the kinds: Bedrock provisioned throughput by commitment term,
every Studio app type, and a signals stage that names no kind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from tests.unit.signals.test_prices import NOW, TTL, FakeClients, unreachable
from watchdog.cache import MemoryCache
from watchdog.evaluate.cost import monthly_cost
from watchdog.kinds import PRICE_COMPONENTS, kind_names, sagemaker_app
from watchdog.kinds import bedrock_provisioned_throughput as pt_kind
from watchdog.signals import prices
from watchdog.signals.models import PriceKey, Signals
from watchdog.signals.prices import fetch_prices

BASE = "amazon.titan-text-express-v1:0:8k"
NO_COMMITMENT = PriceKey(component="bedrock-provisioned-throughput", region="us-east-1", unit=BASE)
ONE_MONTH = NO_COMMITMENT.model_copy(update={"term": "1-month commitment"})
SIX_MONTHS = NO_COMMITMENT.model_copy(update={"term": "6-month commitment"})


def bedrock_product(usagetype: str, usd: str, *, feature: str = "") -> str:
    """One AmazonBedrock provisioned throughput product as GetProducts returns it: no
    productFamily, the generic model name Titan products carry, a price per hour."""
    sku = "SKU" + usagetype.replace("-", "")
    attributes = {"usagetype": usagetype, "model": "Amazon Bedrock", "regionCode": "us-east-1"}
    if feature:
        attributes["feature"] = feature
    return json.dumps(
        {
            "product": {"productFamily": None, "attributes": attributes, "sku": sku},
            "serviceCode": "AmazonBedrock",
            "terms": {
                "OnDemand": {
                    f"{sku}.T": {
                        "priceDimensions": {
                            f"{sku}.T.D": {"unit": "hour", "pricePerUnit": {"USD": usd}}
                        }
                    }
                }
            },
            "publicationDate": "2026-02-01T00:00:00Z",
        }
    )


TITAN_THROUGHPUT = [
    bedrock_product("USE1-TitanTextG1-Express-ProvisionedThroughput-NoCommit-ModelUnits", "30"),
    bedrock_product("USE1-TitanTextG1-Express-ProvisionedThroughput-1month-ModelUnits", "20"),
    bedrock_product("USE1-TitanTextG1-Express-ProvisionedThroughput-6months-ModelUnits", "15"),
]


def titan_catalog(region: str, filters: dict[str, str]) -> list[str]:
    del region
    wanted = "-TitanTextG1-Express-ProvisionedThroughput-"
    return TITAN_THROUGHPUT if filters.get("usagetype") == wanted else []


def test_bedrock_throughput_is_asked_of_amazon_bedrock_by_region_and_usage_type() -> None:
    seen: list[dict[str, str]] = []

    def answer(region: str, filters: dict[str, str]) -> list[str]:
        seen.append(filters)
        return titan_catalog(region, filters)

    clients = FakeClients(answer)
    fetch_prices([NO_COMMITMENT], clients, MemoryCache(), NOW, TTL)
    assert seen == [
        {"regionCode": "us-east-1", "usagetype": "-TitanTextG1-Express-ProvisionedThroughput-"}
    ]
    assert clients.pricing["us-east-1"].service_codes == ["AmazonBedrock"]
    spec = PRICE_COMPONENTS["bedrock-provisioned-throughput"]
    filters = spec.filters(NO_COMMITMENT)
    assert filters is not None and filters[1]["Type"] == "CONTAINS"


def test_the_offer_is_the_one_of_the_commitment_term_bought() -> None:
    signals = fetch_prices(
        [NO_COMMITMENT, ONE_MONTH, SIX_MONTHS], FakeClients(titan_catalog), MemoryCache(), NOW, TTL
    )
    found = {key.term: signals.get(key) for key in (NO_COMMITMENT, ONE_MONTH, SIX_MONTHS)}
    assert {term: p.usd_per_hour for term, p in found.items() if p} == {
        None: 30.0,
        "1-month commitment": 20.0,
        "6-month commitment": 15.0,
    }
    assert all(p is not None and p.basis == "price-list" for p in found.values())
    assert signals.errors == ()


def test_the_term_is_also_read_from_the_feature() -> None:
    item = bedrock_product(
        "USE1-Something-ModelUnits", "22", feature="Provisioned Throughput Inference - 1 month"
    )
    accepts = PRICE_COMPONENTS["bedrock-provisioned-throughput"].accepts
    assert accepts is not None

    def offers(key: PriceKey) -> list[float]:
        found = prices.parse_hourly_offers([item], accepts=lambda a: accepts(key, a))
        return [o.usd_per_hour for o in found]

    assert offers(ONE_MONTH) == [22.0]
    assert offers(SIX_MONTHS) == [] and offers(NO_COMMITMENT) == []


def test_a_term_without_a_product_is_unknown_not_the_no_commitment_price() -> None:
    only_hourly = TITAN_THROUGHPUT[:1]
    signals = fetch_prices(
        [SIX_MONTHS], FakeClients(lambda r, f: only_hourly), MemoryCache(), NOW, TTL
    )
    assert signals.get(SIX_MONTHS) is None
    assert signals.errors == (
        f"no price known for Bedrock provisioned throughput for {BASE}, 6-month commitment in "
        "us-east-1: the AWS Price List has no such product",
    )


def test_a_base_model_without_a_known_price_list_name_is_not_asked_about() -> None:
    odd = NO_COMMITMENT.model_copy(update={"unit": "vendor.unknown-model-v1:0"})
    signals = fetch_prices([odd], FakeClients(titan_catalog), MemoryCache(), NOW, TTL)
    assert signals.pricing_calls == 0
    assert signals.errors == (
        "no price known for Bedrock provisioned throughput for vendor.unknown-model-v1:0 in "
        "us-east-1: the watchdog does not know how the AWS Price List names Bedrock "
        "provisioned throughput",
    )


def test_unreachable_api_leaves_bedrock_unknown_without_a_table_row() -> None:
    signals = fetch_prices([SIX_MONTHS], FakeClients(unreachable), MemoryCache(), NOW, TTL)
    assert signals.get(SIX_MONTHS) is None
    (error,) = signals.errors
    assert "6-month commitment in us-east-1: Pricing API unavailable" in error
    assert error.endswith("not in the shipped fallback table")


def test_unreachable_api_uses_a_table_row_of_the_same_term_labelled_fallback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    table = prices._FallbackTable(
        {prices.price_key_id(SIX_MONTHS): (15.0, "a test row", "2026-01-01")}
    )
    monkeypatch.setattr(prices, "fallback_table", lambda: table)
    signals = fetch_prices(
        [SIX_MONTHS, NO_COMMITMENT], FakeClients(unreachable), MemoryCache(), NOW, TTL
    )
    price = signals.get(SIX_MONTHS)
    assert price is not None and price.basis == "fallback" and price.usd_per_hour == 15.0
    assert price.source == "shipped fallback table (snapshot 2026-01-01; a test row)"
    assert signals.get(NO_COMMITMENT) is None  # another term's row is not this term's price


def _throughput(commitment: str | None) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "provisionedModelArn": "arn:aws:bedrock:us-east-1:111122223333:provisioned-model/abc",
        "provisionedModelName": "pt",
        "modelArn": f"arn:aws:bedrock:us-east-1::foundation-model/{BASE}",
        "foundationModelArn": f"arn:aws:bedrock:us-east-1::foundation-model/{BASE}",
        "status": "InService",
        "modelUnits": 2,
    }
    if commitment:
        summary["commitmentDuration"] = commitment
    return summary


@pytest.mark.parametrize(
    ("commitment", "term"),
    [(None, None), ("OneMonth", "1-month commitment"), ("SixMonths", "6-month commitment")],
)
def test_a_throughput_is_priced_by_its_commitment_term(
    commitment: str | None, term: str | None
) -> None:
    record = pt_kind.to_record("111122223333", "us-east-1", _throughput(commitment), {})
    (unit,) = pt_kind.price_units(record)
    assert unit.key == NO_COMMITMENT.model_copy(update={"term": term}) and unit.count == 2


# --- Studio apps ---------------------------------------------------------------------------


def test_kernel_gateway_apps_are_asked_for_as_studio_notebook_instances() -> None:
    seen: list[dict[str, str]] = []

    def answer(region: str, filters: dict[str, str]) -> list[str]:
        seen.append(filters)
        return []

    kg = PriceKey(component="studio-kernelgateway", region="us-east-1", unit="ml.t3.medium")
    fetch_prices([kg], FakeClients(answer), MemoryCache(), NOW, TTL)
    assert seen == [
        {
            "regionCode": "us-east-1",
            "instanceType": "ml.t3.medium",
            "platoinstancetype": "Studio-Notebook",
        }
    ]


def test_every_studio_app_type_is_priced_or_says_why_not() -> None:
    model = botocore.session.get_session().get_service_model("sagemaker")
    app_types = set(model.shape_for("AppType").enum)
    declared = {
        *sagemaker_app.APP_PRICES,
        *sagemaker_app.NOT_BILLED,
        *sagemaker_app.UNPRICED,
        sagemaker_app.CANVAS,
    }
    assert app_types <= declared
    for spec in sagemaker_app.APP_PRICES.values():
        assert PRICE_COMPONENTS[spec.name] is spec


def test_a_canvas_app_bills_one_session_hour_per_hour_and_a_jupyter_server_none() -> None:
    app = {
        "DomainId": "d-1",
        "UserProfileName": "alice",
        "AppType": "Canvas",
        "AppName": "default",
        "Status": "InService",
        "ResourceSpec": {"InstanceType": "system"},
    }
    record = sagemaker_app.to_record("1", "us-east-1", app, "arn:app", {}, "user-profile", "p")
    assert record.billing.mode == "on-demand" and "price_note" not in record.attributes
    (units,) = sagemaker_app.price_units(record)
    assert units.count == 1 and units.key.unit == "Canvas:Session-Hrs"
    assert PRICE_COMPONENTS[units.key.component] is sagemaker_app.CANVAS_PRICES
    server = sagemaker_app.to_record(
        "1", "us-east-1", {**app, "AppType": "JupyterServer"}, "arn:s", {}, "user-profile", "p"
    )
    assert server.billing.mode == "none" and "price_note" not in server.attributes


# --- the signals stage names no kind --------------------------------------------------------


@pytest.mark.parametrize("module", ["prices.py", "models.py"])
def test_the_price_stage_spells_no_kind_and_no_component(module: str) -> None:
    text = (Path(prices.__file__).parent / module).read_text()
    kinds = kind_names()
    assert kinds and not [kind for kind in kinds if kind in text]
    assert not [name for name in PRICE_COMPONENTS if f'"{name}"' in text]


def test_an_unpriced_app_type_cost_gives_its_reason() -> None:
    app = {
        "DomainId": "d-1",
        "SpaceName": "team",
        "AppType": "DetailedProfiler",
        "AppName": "default",
        "Status": "InService",
        "ResourceSpec": {"InstanceType": "ml.m5.large"},
    }
    record = sagemaker_app.to_record("1", "us-east-1", app, "arn:app", {}, "space", "s")
    cost = monthly_cost(record, Signals())
    assert cost.usd is None and cost.basis == "unknown"
    assert cost.source.startswith("no AWS Price List product is known for SageMaker Debugger")
