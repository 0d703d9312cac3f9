"""What several commands share: settings from flags, and turning failures into clear errors."""

from __future__ import annotations

from typing import Any

import click
from pydantic import ValidationError

from watchdog.settings import Settings

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
