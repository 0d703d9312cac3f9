"""Every product a kind's own sandbox module declares (`SandboxKind.products`) is served by the
sandbox's Price List, under its service code: read from the declarations, so a new kind is
checked without editing this file."""

from __future__ import annotations

import json
from importlib import resources

import boto3
from moto import mock_aws
from watchdog_sandbox import pricing
from watchdog_sandbox.kinds import sandbox_kinds


def test_every_kind_modules_products_are_served_under_their_service_code() -> None:
    pricing.install()
    data = json.loads(
        resources.files("watchdog_sandbox").joinpath("data/pricing_catalog.json").read_text()
    )
    declared = [p for kind in sandbox_kinds() for p in kind.products(data)]
    assert declared, "no kind module declares products: this check would see nothing"
    with mock_aws():
        client = boto3.client("pricing", region_name="us-east-1")
        for code in sorted({p["serviceCode"] for p in declared}):
            pages = client.get_paginator("get_products").paginate(ServiceCode=code)
            served = {
                json.loads(item)["product"]["sku"] for page in pages for item in page["PriceList"]
            }
            assert {p["product"]["sku"] for p in declared if p["serviceCode"] == code} <= served
