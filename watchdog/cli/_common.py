"""What several commands share: settings from flags, and turning failures into clear errors."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from watchdog.settings import Settings
from watchdog.store.base import Store, StoreError
from watchdog.store.open import open_store

EXIT_PARTIAL = 1
EXIT_USAGE = 2


def load_settings(**flags: Any) -> Settings:
    """Settings with flags over WATCHDOG_* variables; a bad value is a usage error, not a trace."""
    given = {name: value for name, value in flags.items() if value is not None}
    try:
        return Settings(**given)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}"
            for e in error.errors()
        )
        raise click.UsageError(problems) from error


class Fail(click.ClickException):
    """A failure the user can act on, shown as one line with exit code 2."""

    exit_code = EXIT_USAGE


_SCOPE_OPTIONS = (
    click.option(
        "--regions", help="Comma list of regions, or `all` (enabled ones). [WATCHDOG_REGIONS]"
    ),
    click.option(
        "--accounts",
        help="`current`, `organization`, or comma list of role ARNs / account ids. "
        "[WATCHDOG_ACCOUNTS]",
    ),
    click.option(
        "--member-role", help="Role name to enter member accounts. [WATCHDOG_MEMBER_ROLE]"
    ),
    click.option("--external-id", help="ExternalId for sts:AssumeRole. [WATCHDOG_EXTERNAL_ID]"),
    click.option("--max-workers", type=int, help="Accounts x regions scanned at once (default 8)."),
)


SCOPE_FLAGS = ("regions", "accounts", "member_role", "external_id", "max_workers")


def scope_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The flags that say what to scan, shared by every command that scans. The command gets
    them as one `scope` dict, ready for `load_settings(**scope, ...)`."""

    @functools.wraps(command)
    def with_scope(**flags: Any) -> Any:
        scope = {name: flags.pop(name) for name in SCOPE_FLAGS}
        return command(scope=scope, **flags)

    for option in reversed(_SCOPE_OPTIONS):
        with_scope = option(with_scope)
    return with_scope


store_option = click.option(
    "--store",
    help="`sqlite:///path` or `dynamodb://table` (default: SQLite in the user's state "
    "directory). [WATCHDOG_STORE]",
)


def open_store_or_fail(settings: Settings) -> Store:
    """The configured store; a bad URL is a clear error, not a trace."""
    try:
        return open_store(settings.store)
    except StoreError as error:
        raise Fail(str(error)) from error


# `apply` says which of four things happened, so scripts can tell them apart.
EXIT_NOTHING_TO_DO = 3
EXIT_REFUSED = 4


policies_option = click.option(
    "--policies",
    "policies_path",
    help="Policy directory or file, s3://bucket/prefix, or appconfig://app/env/profile. "
    "[WATCHDOG_POLICIES; default: the shipped policies/]",
)
format_option = click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
output_option = click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE."
)
