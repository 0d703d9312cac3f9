"""What the product asks AWS and what it reads from the answers, captured through real boto3
clients.

`capture()` wraps `BaseClient._make_api_call` (every client method and every paginator page
passes through it) for the block. A call is the product's when a frame of the `watchdog`
package, outside `watchdog_sandbox`, is on its stack: the sandbox's seeding and a test's own
boto3 calls are not the product's contract. For the product's calls it records the request,
and hands back the answer wrapped so that every key the product reads (`[]`, `.get`, `in`) is
recorded as a path through the answer; `contract.py` then resolves each path against the
operation's output shape.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.client import BaseClient

PACKAGE = Path(__file__).resolve().parents[2] / "watchdog"
SANDBOX = PACKAGE / "sandbox"
ITEM = "[]"  # a list element in a path
VALUE = "{}"  # a map value in a path


@dataclass(frozen=True)
class Call:
    service: str
    operation: str
    params: dict[str, Any]
    # What the journey was doing ("plan", "apply --execute"...): the IAM mode check reads it.
    phase: str = ""
    # Made with a member account's role (credentials from sts:AssumeRole: moto's start ASIA),
    # not the watchdog's own: the member role must grant it.
    member: bool = False


@dataclass
class Captured:
    calls: list[Call] = field(default_factory=list)
    phase: str = ""  # set by the journey before each command; stamped on each call
    # (service, operation) -> every path the product read from its answers
    reads: dict[tuple[str, str], set[tuple[str, ...]]] = field(default_factory=dict)

    def read(self, key: tuple[str, str], path: tuple[str, ...]) -> None:
        self.reads.setdefault(key, set()).add(path)

    def operations(self) -> set[tuple[str, str]]:
        return {(c.service, c.operation) for c in self.calls}


def _from_product() -> bool:
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if name.startswith(str(PACKAGE)):
            return not name.startswith(str(SANDBOX))
        frame = frame.f_back  # type: ignore[assignment]
    return False


class _Dict(dict[str, Any]):
    """An answer's structure or map: records each key read, wraps what it hands out."""

    def __init__(
        self, raw: dict[str, Any], seen: Captured, key: tuple[str, str], path: tuple[str, ...]
    ) -> None:
        super().__init__(raw)
        self._seen, self._key, self._path = seen, key, path

    def _note(self, name: object) -> tuple[str, ...]:
        path = (*self._path, str(name))
        self._seen.read(self._key, path)
        return path

    def __getitem__(self, name: str) -> Any:
        return _wrap(super().__getitem__(name), self._seen, self._key, self._note(name))

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        path = self._note(name)
        return _wrap(super().get(name, default), self._seen, self._key, path)

    def __contains__(self, name: object) -> bool:
        self._note(name)
        return super().__contains__(name)

    def __copy__(self) -> dict[str, Any]:
        return dict(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        import copy

        return copy.deepcopy(dict(self), memo)

    def __reduce__(self) -> Any:
        return (dict, (dict(self),))

    def values(self) -> Any:  # type: ignore[override]
        return [self[name] for name in self.keys()]

    def items(self) -> Any:  # type: ignore[override]
        return [(name, self[name]) for name in self.keys()]


class _List(list[Any]):
    def __init__(
        self, raw: list[Any], seen: Captured, key: tuple[str, str], path: tuple[str, ...]
    ) -> None:
        super().__init__(raw)
        self._seen, self._key, self._path = seen, key, (*path, ITEM)

    def __getitem__(self, index: Any) -> Any:
        item = super().__getitem__(index)
        if isinstance(index, slice):
            return _List(item, self._seen, self._key, self._path[:-1])
        return _wrap(item, self._seen, self._key, self._path)

    def __iter__(self) -> Iterator[Any]:
        for item in super().__iter__():
            yield _wrap(item, self._seen, self._key, self._path)


def _wrap(value: Any, seen: Captured, key: tuple[str, str], path: tuple[str, ...]) -> Any:
    if isinstance(value, dict) and not isinstance(value, _Dict):
        return _Dict(value, seen, key, path)
    if isinstance(value, list) and not isinstance(value, _List):
        return _List(value, seen, key, path)
    return value


def _assumed(client: BaseClient) -> bool:
    credentials = getattr(client._request_signer, "_credentials", None)
    return str(getattr(credentials, "access_key", "")).startswith("ASIA")


@contextmanager
def capture() -> Iterator[Captured]:
    seen = Captured()
    original = BaseClient._make_api_call

    def make_api_call(self: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
        if not _from_product():
            return original(self, operation_name, api_params)
        # Recorded before the call: one AWS refuses (a probe answering "not found") was made
        # all the same, and needs its IAM action all the same.
        service = self.meta.service_model.service_name
        member = _assumed(self)
        seen.calls.append(Call(service, operation_name, dict(api_params), seen.phase, member))
        answer = original(self, operation_name, api_params)
        return _Dict(answer, seen, (service, operation_name), ())

    BaseClient._make_api_call = make_api_call  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]
