"""The AWS Price List Query API (`pricing`), which moto lacks, serving a small sandbox catalog.

GetProducts, DescribeServices and GetAttributeValues (JSON protocol, target
`AWSPriceListService`), with moto parsing requests and serializing responses from botocore's
pricing model. `PriceList` holds JSON strings shaped like the real ones
(`{"product": {"productFamily", "attributes", "sku"}, "serviceCode", "terms": {"OnDemand": ...},
"version", "publicationDate"}`); the prices come from `data/pricing_catalog.json`, whose `_about`
says which figures are a recorded snapshot and which are made up.

moto has no module for this service, so `install()` registers one the way moto finds its own:
- in-process (`mock_aws`), botocore's stubber matches the request URL against
  `moto.backend_index.backend_url_patterns`, then calls `moto.backends.get_backend(name)`, which
  imports `moto.<name>` and reads `<name>_backends`; the backend's `urls` give the handler;
- in `moto_server`, the dispatcher derives the host `pricing.<region>.amazonaws.com` from the
  SigV4 credential scope, matches it against the same patterns and builds an app from the
  backend's `url_paths`.
So: one URL pattern covering both hosts, a `moto.pricing` entry in `sys.modules` exposing
`pricing_backends`, and a backend whose URL module is this one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import sys
import types
from functools import cache
from importlib import resources
from typing import Any

import moto.backend_index
from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.exceptions import JsonRESTError, ServiceException
from moto.core.responses import ActionResult, BaseResponse

SERVICE = "pricing"
# The API reference names api.pricing.us-east-1 and api.pricing.ap-south-1; botocore's
# endpoints.json (AWS-generated) adds eu-central-1. Any other region has no endpoint at all.
ENDPOINT_REGIONS = ("us-east-1", "eu-central-1", "ap-south-1")
FORMAT_VERSION = "aws_v1"
_URL_BASE = r"https?://(?:api\.)?pricing\.(.+)\.amazonaws\.com"
# AWS's fixed codes for on-demand terms and their hourly price dimension.
_ON_DEMAND, _HOURLY = "JRTCKXETXF", "6YS6EN2CT7"


class InvalidParameterException(ServiceException):
    code = "InvalidParameterException"


class NotFoundException(ServiceException):
    code = "NotFoundException"


class InvalidNextTokenException(ServiceException):
    code = "InvalidNextTokenException"


class EndpointNotAvailableError(JsonRESTError):
    """Stand-in for the DNS failure a client meets on AWS in a region without an endpoint.

    Not a modelled pricing error (there is none for this), hence a plain JSON error, status 400,
    which botocore raises as a non-retryable ClientError."""

    def __init__(self, region: str) -> None:
        super().__init__(
            "EndpointNotAvailableException",
            f"There is no Price List API endpoint in {region}; "
            f"use one of {', '.join(ENDPOINT_REGIONS)}",
        )


def product_sku(*parts: str) -> str:
    digest = hashlib.sha256("|".join(parts).encode()).digest()
    return base64.b32encode(digest).decode()[:16]


def _sandbox_kinds() -> tuple[Any, ...]:
    from watchdog_sandbox.kinds import sandbox_kinds

    return sandbox_kinds()


@cache
def catalog() -> tuple[dict[str, Any], ...]:
    """Every product of the sandbox catalog as a decoded price-list document, sorted by SKU.

    AmazonSageMaker instances: productFamily "ML Instance", a clean `instanceName`, an
    `instanceType` suffixed "-Hosting"/"-Notebook" but bare for Studio, `component` for Hosting
    and Notebook, `platoinstancetype` on all (Hosting, Notebook, Studio-JupyterLab,
    studio-codeeditor, Studio-Notebook for Studio Classic's KernelGateway), usage types such as
    USE1-Notebk:ml.t3.medium and USE1-Studio:KernelGateway-ml.t3.medium; `operation`
    "RunInstance" is confirmed in public code for Hosting only. Serverless products follow the
    same sources: productFamily "ML Serverless", a `group` per charge, operation "Serverless",
    `memorygb` "1".."6", usage types like USE1-ProvisionedConcurrency:Usage-2GB, and prices per
    second. AmazonBedrock provisioned throughput: no productFamily, `model` "Amazon Bedrock" for
    Titan, usage types like USE1-TitanTextG1-Express-ProvisionedThroughput-NoCommit-ModelUnits,
    a `feature` naming the term, priced per "hour". Sources: watchdog.kinds._prices and
    watchdog.kinds._bedrock_prices.
    """
    data = json.loads(
        resources.files("watchdog_sandbox").joinpath("data/pricing_catalog.json").read_text()
    )
    products = [
        *instance_products(data),
        *_serverless_products(data),
        *_bedrock_products(data),
        # Kinds with their own sandbox module bring their products (watchdog_sandbox.kinds);
        # imported here, not at the top: those modules build on this one's document().
        *(p for declared in _sandbox_kinds() for p in declared.products(data)),
    ]
    return tuple(sorted(products, key=lambda p: str(p["product"]["sku"])))


def instance_products(data: dict[str, Any]) -> list[dict[str, Any]]:
    """AmazonSageMaker instance products of `data`'s components and price rows (a kind's
    sandbox module passes its own, with the catalog's header)."""
    products = []
    for row in data["prices"]:
        component = data["components"][row["component"]]
        instance = row["instance"]
        for region, usd in row["usd"].items():
            place = data["regions"][region]
            attributes = {
                "usagetype": f"{place['usagePrefix']}-"
                + component["usage"].format(instance=instance),
                "operation": "RunInstance",
                **({"component": component["component"]} if component.get("component") else {}),
                "platoinstancetype": component["platoinstancetype"],
                "instanceName": instance,
                "instanceType": component["instanceType"].format(instance=instance),
                **data["instances"][instance],
            }
            description = f"${usd} per {component['label']} {instance} hour"
            sku = product_sku(data["serviceCode"], row["component"], instance, region)
            products.append(
                document(data, region, sku, "ML Instance", attributes, (usd, "Hrs", description))
            )
    return products


def _serverless_products(data: dict[str, Any]) -> list[dict[str, Any]]:
    products = []
    for row in data["serverlessPrices"]:
        group = data["serverlessGroups"][row["group"]]
        gb = row["memorygb"]
        for region, usd in row["usd"].items():
            place = data["regions"][region]
            attributes = {
                "usagetype": f"{place['usagePrefix']}-" + group["usage"].format(gb=gb),
                "operation": "Serverless",
                "group": row["group"],
                "memorygb": gb,
            }
            description = f"${usd} per second of {group['label']} at {gb} GB"
            sku = product_sku(data["serviceCode"], row["group"], gb, region)
            price = (usd, "seconds", description)
            products.append(document(data, region, sku, "ML Serverless", attributes, price))
    return products


def _bedrock_products(data: dict[str, Any]) -> list[dict[str, Any]]:
    bedrock = {**data, **data["bedrock"]}  # its own service code and name, the same regions
    products = []
    for row in bedrock["throughputPrices"]:
        term = bedrock["terms"][row["term"]]
        for region, usd in row["usd"].items():
            place = data["regions"][region]
            attributes = {
                "usagetype": f"{place['usagePrefix']}-{row['model']}-ProvisionedThroughput-"
                f"{row['term']}-ModelUnits",
                "model": row["modelName"],
                "feature": f"Provisioned Throughput Inference - {term}",
            }
            description = f"${usd} per model unit hour of {row['model']} ({term})"
            sku = product_sku(bedrock["serviceCode"], row["model"], row["term"], region)
            price = (usd, "hour", description)
            products.append(document(bedrock, region, sku, None, attributes, price))
    return products


def document(
    data: dict[str, Any],
    region: str,
    sku: str,
    family: str | None,
    attributes: dict[str, str],
    price: tuple[str, str, str],
) -> dict[str, Any]:
    """One product as GetProducts returns it: product, serviceCode, on-demand terms, version.
    `family` None: the product has none (AmazonBedrock's have a null productFamily)."""
    usd, unit, description = price
    place = data["regions"][region]
    term = f"{sku}.{_ON_DEMAND}"
    dimension = {
        "rateCode": f"{term}.{_HOURLY}",
        "description": f"{description} in {place['location']}",
        "beginRange": "0",
        "endRange": "Inf",
        "unit": unit,
        "pricePerUnit": {"USD": f"{float(usd):.10f}"},
        "appliesTo": [],
    }
    on_demand = {
        "offerTermCode": _ON_DEMAND,
        "sku": sku,
        "effectiveDate": data["publicationDate"],
        "priceDimensions": {dimension["rateCode"]: dimension},
        "termAttributes": {},
    }
    common = {
        "servicecode": data["serviceCode"],
        "servicename": data["serviceName"],
        "location": place["location"],
        "locationType": "AWS Region",
        "regionCode": region,
    }
    return {
        "product": {"productFamily": family, "attributes": {**common, **attributes}, "sku": sku},
        "serviceCode": data["serviceCode"],
        "terms": {"OnDemand": {term: on_demand}},
        "version": data["version"],
        "publicationDate": data["publicationDate"],
    }


def _field(product: dict[str, Any], name: str) -> str | None:
    if name == "ServiceCode":
        return str(product["serviceCode"])
    if name in ("productFamily", "sku"):
        value = product["product"][name]
        return None if value is None else str(value)
    value = product["product"]["attributes"].get(name)
    return None if value is None else str(value)


def _matches(product: dict[str, Any], rule: dict[str, str]) -> bool:
    """One GetProducts filter. ANY_OF / NONE_OF take a comma-separated Value (an assumption: the
    reference names the types without giving the value format)."""
    kind, actual, value = rule["Type"], _field(product, rule["Field"]), rule["Value"]
    if kind in ("TERM_MATCH", "EQUALS"):
        return actual == value
    if kind == "CONTAINS":
        return actual is not None and value in actual
    choices = {v.strip() for v in value.split(",")}
    if kind == "ANY_OF":
        return actual in choices
    if kind == "NONE_OF":
        return actual not in choices
    raise InvalidParameterException(f"Invalid filter type: {kind}")


def _page(items: list[Any], keys: list[str], token: str | None, size: int) -> tuple[list[Any], str]:
    """Keyset pagination: the token names the last key returned, so it survives changes."""
    start = 0
    if token:
        try:
            last = json.loads(base64.b64decode(token, altchars=b"-_", validate=True))["after"]
        except (ValueError, TypeError, KeyError, binascii.Error) as error:
            raise InvalidNextTokenException("The pagination token is invalid.") from error
        start = next((i for i, key in enumerate(keys) if key > str(last)), len(keys))
    end = start + size
    if end >= len(items):
        return items[start:], ""
    next_token = base64.urlsafe_b64encode(json.dumps({"after": keys[end - 1]}).encode())
    return items[start:end], next_token.decode()


class PricingResponse(BaseResponse):
    def __init__(self) -> None:
        super().__init__(service_name=SERVICE)
        self.automated_parameter_parsing = True

    def _checked(self, limit: int) -> tuple[int, str | None]:
        if self.region not in ENDPOINT_REGIONS:
            raise EndpointNotAvailableError(self.region)
        version = self._get_param("FormatVersion") or FORMAT_VERSION
        if version != FORMAT_VERSION:
            raise InvalidParameterException(f"Invalid FormatVersion: {version}")
        size = int(self._get_param("MaxResults") or limit)
        if not 1 <= size <= limit:
            raise InvalidParameterException(f"MaxResults must be between 1 and {limit}")
        return size, self._get_param("NextToken")

    def _service(self, required: bool) -> list[dict[str, Any]]:
        code = self._get_param("ServiceCode")
        products = [p for p in catalog() if not code or p["serviceCode"] == code]
        if code and not products and required:
            raise NotFoundException(f"Service {code} not found")
        return products

    def get_products(self) -> ActionResult:
        size, token = self._checked(100)
        products = [
            p
            for p in self._service(required=False)
            if all(_matches(p, rule) for rule in self._get_param("Filters") or [])
        ]
        keys = [str(p["product"]["sku"]) for p in products]
        page, next_token = _page(products, keys, token, size)
        result = {"FormatVersion": FORMAT_VERSION, "PriceList": [json.dumps(p) for p in page]}
        return ActionResult({**result, "NextToken": next_token} if next_token else result)

    def describe_services(self) -> ActionResult:
        size, token = self._checked(100)
        names: dict[str, set[str]] = {}
        for product in self._service(required=True):
            names.setdefault(product["serviceCode"], set()).update(product["product"]["attributes"])
        services = [
            {"ServiceCode": code, "AttributeNames": sorted(names[code] | {"productFamily"})}
            for code in sorted(names)
        ]
        page, next_token = _page(services, sorted(names), token, size)
        result = {"FormatVersion": FORMAT_VERSION, "Services": page}
        return ActionResult({**result, "NextToken": next_token} if next_token else result)

    def get_attribute_values(self) -> ActionResult:
        size, token = self._checked(10000)
        name = self._get_param("AttributeName")
        found = {_field(p, name) for p in self._service(required=True)}
        values = sorted(v for v in found if v is not None)
        page, next_token = _page(values, values, token, size)
        result: dict[str, Any] = {"AttributeValues": [{"Value": v} for v in page]}
        return ActionResult({**result, "NextToken": next_token} if next_token else result)


# What moto reads from a service's `urls` module.
url_bases = [_URL_BASE]
url_paths = {"{0}/$": PricingResponse.dispatch}


class PricingBackend(BaseBackend):
    """Stateless: the catalog is shared. It exists because moto routes through a backend."""

    @property
    def _url_module(self) -> Any:
        # moto derives the URL module from the backend's module name ("...models" -> "...urls").
        return sys.modules[__name__]


pricing_backends = BackendDict(PricingBackend, SERVICE)


def install() -> None:
    """Register the service with moto in place (idempotent)."""
    if not any(name == SERVICE for name, _ in moto.backend_index.backend_url_patterns):
        # In place, and first: the server's dispatcher holds a reference to this very list.
        moto.backend_index.backend_url_patterns.insert(0, (SERVICE, re.compile(_URL_BASE)))
    if "moto.pricing" not in sys.modules:
        module = types.ModuleType("moto.pricing", "Price List API (watchdog_sandbox.pricing)")
        module.pricing_backends = pricing_backends  # type: ignore[attr-defined]
        sys.modules["moto.pricing"] = module
