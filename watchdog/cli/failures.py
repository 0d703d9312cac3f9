"""Everyday mistakes as one line and exit code 2, in one place for every command.

Commands raise `Fail` for what they check themselves. What surfaces from deeper down (botocore's
configuration and connection errors, a store that cannot be opened or has no table) is turned
into the same one-line error here, by the `ai-watchdog` group, so no command needs its own copy
and no user sees a traceback for a typo in their environment.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import click

from watchdog.approvals.person import NotAllowed
from watchdog.aws.setup import AwsSetupError, explain
from watchdog.store.base import StoreError

EXIT_USAGE = 2


class Fail(click.ClickException):
    """A failure the user can act on, shown as one line with exit code 2."""

    exit_code = EXIT_USAGE


def explain_failure(error: BaseException) -> str | None:
    """The one line for an exception a person can fix; None for a real bug (keep its trace)."""
    # NotAllowed: the one authorization rule refused the person (allowlist, finished finding).
    if isinstance(error, (AwsSetupError, StoreError, NotAllowed)):
        return str(error)
    if isinstance(error, sqlite3.Error):
        return f"the SQLite store cannot be used: {error}"
    return explain(error)


class FriendlyGroup(click.Group):
    """A click group whose subcommands' environment mistakes end as one line, exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as error:
            message = explain_failure(error)
            if message is None:
                raise
            raise Fail(message) from error
