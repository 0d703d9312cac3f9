"""A call journal: every Delete*/Stop*/Start*/Create*/Update*/Register* request the sandbox
answers, one JSON line each.

An independent witness for tests that must count changes (the fault-injection tests count the
delete, stop, start, create, update and register calls per resource across killed and resumed
runs: a teardown's, a park's and a resume's, including a scaling minimum lowered or a component's
copies set) without trusting the watchdog's own records. Off unless `WATCHDOG_SANDBOX_JOURNAL`
names a file; the variable is read on every request, so a server can switch files between
trials. Each line holds:

    {"at": <unix time>, "service": "sagemaker", "operation": "DeleteEndpoint",
     "account": "123456789012", "region": "us-east-1", "status": 200,
     "path": "/", "params": {"EndpointName": "..."}}

`params` is the request's JSON body (awsJson services such as SageMaker), its form fields (query
services such as EC2: `{"InstanceId.1": "i-..."}`, without Action and Version) or, for REST services
(Bedrock's `DELETE /provisioned-model-throughput/{id}`), empty: the resource is in `path`.
`status` is the HTTP status AWS would give: 2xx accepted, 4xx refused (e.g. ResourceNotFound),
500 when the emulator raised.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from moto.core.responses import BaseResponse

from watchdog_sandbox import sagemaker_common as common

JOURNAL_ENV = "WATCHDOG_SANDBOX_JOURNAL"
JOURNALED_PREFIXES = ("Delete", "Stop", "Start", "Create", "Update", "Register")
# What every query-protocol request carries: not what it acted on.
QUERY_ENVELOPE = frozenset({"Action", "Version"})
_TAG = "watchdog.journal"
_lock = threading.Lock()


def install() -> None:
    common.wrap_method(BaseResponse, "call_action", _TAG, _wrap_call_action)


def _wrap_call_action(original: Callable[..., Any]) -> Callable[..., Any]:
    def call_action(self: BaseResponse) -> Any:
        path = os.environ.get(JOURNAL_ENV)
        if not path:
            return original(self)
        operation = _operation(self)
        if not operation.startswith(JOURNALED_PREFIXES):
            return original(self)
        try:
            answer = original(self)
        except Exception:
            _write(path, self, operation, 500)
            raise
        _write(path, self, operation, int(answer[0]))
        return answer

    return call_action


def _operation(response: BaseResponse) -> str:
    try:
        return str(response._get_action())
    except Exception:  # an unknown route: not a call this journal is about
        return ""


def _params(response: BaseResponse) -> dict[str, Any]:
    body = getattr(response, "body", None)
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str) and body.strip():
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            return parsed
    # A query-protocol request (it names its Action): moto has parsed its form into
    # `querystring` (name -> values). For REST requests that holds the headers: not params.
    form = getattr(response, "querystring", None) or {}
    if "Action" not in form:
        return {}
    return {k: v[0] for k, v in form.items() if k not in QUERY_ENVELOPE and v}


def _write(path: str, response: BaseResponse, operation: str, status: int) -> None:
    line = json.dumps(
        {
            "at": time.time(),
            "service": getattr(response, "service_name", None),
            "operation": operation,
            "account": getattr(response, "current_account", None),
            "region": getattr(response, "region", None),
            "status": status,
            "path": getattr(response, "path", ""),
            "params": _params(response),
        },
        sort_keys=True,
        default=str,
    )
    with _lock, open(path, "a", encoding="utf-8") as journal:
        journal.write(line + "\n")
