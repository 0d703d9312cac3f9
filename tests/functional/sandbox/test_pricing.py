"""The sandbox's AWS Price List API, as a boto3 client sees it (mock_aws and server).

The figures here count the shared catalog (data/pricing_catalog.json) only: the products a
kind's own sandbox module adds (`SandboxKind.products`) are priced in that kind's tests, so a
new kind changes no count here; that every such product is served at all is checked from the
kinds' own declarations in test_pricing_kinds.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib import resources
from typing import Any

import boto3
import moto.backend_index
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.server import ThreadedMotoServer
from watchdog_sandbox import pricing

SAGEMAKER = "AmazonSageMaker"
INSTANCES = [
    "ml.t3.medium",
    "ml.m5.large",
    "ml.m5.xlarge",
    "ml.c5.xlarge",
    "ml.g4dn.xlarge",
    "ml.g5.xlarge",
    "ml.g5.2xlarge",
    "ml.g5.12xlarge",
    "ml.p4d.24xlarge",
    "ml.inf2.xlarge",
]
COMPONENTS = ["Hosting", "Notebook", "studio-jupyterlab"]
REGIONS = ["us-east-1", "us-west-2", "eu-west-1"]
# Serverless products per region: provisioned concurrency kept warm at 1, 2 and 4 GB, and the
# duration of requests it serves at 2 GB.
SERVERLESS = 4
# Studio Code Editor and Studio Classic KernelGateway (Studio-Notebook) products: four instance
# types each, in every region.
STUDIO_EXTRA = 4 * 2 * 3
ALL = (10 * 3 + SERVERLESS) * 3 + STUDIO_EXTRA
BEDROCK = "AmazonBedrock"


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A client of the shared catalog alone (no kind module's products)."""
    monkeypatch.setattr(pricing, "_sandbox_kinds", lambda: ())
    pricing.catalog.cache_clear()
    pricing.install()
    with mock_aws():
        yield boto3.client("pricing", region_name="us-east-1")
    # Before the patch is undone: the next catalog() is built with the kinds' products again.
    pricing.catalog.cache_clear()


def _term(field: str, value: str, kind: str = "TERM_MATCH") -> dict[str, str]:
    return {"Type": kind, "Field": field, "Value": value}


def _products(client: Any, *filters: dict[str, str]) -> list[dict[str, Any]]:
    pages = client.get_paginator("get_products").paginate(
        ServiceCode=SAGEMAKER, Filters=list(filters)
    )
    return [json.loads(item) for page in pages for item in page["PriceList"]]


def _usd(product: dict[str, Any]) -> str:
    (term,) = product["terms"]["OnDemand"].values()
    (dimension,) = term["priceDimensions"].values()
    usd: str = dimension["pricePerUnit"]["USD"]
    return usd


def _one(client: Any, instance: str, component: str, region: str) -> dict[str, Any]:
    (product,) = _products(
        client,
        _term("instanceName", instance),
        _term("component", component),
        _term("regionCode", region),
    )
    return product


def _error_code(excinfo: pytest.ExceptionInfo[ClientError]) -> str:
    code: str = excinfo.value.response["Error"]["Code"]
    return code


def test_get_products_returns_price_list_json_strings_in_aws_v1(client: Any) -> None:
    response = client.get_products(ServiceCode=SAGEMAKER, FormatVersion="aws_v1", MaxResults=1)
    assert response["FormatVersion"] == "aws_v1"
    (item,) = response["PriceList"]
    assert isinstance(item, str)
    document = json.loads(item)
    assert set(document) == {"product", "serviceCode", "terms", "version", "publicationDate"}
    assert set(document["product"]) == {"productFamily", "attributes", "sku"}
    (term,) = document["terms"]["OnDemand"].values()
    (dimension,) = term["priceDimensions"].values()
    assert dimension["unit"] == "Hrs"
    assert float(dimension["pricePerUnit"]["USD"]) > 0


