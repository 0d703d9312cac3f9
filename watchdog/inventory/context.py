"""The ScanContext a kind module sees for one (account, region).

Against AWS every call spends tens of milliseconds on the wire, so the calls of one region
overlap: kinds collect side by side (inventory.scan runs them in waves of `collect_after`),
and a kind's per-item calls go through `each`, at most `concurrency` of one service in flight
in a region at a time, under the request rates AWS throttles at (a kind's list pages, one
after the other, come on top); botocore's adaptive retries take any throttling that still
comes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from botocore import xform_name

from watchdog.aws.clients import REGION_CONCURRENCY
from watchdog.aws.scope import Shard
from watchdog.inventory.kept import KeptDescriptions
from watchdog.records import Kind, ResourceRecord

T = TypeVar("T")
R = TypeVar("R")
TAG_PAGE_SIZE = 100  # GetResources' maximum
DEFAULT_CONCURRENCY = REGION_CONCURRENCY


class ShardContext:
    """Clients, a per-scan memo, tags and earlier kinds' records for one (account, region),
    shared by the kinds collecting side by side: every method is thread-safe."""

    def __init__(
        self,
        shard: Shard,
        tag_types: Sequence[str],
        concurrency: int = DEFAULT_CONCURRENCY,
        kept: KeptDescriptions | None = None,
    ) -> None:
        self.account = shard.account_id
        self._tag_types = sorted(set(tag_types))
        self.region = shard.region
        self.partition = shard.clients.partition(shard.region)
        self._clients = shard.clients
        self._memo: dict[tuple[str, ...], Any] = {}
        self._records: dict[Kind, list[ResourceRecord]] = {}
        self._lock = threading.RLock()
        self._fetching: dict[tuple[str, ...], threading.Event] = {}
        self.concurrency = max(1, concurrency)
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._local = threading.local()
        self.kept = kept or KeptDescriptions(None, shard.account_id, shard.region)

    def client(self, service: str) -> Any:
        return self._clients.client(service, self.region)

    def paginate(self, service: str, operation: str, **params: Any) -> Iterator[dict[str, Any]]:
        paginator = self.client(service).get_paginator(xform_name(operation))
        yield from paginator.paginate(**params)

    def each(self, service: str, items: Iterable[T], fetch: Callable[[T], R]) -> list[R]:
        """`fetch(item)` for every item, overlapping up to `concurrency` calls of `service` in
        this region (across kinds); the answers in the items' order. The first failure is
        raised, as one after the other would (the kind fails, the scan goes on). A fetch that
        calls `each` again runs those items in its own thread, holding its one slot; a memo's
        fetch must make its calls directly (a thread waiting on a memo holds its slot).

        `items` may be a generator walking a list call's pages: each item is handed to a
        worker as it is listed, so the first page's describes run while the next page is
        fetched (pool.map submits from the caller's thread as the generator yields)."""
        if service in self._held() or (isinstance(items, Sequence) and len(items) <= 1):
            return [self._bounded(service, fetch, item) for item in items]
        workers = self.concurrency
        if isinstance(items, Sequence):
            workers = min(workers, len(items))
        with ThreadPoolExecutor(workers, thread_name_prefix=f"scan-{self.region}") as pool:
            return list(pool.map(lambda item: self._bounded(service, fetch, item), items))

    def memo(self, key: tuple[str, ...], fetch: Callable[[], T]) -> T:
        """Once per key, however many threads ask at the same moment: the others wait for
        the first. A failed fetch is not remembered: the next asker tries again."""
        while True:
            with self._lock:
                if key in self._memo:
                    value: T = self._memo[key]
                    return value
                fetching = self._fetching.get(key)
                if fetching is None:
                    fetching = self._fetching[key] = threading.Event()
                    break
            fetching.wait()
        try:
            fetched = fetch()
            with self._lock:
                self._memo[key] = fetched
            return fetched
        finally:
            with self._lock:
                del self._fetching[key]
            fetching.set()

    def _bounded(self, service: str, fetch: Callable[[T], R], item: T) -> R:
        if service in self._held():
            return fetch(item)
        with self._slot(service):
            return fetch(item)

    @contextmanager
    def _slot(self, service: str) -> Iterator[None]:
        with self._lock:
            slots = self._slots.setdefault(service, threading.BoundedSemaphore(self.concurrency))
        held = self._held()
        with slots:
            held.add(service)
            try:
                yield
            finally:
                held.discard(service)

    def _held(self) -> set[str]:
        """The services whose slot this thread holds."""
        held: set[str] | None = getattr(self._local, "held", None)
        if held is None:
            held = self._local.held = set()
        return held

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

    def recall(self, key: tuple[str, ...]) -> tuple[str, Any] | None:
        return self.kept.recall(key)

    def keep(self, key: tuple[str, ...], version: str, value: Any) -> None:
        self.kept.keep(key, version, value)

    def records(self, kind: Kind) -> list[ResourceRecord]:
        with self._lock:
            return list(self._records.get(kind, []))

    def add(self, kind: Kind, records: list[ResourceRecord]) -> None:
        with self._lock:
            self._records.setdefault(kind, []).extend(records)

    def arn(self, service: str, resource: str) -> str:
        return f"arn:{self.partition}:{service}:{self.region}:{self.account}:{resource}"
