"""Test doubles, in one place so tests never patch import paths."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any, TypeVar

from watchdog.records import Kind, ResourceRecord

T = TypeVar("T")
R = TypeVar("R")
ACCOUNT = "123456789012"
REGION = "us-east-1"


class FakeScanContext:
    """A ScanContext answering list calls from canned pages and describes from canned answers."""

    def __init__(
        self,
        pages: dict[str, list[dict[str, Any]]] | None = None,
        describes: dict[str, Callable[..., dict[str, Any]]] | None = None,
        tags: dict[str, dict[str, str]] | None = None,
        records: dict[Kind, list[ResourceRecord]] | None = None,
        kept: dict[tuple[str, ...], tuple[str, Any]] | None = None,
    ) -> None:
        self.account, self.region, self.partition = ACCOUNT, REGION, "aws"
        self._pages = pages or {}
        self._describes = describes or {}
        self._tags = tags or {}
        self._records = records or {}
        self.calls: list[str] = []
        self._memo: dict[tuple[str, ...], Any] = {}
        self._kept_before = kept or {}
        self.kept: dict[tuple[str, ...], tuple[str, Any]] = {}

    def client(self, service: str) -> Any:
        fake = self

        class _Client:
            def __getattr__(self, name: str) -> Callable[..., dict[str, Any]]:
                def call(**params: Any) -> dict[str, Any]:
                    fake.calls.append(name)
                    return fake._describes[name](**params)

                return call

        return _Client()

    def paginate(self, service: str, operation: str, **params: Any) -> Iterator[dict[str, Any]]:
        self.calls.append(operation)
        yield from self._pages.get(operation, [])

    def each(self, service: str, items: Iterable[T], fetch: Callable[[T], R]) -> list[R]:
        return [fetch(item) for item in items]

    def memo(self, key: tuple[str, ...], fetch: Callable[[], T]) -> T:
        if key not in self._memo:
            self._memo[key] = fetch()
        value: T = self._memo[key]
        return value

    def recall(self, key: tuple[str, ...]) -> tuple[str, Any] | None:
        return self._kept_before.get(key)

    def keep(self, key: tuple[str, ...], version: str, value: Any) -> None:
        self.kept[key] = (version, value)

    def tags(self, arn: str) -> dict[str, str]:
        return self._tags.get(arn, {})

    def records(self, kind: Kind) -> list[ResourceRecord]:
        return self._records.get(kind, [])

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{resource}"


class FakeClock:
    """Time that moves only when slept through: the executor's waits take no time."""

    def __init__(self, start: datetime) -> None:
        self._now = start
        self.slept = 0.0

    def now(self) -> datetime:
        return self._now

    def sleep(self, seconds: float) -> None:
        self.slept += seconds
        self._now += timedelta(seconds=seconds)