def test_sagemaker_product_has_the_price_list_attributes(client: Any) -> None:
    product = _one(client, "ml.g5.xlarge", "Hosting", "us-east-1")
    assert product["serviceCode"] == SAGEMAKER
    assert product["product"]["productFamily"] == "ML Instance"
    assert product["product"]["attributes"] == {
        "servicecode": SAGEMAKER,
        "servicename": "Amazon SageMaker",
        "location": "US East (N. Virginia)",
        "locationType": "AWS Region",
        "regionCode": "us-east-1",
        "usagetype": "USE1-Host:ml.g5.xlarge",
        "operation": "RunInstance",
        "component": "Hosting",
        "platoinstancetype": "Hosting",
        "instanceName": "ml.g5.xlarge",
        "instanceType": "ml.g5.xlarge-Hosting",
        "vCpu": "4",
        "memory": "16 GiB",
        "gpu": "1",
        "gpuMemory": "24 GB",
    }


@pytest.mark.parametrize(
    ("instance", "component", "usd"),
    [
        ("ml.m5.xlarge", "Hosting", 0.23),
        ("ml.g5.xlarge", "Hosting", 1.408),
        ("ml.g5.2xlarge", "Hosting", 1.515),
        ("ml.t3.medium", "Notebook", 0.05),
    ],
)
def test_snapshot_us_east_1_prices_match_the_documented_snapshot(
    client: Any, instance: str, component: str, usd: float
) -> None:
    assert float(_usd(_one(client, instance, component, "us-east-1"))) == usd


@pytest.mark.parametrize(
    ("component", "region", "usagetype"),
    [
        ("Hosting", "us-east-1", "USE1-Host:ml.m5.large"),
        ("Notebook", "us-west-2", "USW2-Notebk:ml.m5.large"),
        ("studio-jupyterlab", "eu-west-1", "EU-Studio:JupyterLab-ml.m5.large"),
    ],
)
def test_usage_type_follows_component_and_region(
    client: Any, component: str, region: str, usagetype: str
) -> None:
    attributes = _one(client, "ml.m5.large", component, region)["product"]["attributes"]
    assert attributes["usagetype"] == usagetype


def test_every_instance_component_and_region_has_one_price(client: Any) -> None:
    keys = [
        (a["instanceName"], a["component"], a["regionCode"])
        for a in (
            p["product"]["attributes"]
            for p in _products(client, _term("productFamily", "ML Instance"))
        )
        if "component" in a
    ]
    assert sorted(keys) == sorted((i, c, r) for i in INSTANCES for c in COMPONENTS for r in REGIONS)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (_term("instanceName", "ml.g5", "CONTAINS"), 3 * 3 * 3 + 2 * 3),
        (
            _term("instanceName", "ml.g5.xlarge,ml.t3.medium", "ANY_OF"),
            2 * 3 * 3 + 2 * 2 * 3,
        ),
        (
            _term("component", "Hosting,Notebook", "NONE_OF"),
            10 * 3 + SERVERLESS * 3 + STUDIO_EXTRA,
        ),
        (
            _term("regionCode", "eu-west-1", "EQUALS"),
            10 * 3 + SERVERLESS + STUDIO_EXTRA // 3,
        ),
        (_term("ServiceCode", SAGEMAKER), ALL),
        (_term("productFamily", "ML Serverless"), SERVERLESS * 3),
        (_term("productFamily", "ML Instance"), 10 * 3 * 3 + STUDIO_EXTRA),
        (_term("instanceName", "ml.G5.XLARGE"), 0),
    ],
)
def test_filter_types_select_products(client: Any, rule: dict[str, str], expected: int) -> None:
    assert len(_products(client, rule)) == expected


def test_provisioned_concurrency_is_an_ml_serverless_product_priced_per_second(
    client: Any,
) -> None:
    (product,) = _products(
        client,
        _term("regionCode", "us-east-1"),
        _term("productFamily", "ML Serverless"),
        _term("group", "ServerlessProvisionedConcurrency-Usage"),
        _term("memorygb", "2"),
    )
    attributes = product["product"]["attributes"]
    assert attributes["usagetype"] == "USE1-ProvisionedConcurrency:Usage-2GB"
    assert attributes["operation"] == "Serverless"
    assert "instanceName" not in attributes and "component" not in attributes
    (term,) = product["terms"]["OnDemand"].values()
    (dimension,) = term["priceDimensions"].values()
    assert (dimension["unit"], dimension["pricePerUnit"]["USD"]) == ("seconds", "0.0000100000")


