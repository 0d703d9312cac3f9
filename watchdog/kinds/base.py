"""What every kind module provides, and what the inventory hands it.

A kind module holds all of one resource kind's AWS knowledge. For the inventory that is: its name,
the service it lives in, which kinds must be gone before it can be deleted, and `collect`, which
lists the kind in one (account, region) and turns the answers into records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from watchdog.records import Kind, ResourceRecord

T = TypeVar("T")


class ScanContext(Protocol):
    """One (account, region) as a kind module sees it. Implemented by the inventory."""

    account: str
    region: str
    partition: str

    def client(self, service: str) -> Any:
        """A boto3 client for this account and region (adaptive retries, counted calls)."""

    def paginate(self, service: str, operation: str, **params: Any) -> Iterator[dict[str, Any]]:
        """Every page of a paginated list call."""

    def memo(self, key: tuple[str, ...], fetch: Callable[[], T]) -> T:
        """`fetch()` once per key for this scan of this (account, region); later calls reuse it."""

    def tags(self, arn: str) -> dict[str, str]:
        """The resource's tags, from one paginated Resource Groups Tagging API pass per region."""

    def records(self, kind: Kind) -> list[ResourceRecord]:
        """Records an earlier kind already collected in this (account, region)."""

    def arn(self, service: str, resource: str) -> str:
        """An ARN in this account and region, for resources whose list call omits it."""


@dataclass(frozen=True)
class KindSpec:
    """A kind's registration: the facts the shared stages need, and its collect function."""

    kind: Kind
    service: str
    # Kinds whose resources must be deleted before a resource of this kind can be.
    depends_on: tuple[Kind, ...]
    collect: Callable[[ScanContext], list[ResourceRecord]]
