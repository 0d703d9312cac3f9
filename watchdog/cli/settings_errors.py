"""Settings from flags and WATCHDOG_* variables; a bad value named as the person wrote it.

pydantic reports a bad value by its field (`mode: Input should be ...`), a name nobody typed.
The person set either a variable (`WATCHDOG_MODE`) or a flag (`--regions`): the message names
that one, what was given, and for a closed set of values the ones accepted, on one line.
"""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import SecretStr, ValidationError
from pydantic_core import ErrorDetails

from watchdog.cli.failures import Fail
from watchdog.settings import Settings

ENV_PREFIX = "WATCHDOG_"
# Flags whose name is not the field's (the daemon's flags drop the `daemon_` prefix).
FLAG_NAMES = {"daemon_schedule": "--schedule", "daemon_host": "--host", "daemon_port": "--port"}


def load_settings(**flags: Any) -> Settings:
    """Settings with flags over WATCHDOG_* variables; a bad value is one line and exit 2."""
    given = {name: value for name, value in flags.items() if value is not None}
    try:
        return Settings(**given)
    except ValidationError as error:
        problems = [describe_problem(detail, set(given)) for detail in error.errors()]
        raise Fail("; ".join(problems)) from error


def describe_problem(detail: ErrorDetails, from_flags: set[str]) -> str:
    """`WATCHDOG_MODE: 'on' is not accepted: use dry-run or enforce` (or `--flag: ...`)."""
    field = str(detail["loc"][0]) if detail["loc"] else ""
    if not field:
        return f"settings: {detail['msg']}"
    name = _flag(field) if field in from_flags else ENV_PREFIX + field.upper()
    accepted = accepted_values(field)
    shown = "" if _is_secret(field) else f"{detail['input']!r} "
    if accepted:
        return f"{name}: {shown}is not accepted: use {' or '.join(accepted)}"
    reason = detail["msg"].removeprefix("Value error, ")
    return f"{name}: {shown.strip() + ': ' if shown else ''}{reason}"


def accepted_values(field: str) -> list[str]:
    """The values a field takes when they are a closed set (a Literal, or a boolean)."""
    info = Settings.model_fields.get(field)
    if info is None:
        return []
    choices: list[str] = []
    for kind in _members(info.annotation):
        if typing.get_origin(kind) is typing.Literal:
            choices += [str(value) for value in typing.get_args(kind)]
        elif kind is bool:
            choices += ["true", "false"]
    return choices


def _members(annotation: Any) -> tuple[Any, ...]:
    """`X | None` -> (X, None); anything else -> (itself,)."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return typing.get_args(annotation)
    return (annotation,)


def _is_secret(field: str) -> bool:
    info = Settings.model_fields.get(field)
    return info is not None and SecretStr in _members(info.annotation)


def _flag(field: str) -> str:
    return FLAG_NAMES.get(field, "--" + field.replace("_", "-"))
