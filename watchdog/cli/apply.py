"""`ai-watchdog apply`: run the approved teardowns, in dependency order. Dry-run by default.

Exit codes: 0 done (or, dry, something would run); 1 partial (some steps left for the next run,
or part of the scope could not be scanned); 2 bad input; 3 nothing to do; 4 refused
(re-verification cancelled everything, or the circuit breaker stopped the run before any step).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from watchdog.act import ApplyRefused, ApplyResult, ExecOptions
from watchdog.act import apply as run_apply
from watchdog.aws.scope import ScopeError
from watchdog.cli._common import (
    EXIT_NOTHING_TO_DO,
    EXIT_PARTIAL,
    EXIT_REFUSED,
    Fail,
    format_option,
    load_settings,
    open_store_or_fail,
    output_option,
    policies_option,
    refuse_execute_in_dry_run,
    scope_options,
    store_option,
    tell_owners_or_fail,
)
from watchdog.cli.plan import load_policies_or_fail
from watchdog.cli.render import output_console, progress_bar
from watchdog.cli.render_apply import render_apply
from watchdog.inventory import ScanRequest
from watchdog.logs import configure_logging
from watchdog.pipeline import lookback_for
from watchdog.settings import Settings
from watchdog.signals.collect import SignalOptions

EXIT_BY_VERDICT = {
    "done": 0,
    "partial": EXIT_PARTIAL,
    "nothing-to-do": EXIT_NOTHING_TO_DO,
    "refused": EXIT_REFUSED,
}


@click.command()
@scope_options
@policies_option
@store_option
@click.option(
    "--execute",
    is_flag=True,
    help="Really run the approved steps. Without it, show what would run and change nothing.",
)
@click.option(
    "--only",
    "only",
    multiple=True,
    metavar="ARN",
    help="Act only on the finding for this resource ARN (repeatable).",
)
@format_option
@output_option
def apply(
    scope: dict[str, Any],
    policies_path: str | None,
    store: str | None,
    execute: bool,
    only: tuple[str, ...],
    fmt: str,
    output: Path | None,
) -> None:
    """Tear down what is approved (or auto-approved by policy), re-verifying each step first."""
    settings = load_settings(
        **scope,
        policies=policies_path,
        store=store,
    )
    refuse_execute_in_dry_run(settings, execute)
    configure_logging(settings.log_format, settings.log_level)
    result = apply_or_fail(settings, execute, only)
    with output_console(output) as console:
        if fmt == "json":
            console.out(result.model_dump_json(indent=2), highlight=False)
        else:
            render_apply(result, console)
    code = EXIT_BY_VERDICT[result.verdict()]
    if code == 0 and result.errors:
        code = EXIT_PARTIAL
    sys.exit(code)


def apply_or_fail(settings: Settings, execute: bool, only: tuple[str, ...] = ()) -> ApplyResult:
    policies = load_policies_or_fail(settings)
    store = open_store_or_fail(settings)
    try:
        with progress_bar("scanning accounts x regions") as progress:
            result = run_apply(
                ScanRequest.from_settings(settings),
                policies,
                store,
                ExecOptions.from_settings(settings, execute=execute),
                only=only,
                signal_options=SignalOptions.from_settings(settings, lookback_for(policies)),
                progress=progress,
            )
        if execute:
            tell_owners_or_fail(settings, store, result.run_id)
        return result
    except (ScopeError, ApplyRefused) as error:
        raise Fail(str(error)) from error
    finally:
        store.close()
