"""An answer of plain data written straight to JSON, as moto's serializer would write it.

moto serializes an answer by walking the service model member by member, asking an attribute
picker under which names each member's value might be. A SageMaker Search page of 100 endpoint
records is about 5,000 members: 85% of the page's time in the sandbox (cProfile, in-process),
and the page holds SageMaker's turn (server.in_turn) while the scan's describes wait for it.
AWS computes that answer on machines of its own.

When the answer is plain data already under the model's member names (dicts, lists, strings,
numbers, datetimes), the walk has nothing to guess: each member is its own name or absent.
Written here, it is the document moto writes (the same members, order and conversions:
ResponseSerializer and BaseJSONSerializer's `_serialize_type_*`); anything else (an object, a
name that is not a member, a blob, a timestamp format of its own) is left to moto, whole.
tests/functional/sandbox/test_json_answer.py compares the two.

DescribeEndpointConfig (1,000 of them in a new install's first plan of 1,000 endpoints) answers
moto's own record of the config, which also holds `Arn` and `Tags`: no members of the answer,
which moto's serializer leaves out, and so does this (`members_only`). 2.99 -> 2.74 ms a
describe, the client's and moto's CPU in-process, identical bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from enum import Enum
from typing import Any

from moto.core.model import Shape, StructureShape
from moto.core.responses import ActionResult, BaseResponse
from moto.core.serialize import BaseJSONSerializer, TimestampSerializer
from moto.core.utils import get_service_model
from moto.sagemaker.responses import SageMakerResponse

from watchdog_sandbox import sagemaker_common as common

_TAG = "_watchdog_sandbox_json_answer"

_TIMESTAMPS = TimestampSerializer(BaseJSONSerializer.DEFAULT_TIMESTAMP_FORMAT)
_NUMBERS = {"integer": int, "long": int, "float": float, "double": float}


class _NotPlain(Exception):
    """The answer holds something moto's picker or serializer might read otherwise."""


def install() -> None:
    common.wrap_method(SageMakerResponse, "describe_endpoint_config", _TAG, _described)
    if not hasattr(BaseResponse._enrich_response, _TAG):
        setattr(_enriched, _TAG, True)
        BaseResponse._enrich_response = staticmethod(_enriched)  # type: ignore[method-assign]


_ENRICH = BaseResponse._enrich_response


def _enriched(headers: dict[str, str], body: Any) -> tuple[dict[str, str], Any]:
    """moto's enrichment of every answer: the request id header, and the same id written into
    the body's XML `<RequestId>`, found with a regular expression run over the whole body. A
    JSON document has no such element (a value that happens to hold the text is data, which
    moto overwrote): it gets the header alone. The scan took 20 ms of a 1.3 MB GetMetricData
    answer, in CloudWatch's turn, four times a plan."""
    if isinstance(body, str) and body.startswith("{"):
        enriched, _ = _ENRICH(headers, "")
        return enriched, body
    return _ENRICH(headers, body)


def _described(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def describe_endpoint_config(self: SageMakerResponse) -> Any:
        result = original(self)
        if not isinstance(result, ActionResult):
            return result
        return json_answer(self, "DescribeEndpointConfig", result, members_only=True)

    return describe_endpoint_config


def json_answer(
    response: BaseResponse, operation: str, result: ActionResult, members_only: bool = False
) -> ActionResult | tuple[int, dict[str, Any], str]:
    """`result` as status, headers and body, or unchanged for moto to serialize.
    `members_only`: the answer's keys that are no member of its output are left out."""
    if not speaks_json(response):
        return result
    model = get_service_model(response.boto3_service_name)
    shape = model.operation_model(operation).output_shape
    answer = result.result
    if members_only and isinstance(shape, StructureShape) and type(answer) is dict:
        answer = {key: value for key, value in answer.items() if key in shape.members}
    try:
        return json_response(response, _written(answer, shape))
    except _NotPlain:
        return result


def speaks_json(response: BaseResponse) -> bool:
    """Whether the request came in the JSON protocol, the one answers are written for here
    (a client speaking another is left to moto)."""
    model = get_service_model(response.boto3_service_name)
    return response.determine_response_protocol(model) == "json"


def json_response(response: BaseResponse, body: dict[str, Any]) -> tuple[int, dict[str, Any], str]:
    """`body` as moto answers the request: its status and headers (moto reads the status from
    them, 200 if absent; the length is the server's to set), and the document."""
    status, serializers = _serializers_status_and_headers(response)
    # As BaseResponse.serialized: the serializer's headers, the response's own, the status.
    headers = {**serializers, **response.response_headers, "status": status}
    return status, headers, json.dumps(body)


# What moto's serializer answers an operation with besides the document, by (service,
# operation): the same for every answer, and finding it walks the output shape (a tenth of a
# DescribeEndpointConfig's time in the sandbox).
_SERIALIZERS: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}


def _serializers_status_and_headers(response: BaseResponse) -> tuple[int, dict[str, Any]]:
    key = (response.boto3_service_name, response._get_action())
    known = _SERIALIZERS.get(key)
    if known is None:
        status, headers, _ = response.serialized(ActionResult({}))
        added = {*response.response_headers, "status", "content-length"}
        known = _SERIALIZERS[key] = (
            status,
            {k: v for k, v in headers.items() if k.lower() not in added},
        )
    return known


def _written(value: Any, shape: Shape) -> Any:
    kind = shape.type_name
    if kind == "structure":
        return _structure(value, shape)
    if kind == "list":
        if type(value) is not list or any(item is None for item in value):
            raise _NotPlain
        return [_written(item, shape.member) for item in value]  # type: ignore[attr-defined]
    if kind == "map":
        if type(value) is not dict or any(item is None for item in value.values()):
            raise _NotPlain
        return {key: _written(item, shape.value) for key, item in value.items()}  # type: ignore[attr-defined]
    if kind == "timestamp":
        if "timestampFormat" in shape.serialization:
            raise _NotPlain
        wrapper: dict[str, Any] = {}
        _TIMESTAMPS.serialize(wrapper, value, shape, "timestamp")
        return wrapper["timestamp"]
    if kind == "string":  # BaseJSONSerializer._serialize_type_string
        value = value.value if isinstance(value, Enum) else value
        return value if value in (None, {}, []) else str(value)
    if kind in _NUMBERS:
        return _NUMBERS[kind](value)
    if kind == "boolean":
        return value
    raise _NotPlain  # a blob, a document...


def _structure(value: Any, shape: Shape) -> dict[str, Any]:
    if not isinstance(shape, StructureShape) or shape.is_document_type or type(value) is not dict:
        raise _NotPlain
    members = shape.members
    if not value.keys() <= members.keys():
        raise _NotPlain
    written: dict[str, Any] = {}
    for name, member in members.items():
        item = value.get(name)
        if item is None:
            continue
        if member.serialization.get("location"):  # a header: moto writes it elsewhere
            raise _NotPlain
        written[member.serialization.get("name", name)] = _written(item, member)
    return written
