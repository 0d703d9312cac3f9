"""A steady scan describes only the endpoint configs new since the last (inventory.kept).

Configs never change (there is no UpdateEndpointConfig): a description kept by one scan is
reused by the next while ListEndpointConfigs lists the config with the same CreationTime."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from watchdog_sandbox import backdate

from tests.functional import builders
from watchdog.cache import MemoryCache
from watchdog.inventory import ScanRequest, ScanResult, scan
from watchdog.inventory.kept import BUCKETS

ACCOUNT = "123456789012"
KEPT = f"scan-kept/{ACCOUNT}/us-east-1"


def kept_names(cache: MemoryCache) -> list[str]:
    buckets = [cache.get(f"{KEPT}/{index}") for index in range(BUCKETS)]
    return sorted(key for entry in buckets if entry is not None for key in entry.value)


def fleet(count: int) -> Any:
    sm = builders.sagemaker()
    builders.model(sm, "m")
    for index in range(count):
        builders.endpoint(sm, f"ep-{index}", f"cfg-{index}", "m", instance_type="ml.m5.xlarge")
    return sm


def describes(result: ScanResult) -> int:
    return result.stats.api_calls_by_operation.get("sagemaker:DescribeEndpointConfig", 0)


def dumped(result: ScanResult) -> list[dict[str, Any]]:
    return [record.model_dump(mode="json") for record in result.resources]


def test_a_second_scan_describes_no_config_and_finds_the_same_records(aws: None) -> None:
    fleet(5)
    cache = MemoryCache()

    first = scan(ScanRequest(), cache=cache)
    second = scan(ScanRequest(), cache=cache)

    assert (describes(first), describes(second)) == (5, 0)
    assert dumped(second) == dumped(first)
    listings = [
        r.stats.api_calls_by_operation["sagemaker:ListEndpointConfigs"] for r in (first, second)
    ]
    assert listings == [1, 1]  # the config kind's own listing, not one more


def test_a_config_deleted_and_created_again_under_its_name_is_described_again(aws: None) -> None:
    sm = fleet(2)
    cache = MemoryCache()
    scan(ScanRequest(), cache=cache)
    # AWS allows deleting a config an endpoint uses (UpdateEndpoint's note); created again, it
    # is another config with another CreationTime.
    sm.delete_endpoint_config(EndpointConfigName="cfg-0")
    sm.create_endpoint_config(
        EndpointConfigName="cfg-0",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "m",
                "InitialInstanceCount": 1,
                "InstanceType": "ml.g5.12xlarge",
            }
        ],
    )

    # Created a minute later, as it would be (versions are compared to the second).
    backdate.endpoint_config(
        ACCOUNT, "us-east-1", "cfg-0", datetime.now(UTC) + timedelta(minutes=1)
    )

    again = scan(ScanRequest(), cache=cache)

    assert describes(again) == 1
    [endpoint] = [r for r in again.resources if r.name == "ep-0"]
    assert endpoint.instance_type == "ml.g5.12xlarge"


def test_a_config_no_endpoint_uses_any_more_is_no_longer_kept(aws: None) -> None:
    sm = fleet(3)
    cache = MemoryCache()
    scan(ScanRequest(), cache=cache)
    sm.delete_endpoint(EndpointName="ep-2")
    sm.delete_endpoint_config(EndpointConfigName="cfg-2")

    scan(ScanRequest(), cache=cache)

    assert kept_names(cache) == [
        "sagemaker:DescribeEndpointConfig\x1fcfg-0",
        "sagemaker:DescribeEndpointConfig\x1fcfg-1",
    ]


def test_a_cache_that_cannot_be_written_costs_only_the_describes(aws: None) -> None:
    fleet(2)

    class Unwritable(MemoryCache):
        def put(self, key: str, value: Any, now: Any) -> None:
            raise OSError("read-only file system")

    cache = Unwritable()
    first = scan(ScanRequest(), cache=cache)
    second = scan(ScanRequest(), cache=cache)

    assert (describes(first), describes(second)) == (2, 2)
    assert not first.errors and dumped(second) == dumped(first)
