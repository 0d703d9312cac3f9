"""The base URL approval links are built on, when WATCHDOG_PUBLIC_URL is not set: in Lambda,
the function's own function URL. A template cannot hand a function its own URL (it exists only
once the function does), so the function reads it, once per warm container."""

from __future__ import annotations

from typing import Any

import boto3
import structlog
from botocore.exceptions import BotoCoreError, ClientError

from watchdog.aws.clients import CLIENT_CONFIG
from watchdog.aws.errors import describe_error

log = structlog.get_logger(__name__)

_found: dict[str, str | None] = {}


def own_function_url(context: Any, session: boto3.Session | None = None) -> str | None:
    """This function's URL (lambda:GetFunctionUrlConfig on itself), or None when it has none
    or may not read it: links are then left out, and the buttons still work."""
    name = getattr(context, "function_name", None)
    if not isinstance(name, str) or not name:
        return None
    if name not in _found:
        client = (session or boto3.Session()).client("lambda", config=CLIENT_CONFIG)
        try:
            _found[name] = str(client.get_function_url_config(FunctionName=name)["FunctionUrl"])
        except (ClientError, BotoCoreError) as error:
            log.info("no function URL: approval links are off", reason=describe_error(error))
            _found[name] = None
    return _found[name]


def forget() -> None:
    """Drop what was read (tests; a container is never told its URL changed)."""
    _found.clear()
