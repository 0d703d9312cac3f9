"""`ai-watchdog scan`: inventory the scope and print it as a table or JSON."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from watchdog.aws.scope import ScopeError
from watchdog.cache import Cache, file_cache
from watchdog.cli._common import (
    EXIT_PARTIAL,
    Fail,
    format_option,
    load_settings,
    output_option,
    scope_options,
)
from watchdog.cli.render import output_console, progress_bar, render_scan
from watchdog.inventory import ScanRequest, ScanResult
from watchdog.inventory import scan as run_scan
from watchdog.logs import configure_logging


@click.command()
@scope_options
@format_option
@output_option
def scan(
    scope: dict[str, Any],
    fmt: str,
    output: Path | None,
) -> None:
    """List every watched SageMaker and Bedrock resource, with what it is and how it bills."""
    settings = load_settings(
        **scope,
    )
    configure_logging(settings.log_format, settings.log_level)
    result = scan_or_fail(ScanRequest.from_settings(settings), file_cache(settings.cache_dir))
    with output_console(output) as console:
        if fmt == "json":
            console.out(result.model_dump_json(indent=2), highlight=False)
        else:
            render_scan(result, console)
    if result.errors:
        sys.exit(EXIT_PARTIAL)


def scan_or_fail(request: ScanRequest, cache: Cache) -> ScanResult:
    """The scan, with a progress bar on a terminal; bad scope or credentials fail cleanly.
    `cache`: where descriptions that never change are kept between runs (inventory.kept)."""
    try:
        with progress_bar("scanning accounts x regions") as progress:
            return run_scan(request, progress=progress, cache=cache)
    except ScopeError as error:
        raise Fail(str(error)) from error
