"""Calls within one region overlap: `ShardContext.each` keeps its bound and the items' order,
a memo is fetched once however many threads ask at once, and kinds collect in waves after the
kinds whose records they read."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterator

import boto3
import pytest

from watchdog.aws.clients import ApiCallCounter, ClientFactory
from watchdog.aws.scope import Shard
from watchdog.inventory.context import ShardContext
from watchdog.inventory.scan import _scan_shard
from watchdog.kinds import REGISTRY, KindSpec
from watchdog.records import ResourceRecord


def a_shard() -> Shard:
    clients = ClientFactory(boto3.Session(region_name="us-east-1"), ApiCallCounter())
    return Shard(account_id="123456789012", region="us-east-1", clients=clients)


def context(concurrency: int) -> ShardContext:
    return ShardContext(a_shard(), [], concurrency)


class InFlight:
    """How many calls are running at once, at most."""

    def __init__(self) -> None:
        self.now = self.most = 0
        self._lock = threading.Lock()

    def call(self, item: int) -> int:
        with self._lock:
            self.now += 1
            self.most = max(self.most, self.now)
        time.sleep(0.05)  # the wire
        with self._lock:
            self.now -= 1
        return item * 10


def test_each_overlaps_up_to_its_bound_and_keeps_the_order() -> None:
    flight = InFlight()
    answers = context(4).each("sagemaker", list(range(16)), flight.call)

    assert answers == [i * 10 for i in range(16)]
    assert flight.most == 4  # four at a time: not one after the other, nor more


def test_the_bound_holds_across_kinds_calling_each_at_once() -> None:
    flight, ctx = InFlight(), context(3)
    threads = [
        threading.Thread(target=ctx.each, args=("sagemaker", list(range(9)), flight.call))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert flight.most == 3


def test_items_of_a_generator_are_fetched_while_it_is_still_listing() -> None:
    # A list call's pages: the second page is only listed once the first page's first item
    # has been fetched, which one-after-the-other (list everything, then fetch) never allows.
    first_fetched = threading.Event()
    listed_second_page_after_a_fetch = []

    def pages() -> Iterator[int]:
        yield from range(3)
        listed_second_page_after_a_fetch.append(first_fetched.wait(timeout=5))
        yield from range(3, 6)

    def fetch(item: int) -> int:
        first_fetched.set()
        return item * 10

    assert context(4).each("sagemaker", pages(), fetch) == [i * 10 for i in range(6)]
    assert listed_second_page_after_a_fetch == [True]


def test_a_failure_is_raised_as_one_after_the_other_would() -> None:
    def call(item: int) -> int:
        if item == 5:
            raise ValueError("throttled for good")
        return item

    with pytest.raises(ValueError, match="throttled for good"):
        context(4).each("sagemaker", list(range(10)), call)


def test_each_within_each_runs_in_the_holders_thread_rather_than_waiting_forever() -> None:
    ctx = context(1)

    def outer(item: int) -> list[int]:
        return ctx.each("sagemaker", [item, item + 1], lambda i: i)

    assert ctx.each("sagemaker", [0, 10], outer) == [[0, 1], [10, 11]]


def test_a_memo_asked_by_many_threads_at_once_is_fetched_once() -> None:
    ctx, fetched = context(8), []

    def fetch() -> str:
        fetched.append(1)
        time.sleep(0.02)
        return "config"

    answers = ctx.each("sagemaker", list(range(8)), lambda _: ctx.memo(("k",), fetch))
    assert answers == ["config"] * 8 and len(fetched) == 1


def test_a_failed_memo_is_fetched_again_by_the_next_asker() -> None:
    ctx, tries = context(2), []

    def fetch() -> str:
        tries.append(1)
        if len(tries) == 1:
            raise RuntimeError("first try fails")
        return "ok"

    with pytest.raises(RuntimeError):
        ctx.memo(("k",), fetch)
    assert ctx.memo(("k",), fetch) == "ok" and len(tries) == 2


def test_the_registry_lists_what_a_kind_reads_before_it() -> None:
    """The scan relies on it: a kind waits only for those already started."""
    position = {spec.kind: i for i, spec in enumerate(REGISTRY)}
    for spec in REGISTRY:
        for read in spec.collect_after:
            assert position[read] < position[spec.kind], (spec.kind, read)


def test_a_kind_waits_for_what_it_reads_and_for_nothing_else() -> None:
    """`slow` holds until `late` collects; `late` reads only `fast`. Waiting for everything
    listed before it (a wave after `slow`'s), `late` would never collect."""
    slow, fast, late, reader = REGISTRY[:4]
    late_collected = threading.Event()
    order: list[str] = []

    def collect(spec: KindSpec, then: Callable[[], object]) -> KindSpec:
        def collected(ctx: object) -> list[ResourceRecord]:
            then()
            order.append(spec.kind)
            return []

        return dataclasses.replace(spec, collect=collected, prefetch=None, collect_after=())

    kinds = [
        collect(slow, lambda: late_collected.wait(5) or pytest.fail("late waited for slow")),
        collect(fast, lambda: None),
        dataclasses.replace(collect(late, late_collected.set), collect_after=(fast.kind,)),
        dataclasses.replace(collect(reader, lambda: None), collect_after=(slow.kind,)),
    ]
    assert _scan_shard(a_shard(), kinds, "run-1", 8) == ([], [])
    assert order.index(fast.kind) < order.index(late.kind) < order.index(slow.kind)
    assert order.index(slow.kind) < order.index(reader.kind)


def test_a_kind_reading_one_not_scanned_in_the_region_does_not_wait_for_it() -> None:
    reader, _ = reader_and_read()
    collected: list[str] = []

    def collect(ctx: object) -> list[ResourceRecord]:
        collected.append(reader.kind)
        return []

    kind = dataclasses.replace(reader, collect=collect, prefetch=None)
    assert _scan_shard(a_shard(), [kind], "run-1", 8) == ([], [])
    assert collected == [reader.kind]


def reader_and_read() -> tuple[KindSpec, KindSpec]:
    reader = next(spec for spec in REGISTRY if spec.collect_after)
    return reader, next(spec for spec in REGISTRY if spec.kind == reader.collect_after[0])


def test_a_kinds_prefetch_runs_while_the_kinds_it_waits_for_collect() -> None:
    reader, read = reader_and_read()
    listed = threading.Event()

    def read_collect(ctx: object) -> list[ResourceRecord]:
        # Waits for the later kind's listing: it would never come if it waited for this wave.
        assert listed.wait(5), "the prefetch did not start with the first wave"
        return []

    kinds = [
        dataclasses.replace(read, collect=read_collect),
        dataclasses.replace(
            reader,
            collect=lambda ctx: [],
            collect_after=(read.kind,),
            prefetch=lambda ctx: listed.set(),
        ),
    ]
    found, errors = _scan_shard(a_shard(), kinds, "run-1", 8)
    assert (found, errors) == ([], [])


def test_a_failed_prefetch_leaves_the_kind_to_collect_and_report_as_without_it() -> None:
    reader, _ = reader_and_read()
    asked: list[str] = []

    def prefetch(ctx: object) -> None:
        asked.append("prefetch")
        raise RuntimeError("throttled")

    def collect(ctx: object) -> list[ResourceRecord]:
        asked.append("collect")
        return []

    kind = dataclasses.replace(reader, collect=collect, collect_after=(), prefetch=prefetch)
    assert _scan_shard(a_shard(), [kind], "run-1", 8) == ([], [])
    assert asked == ["prefetch", "collect"]
