"""GetMetricData's answer written straight to JSON for clients speaking CloudWatch's JSON
protocol, as moto would write it.

moto serializes every answer by walking the service model: each timestamp of a 500-query
answer (84,000 for a week of hours) is parsed back into a datetime and formatted again. That
was about a second of the sandbox's CPU per call, four calls a plan (py-spy on bench/plan.py):
AWS's CPU, which a benchmark on the sandbox would count as the watchdog's wait. The document
here has the same members, the same numbers and the same headers (a test compares it with
moto's own); a client speaking the Query protocol (XML) is left to moto.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.serialize import TimestampSerializer

from watchdog_sandbox.json_answer import json_response, speaks_json

_ORIGINAL = CloudWatchResponse.get_metric_data

# Result member -> what moto's backend calls it, in the shape's order (MetricDataResult).
_MEMBERS = (
    ("Id", "id"),
    ("Label", "label"),
    ("Timestamps", "timestamps"),
    ("Values", "values"),
    ("StatusCode", "status_code"),
    ("Messages", "messages"),
)


def install() -> None:
    CloudWatchResponse.get_metric_data = _get_metric_data  # type: ignore[method-assign]


def _get_metric_data(self: CloudWatchResponse) -> Any:
    answer = _ORIGINAL(self)  # the backend's answer, and moto's validation of the request
    if not speaks_json(self):
        return answer
    return json_response(self, json_document(answer.result))


def json_document(result: Any) -> dict[str, Any]:
    """The answer as moto's JSON serializer writes it: members present, epoch seconds."""
    epochs = _Epochs()  # a call's series share their periods' timestamps
    return {"MetricDataResults": [_result(item, epochs) for item in result["MetricDataResults"]]}


class _Epochs(dict[datetime, Any]):
    """Timestamps in epoch seconds, each converted once: looked up without a Python call."""

    def __missing__(self, at: datetime) -> Any:
        converted = self[at] = TimestampSerializer._timestamp_unixtimestamp(at)
        return converted


def _result(item: dict[str, Any], epochs: _Epochs) -> dict[str, Any]:
    written: dict[str, Any] = {}
    for member, key in _MEMBERS:
        value = item.get(key)
        if value is None:
            continue
        written[member] = list(map(epochs.__getitem__, value)) if member == "Timestamps" else value
    return written
