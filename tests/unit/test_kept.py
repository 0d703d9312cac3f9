"""inventory.kept: a region's kept descriptions, spread over buckets small enough for DynamoDB."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from watchdog.cache import MemoryCache
from watchdog.inventory.kept import BUCKETS, KeptDescriptions

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)
DYNAMODB_ITEM_LIMIT = 400 * 1024
PREFIX = "scan-kept/123456789012/us-east-1"


class CountingCache(MemoryCache):
    def __init__(self) -> None:
        super().__init__()
        self.gets: list[str] = []
        self.puts: list[str] = []

    def get(self, key: str) -> Any:
        self.gets.append(key)
        return super().get(key)

    def put(self, key: str, value: Any, now: datetime) -> None:
        self.puts.append(key)
        super().put(key, value, now)


def config(index: int) -> dict[str, Any]:
    """About the size of a real one-variant DescribeEndpointConfig's kept fields."""
    name = f"team-a-llama-3-8b-instruct-config-{index:05d}"
    return {
        "EndpointConfigName": name,
        "EndpointConfigArn": f"arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/{name}",
        "ProductionVariants": [
            {
                "VariantName": "AllTraffic",
                "ModelName": f"team-a-llama-3-8b-instruct-{index:05d}",
                "InitialInstanceCount": 1,
                "InstanceType": "ml.g5.2xlarge",
                "InitialVariantWeight": 1.0,
            }
        ],
    }


def scan_keeping(cache: CountingCache, count: int, now: datetime = NOW) -> KeptDescriptions:
    kept = KeptDescriptions(cache, "123456789012", "us-east-1")
    for index in range(count):
        key = ("sagemaker:DescribeEndpointConfig", f"cfg-{index}")
        kept.recall(key)
        kept.keep(key, "2026-11-01T00:00:00+00:00", config(index))
    kept.save(now)
    return kept


def test_twenty_thousand_configs_fit_dynamodb_items_and_are_recalled() -> None:
    cache = CountingCache()
    scan_keeping(cache, 20_000)

    sizes = [len(json.dumps(cache.get(key).value)) for key in cache.puts]  # type: ignore[union-attr]
    assert len(cache.puts) == BUCKETS
    assert max(sizes) < DYNAMODB_ITEM_LIMIT
    later = KeptDescriptions(cache, "123456789012", "us-east-1")
    assert later.recall(("sagemaker:DescribeEndpointConfig", "cfg-19999")) == (
        "2026-11-01T00:00:00+00:00",
        config(19_999),
    )


def test_a_bucket_is_written_again_only_when_it_changed_or_is_a_week_old() -> None:
    cache = CountingCache()
    scan_keeping(cache, 40)
    cache.puts.clear()

    scan_keeping(cache, 40, NOW + timedelta(hours=1))
    assert cache.puts == []  # nothing new: nothing written

    scan_keeping(cache, 39, NOW + timedelta(hours=2))
    assert len(cache.puts) == 1  # cfg-39 dropped from its bucket alone

    cache.puts.clear()
    scan_keeping(cache, 39, NOW + timedelta(days=8))
    entries = [cache.get(f"{PREFIX}/{index}") for index in range(BUCKETS)]
    holding = [entry for entry in entries if entry is not None and entry.value]
    assert len(cache.puts) == len(holding) > 1  # every bucket holding something, refreshed


def test_a_region_that_kept_and_recalled_nothing_reads_and_writes_nothing() -> None:
    cache = CountingCache()

    KeptDescriptions(cache, "123456789012", "eu-west-1").save(NOW)

    assert (cache.gets, cache.puts) == ([], [])


def test_a_kept_entry_of_another_shape_is_not_recalled() -> None:
    cache = CountingCache()
    key = ("sagemaker:DescribeEndpointConfig", "cfg-0")
    for index in range(BUCKETS):
        cache.put(f"{PREFIX}/{index}", {"\x1f".join(key): "junk"}, NOW)

    assert KeptDescriptions(cache, "123456789012", "us-east-1").recall(key) is None
