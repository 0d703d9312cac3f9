"""Shared plumbing for the SageMaker additions: state, ARNs, paging, tags, patching moto.

State lives in a moto `BackendDict`, so it is kept per (account, region) exactly like moto's
own (AssumeRole into another account sees that account's resources) and `mock_aws` start-up or
`POST /moto-api/reset` clears it along with everything else.

Every emulated resource registers in an ARN index; AddTags/ListTags/DeleteTags and the Resource
Groups Tagging API find the new kinds through it, without knowing each kind.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar, Protocol, TypeVar

from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.utils import utcnow
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.models import sagemaker_backends
from moto.sagemaker.responses import SageMakerResponse
from moto.utilities.utils import get_partition

from watchdog_sandbox.transitions import AsyncStatus

T = TypeVar("T")
Tags = list[dict[str, str]]
# Handlers become SageMakerResponse methods: `self` is the response object of one request.
Handler = Callable[[Any], Any]

# Marks our wrappers so install() can tell a method is already wrapped, even under someone
# else's wrapper (functools.wraps keeps `__wrapped__`, which we walk).
_WRAP_TAG = "__watchdog_sandbox_wrap__"


class Record(Protocol):
    """What every emulated resource offers the ARN index, tagging and GetResources."""

    resource_type: ClassVar[str]  # the tagging API's type, e.g. "sagemaker:app"
    arn: str
    tags: Tags
    status: AsyncStatus

    def exists(self) -> bool:
        """False once the resource is deleted (or vanished) as far as AWS reports it."""


class _SandboxBackend(BaseBackend):
    """Per-(account, region) tables for the additions; moto resets it with its own."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.tables: dict[str, dict[Any, Any]] = {}


_backends = BackendDict(_SandboxBackend, "sagemaker")
_sequence = itertools.count()


def table(account_id: str, region: str, name: str) -> dict[Any, Any]:
    """The named table of this account and region (created empty on first use)."""
    # Touch moto's SageMaker backend too: the tagging API only visits backends that exist.
    sagemaker_backends[account_id][region]
    backend: _SandboxBackend = _backends[account_id][region]
    return backend.tables.setdefault(name, {})


def next_sequence() -> int:
    """A process-wide increasing number: breaks ties between equal creation times."""
    return next(_sequence)


def now() -> datetime:
    """moto's clock (naive UTC), so our timestamps compare with moto's own."""
    result: datetime = utcnow()
    return result


def naive_utc(moment: datetime) -> datetime:
    """`moment` in moto's naive UTC (parsed request timestamps carry a time zone)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def arn(account_id: str, region: str, resource: str) -> str:
    return f"arn:{get_partition(region)}:sagemaker:{region}:{account_id}:{resource}"


# --- the ARN index -------------------------------------------------------------------------


R = TypeVar("R", bound=Record)


def index_record(account_id: str, region: str, record: Record) -> None:
    table(account_id, region, "arn-index")[record.arn] = record


def unindex_record(account_id: str, region: str, record_arn: str) -> None:
    table(account_id, region, "arn-index").pop(record_arn, None)


def find_record(account_id: str, region: str, record_arn: str) -> Record | None:
    record: Record | None = table(account_id, region, "arn-index").get(record_arn)
    if record is not None and not record.exists():
        return None
    return record


def set_status(account_id: str, region: str, record_arn: str, status: str) -> None:
    """Put an emulated resource into `status` at once, cancelling any transition.

    For tests and seeders: AWS reaches some statuses (Failed, Pending...) only through events
    the emulator cannot cause. In-process only (a separate moto_server needs its own hook).
    """
    record: Record | None = table(account_id, region, "arn-index").get(record_arn)
    if record is None:
        raise KeyError(f"no emulated SageMaker resource {record_arn} in {account_id}/{region}")
    record.status.set(status)


def live(records: dict[Any, R], account_id: str, region: str) -> list[R]:
    """The records still present; those whose deletion has finished leave the table and index."""
    present = []
    for key, record in list(records.items()):
        if record.status.peek() is None:
            records.pop(key, None)
            unindex_record(account_id, region, record.arn)
        else:
            present.append(record)
    return present


def all_records(account_id: str, region: str) -> list[Record]:
    index = table(account_id, region, "arn-index")
    return [record for record in list(index.values()) if record.exists()]


# --- tags ----------------------------------------------------------------------------------


def merge_tags(existing: Tags, new: Iterable[dict[str, str]]) -> Tags:
    """AddTags semantics: a key that already exists gets the new value, never a duplicate."""
    merged = {tag["Key"]: tag.get("Value", "") for tag in existing}
    for tag in new:
        merged[tag["Key"]] = tag.get("Value", "")
    return [{"Key": key, "Value": value} for key, value in merged.items()]


# --- listing -------------------------------------------------------------------------------


def check_max_results(max_results: int | None, *, field: str = "maxResults") -> None:
    """AWS's service-side bound (botocore only checks the minimum)."""
    if max_results is not None and not 1 <= max_results <= 100:
        raise ValidationError(
            f"1 validation error detected: Value '{max_results}' at '{field}' failed to satisfy "
            "constraint: Member must have value less than or equal to 100"
        )


def paginate(
    items: Sequence[T], next_token: str | None, max_results: int | None, *, default: int = 10
) -> tuple[list[T], str | None]:
    """One page of an already filtered and sorted list, and the token for the next one."""
    check_max_results(max_results)
    start = _decode_token(next_token) if next_token else 0
    size = max_results or default
    page = list(items[start : start + size])
    more = start + size < len(items)
    return page, (_encode_token(start + size) if more else None)


def sort_order_reverse(sort_order: str | None, *, default: str) -> bool:
    return (sort_order or default) == "Descending"


def _encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def _decode_token(token: str) -> int:
    try:
        offset = json.loads(base64.urlsafe_b64decode(token.encode()))["offset"]
    except (binascii.Error, ValueError, KeyError, TypeError) as error:
        raise ValidationError(f"Invalid pagination token: {token}") from error
    if not isinstance(offset, int) or offset < 0:
        raise ValidationError(f"Invalid pagination token: {token}")
    return offset


# --- patching moto -------------------------------------------------------------------------


def add_actions(handlers: dict[str, Handler]) -> None:
    """Expose handlers as SageMaker actions (moto looks them up on the class per request)."""
    for name, handler in handlers.items():
        setattr(SageMakerResponse, name, handler)


def is_wrapped(function: Any, tag: str) -> bool:
    while function is not None:
        if getattr(function, _WRAP_TAG, None) == tag:
            return True
        function = getattr(function, "__wrapped__", None)
    return False


def wrap_method(owner: object, name: str, tag: str, make: Callable[[Any], Any]) -> None:
    """Replace `owner.name` with `make(original)`, once: calling it again changes nothing.

    `make` returns the new function, normally one that calls the original; it is given
    `__wrapped__` so later wrappers (ours or another addition's) stack and stay detectable.
    """
    original = getattr(owner, name)
    if is_wrapped(original, tag):
        return
    wrapper = make(original)
    setattr(wrapper, _WRAP_TAG, tag)
    wrapper.__wrapped__ = original
    setattr(owner, name, wrapper)
