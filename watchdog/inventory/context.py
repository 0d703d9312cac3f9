"""The ScanContext a kind module sees for one (account, region)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from botocore import xform_name

from watchdog.aws.scope import Shard
from watchdog.records import Kind, ResourceRecord

T = TypeVar("T")
TAG_PAGE_SIZE = 100  # GetResources' maximum


class ShardContext:
    """Clients, a per-scan memo, tags and earlier kinds' records for one (account, region).

    A shard runs its kinds in one thread; the lock only guards against a kind module that
    fans out on its own.
    """

    def __init__(self, shard: Shard, tag_types: Sequence[str]) -> None:
        self.account = shard.account_id
        self._tag_types = sorted(set(tag_types))
        self.region = shard.region
        self.partition = shard.clients.partition(shard.region)
        self._clients = shard.clients
        self._memo: dict[tuple[str, ...], Any] = {}
        self._records: dict[Kind, list[ResourceRecord]] = {}
        self._lock = threading.RLock()

    def client(self, service: str) -> Any:
        return self._clients.client(service, self.region)

    def paginate(self, service: str, operation: str, **params: Any) -> Iterator[dict[str, Any]]:
        paginator = self.client(service).get_paginator(xform_name(operation))
        yield from paginator.paginate(**params)

    def memo(self, key: tuple[str, ...], fetch: Callable[[], T]) -> T:
        # A failed fetch is not remembered: the next kind that needs it tries again.
        with self._lock:
            if key not in self._memo:
                self._memo[key] = fetch()
            value: T = self._memo[key]
            return value

    def tags(self, arn: str) -> dict[str, str]:
        return self.memo(("tag:GetResources",), self._fetch_tags).get(arn.lower(), {})

    def _fetch_tags(self) -> dict[str, dict[str, str]]:
        # One paginated pass gives every tagged SageMaker and Bedrock resource of the region,
        # where ListTags would cost a call per resource. Untagged resources are absent: no tags.
        found: dict[str, dict[str, str]] = {}
        pages = self.paginate(
            "resourcegroupstaggingapi",
            "GetResources",
            ResourceTypeFilters=self._tag_types,
            ResourcesPerPage=TAG_PAGE_SIZE,
        )
        for page in pages:
            for mapping in page.get("ResourceTagMappingList", []):
                tags = {t["Key"]: t["Value"] for t in mapping.get("Tags", [])}
                found[mapping["ResourceARN"].lower()] = tags
        return found

    def records(self, kind: Kind) -> list[ResourceRecord]:
        with self._lock:
            return list(self._records.get(kind, []))

    def add(self, kind: Kind, records: list[ResourceRecord]) -> None:
        with self._lock:
            self._records.setdefault(kind, []).extend(records)

    def arn(self, service: str, resource: str) -> str:
        return f"arn:{self.partition}:{service}:{self.region}:{self.account}:{resource}"