def test_unknown_service_code_has_no_products(client: Any) -> None:
    assert client.get_products(ServiceCode="AmazonNothing")["PriceList"] == []


def test_get_products_pages_with_max_results_and_next_token(client: Any) -> None:
    first = client.get_products(ServiceCode=SAGEMAKER, MaxResults=7)
    assert len(first["PriceList"]) == 7
    skus: list[str] = []
    token: str | None = None
    while True:
        extra = {"NextToken": token} if token else {}
        page = client.get_products(ServiceCode=SAGEMAKER, MaxResults=40, **extra)
        skus += [json.loads(item)["product"]["sku"] for item in page["PriceList"]]
        token = page.get("NextToken")
        if not token:
            break
    assert len(skus) == len(set(skus)) == ALL


def test_invalid_next_token_is_refused(client: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        client.get_products(ServiceCode=SAGEMAKER, NextToken="%%%")
    assert _error_code(excinfo) == "InvalidNextTokenException"


def test_unknown_format_version_is_an_invalid_parameter(client: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        client.get_products(ServiceCode=SAGEMAKER, FormatVersion="aws_v2")
    assert _error_code(excinfo) == "InvalidParameterException"


@pytest.mark.parametrize("region", ["ap-south-1", "eu-central-1"])
def test_other_endpoint_regions_answer_too(client: Any, region: str) -> None:
    other = boto3.client("pricing", region_name=region)
    assert other.get_products(ServiceCode=SAGEMAKER, MaxResults=1)["PriceList"]


def test_a_region_without_an_endpoint_is_refused(client: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        boto3.client("pricing", region_name="eu-west-1").get_products(ServiceCode=SAGEMAKER)
    assert _error_code(excinfo) == "EndpointNotAvailableException"


def test_describe_services_lists_the_attribute_names(client: Any) -> None:
    (service,) = client.describe_services(ServiceCode=SAGEMAKER)["Services"]
    assert service["ServiceCode"] == SAGEMAKER
    names = set(service["AttributeNames"])
    assert {"instanceName", "component", "regionCode", "usagetype", "productFamily"} <= names
    services = client.describe_services()["Services"]
    codes = [s["ServiceCode"] for s in services]
    assert codes == [BEDROCK, SAGEMAKER] and service in services


def test_describe_services_for_an_unknown_service_is_not_found(client: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        client.describe_services(ServiceCode="AmazonNothing")
    assert _error_code(excinfo) == "NotFoundException"


def test_get_attribute_values_lists_distinct_values_in_pages(client: Any) -> None:
    response = client.get_attribute_values(ServiceCode=SAGEMAKER, AttributeName="component")
    assert [v["Value"] for v in response["AttributeValues"]] == sorted(COMPONENTS)
    pages = client.get_paginator("get_attribute_values").paginate(
        ServiceCode=SAGEMAKER, AttributeName="regionCode", PaginationConfig={"PageSize": 1}
    )
    assert [v["Value"] for page in pages for v in page["AttributeValues"]] == sorted(REGIONS)


def test_catalog_labels_snapshot_figures_and_sandbox_figures() -> None:
    text = resources.files("watchdog_sandbox").joinpath("data/pricing_catalog.json").read_text()
    rows = json.loads(text)["prices"]
    assert {row["source"] for row in rows} == {"snapshot", "sandbox"}
    serverless = json.loads(text)["serverlessPrices"]
    assert {row["source"] for row in serverless} == {"derived", "sandbox"}
    (derived,) = (row for row in serverless if row["source"] == "derived")
    assert (derived["memorygb"], derived["usd"]["us-east-1"]) == ("2", "0.00001")
    snapshot = {(row["component"], row["instance"]) for row in rows if row["source"] == "snapshot"}
    assert snapshot == {
        ("Hosting", "ml.m5.xlarge"),
        ("Hosting", "ml.g5.xlarge"),
        ("Hosting", "ml.g5.2xlarge"),
        ("Notebook", "ml.t3.medium"),
    }
    # No citable Bedrock provisioned throughput figure: every one is a sandbox figure.
    bedrock = json.loads(text)["bedrock"]["throughputPrices"]
    assert bedrock and {row["source"] for row in bedrock} == {"sandbox"}


def test_install_is_idempotent() -> None:
    pricing.install()
    pricing.install()
    names = [name for name, _ in moto.backend_index.backend_url_patterns]
    assert names.count("pricing") == 1


def test_server_mode_answers_get_products_and_refuses_other_regions() -> None:
    pricing.install()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        client = boto3.client("pricing", region_name="us-east-1", endpoint_url=url)
        (item,) = client.get_products(
            ServiceCode=SAGEMAKER,
            Filters=[
                _term("instanceName", "ml.t3.medium"),
                _term("component", "Notebook"),
                _term("regionCode", "us-east-1"),
            ],
        )["PriceList"]
        assert float(_usd(json.loads(item))) == 0.05
        elsewhere = boto3.client("pricing", region_name="eu-west-1", endpoint_url=url)
        with pytest.raises(ClientError) as excinfo:
            elsewhere.describe_services()
        assert _error_code(excinfo) == "EndpointNotAvailableException"
    finally:
        server.stop()


# --- Studio apps and Bedrock provisioned throughput ------------------------------------------


@pytest.mark.parametrize(
    ("plato", "usagetype"),
    [
        ("Studio-JupyterLab", "USE1-Studio:JupyterLab-ml.t3.medium"),
        ("studio-codeeditor", "USE1-Studio:CodeEditor-ml.t3.medium"),
        ("Studio-Notebook", "USE1-Studio:KernelGateway-ml.t3.medium"),
    ],
)
def test_studio_products_are_found_by_platoinstancetype_and_bare_instance_type(
    client: Any, plato: str, usagetype: str
) -> None:
    (product,) = _products(
        client,
        _term("regionCode", "us-east-1"),
        _term("instanceType", "ml.t3.medium"),
        _term("platoinstancetype", plato),
    )
    assert product["product"]["attributes"]["usagetype"] == usagetype


def test_bedrock_throughput_products_have_the_amazon_bedrock_shape(client: Any) -> None:
    pages = client.get_paginator("get_products").paginate(
        ServiceCode=BEDROCK,
        Filters=[
            _term("regionCode", "us-east-1"),
            _term("usagetype", "-TitanTextG1-Express-ProvisionedThroughput-", "CONTAINS"),
        ],
    )
    products = [json.loads(item) for page in pages for item in page["PriceList"]]
    by_usage = {p["product"]["attributes"]["usagetype"]: p for p in products}
    assert sorted(by_usage) == [
        "USE1-TitanTextG1-Express-ProvisionedThroughput-1month-ModelUnits",
        "USE1-TitanTextG1-Express-ProvisionedThroughput-6months-ModelUnits",
        "USE1-TitanTextG1-Express-ProvisionedThroughput-NoCommit-ModelUnits",
    ]
    hourly = by_usage["USE1-TitanTextG1-Express-ProvisionedThroughput-NoCommit-ModelUnits"]
    assert hourly["serviceCode"] == BEDROCK and hourly["product"]["productFamily"] is None
    attributes = hourly["product"]["attributes"]
    assert attributes["feature"] == "Provisioned Throughput Inference - no commit"
    assert attributes["model"] == "Amazon Bedrock"
    (term,) = hourly["terms"]["OnDemand"].values()
    (dimension,) = term["priceDimensions"].values()
    assert dimension["unit"] == "hour"
    # Not in the AmazonSageMaker answer.
    assert not client.get_products(
        ServiceCode=SAGEMAKER, Filters=[_term("usagetype", "ProvisionedThroughput", "CONTAINS")]
    )["PriceList"]
