"""`ai-watchdog plan`: findings with evidence, cost and ordered teardown steps. Changes nothing."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from watchdog.aws.policy_sources import load_configured_policies
from watchdog.aws.scope import ScopeError
from watchdog.cli._common import (
    EXIT_PARTIAL,
    Fail,
    format_option,
    load_settings,
    output_option,
    policies_option,
    scope_options,
)
from watchdog.cli.render import output_console, progress_bar
from watchdog.cli.render_plan import render_plan
from watchdog.inventory import ScanRequest
from watchdog.logs import configure_logging
from watchdog.pipeline import PlanResult, lookback_for, run_plan
from watchdog.policies import PolicyError
from watchdog.policies.schema import Policy
from watchdog.settings import Settings
from watchdog.signals.collect import SignalOptions


@click.command()
@scope_options
@policies_option
@format_option
@output_option
def plan(
    scope: dict[str, Any],
    policies_path: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Find what the policies flag, what it costs, and the teardown each finding needs."""
    settings = load_settings(
        **scope,
        policies=policies_path,
    )
    configure_logging(settings.log_format, settings.log_level)
    result = plan_or_fail(settings, load_policies_or_fail(settings))
    with output_console(output) as console:
        if fmt == "json":
            console.out(result.model_dump_json(indent=2), highlight=False)
        else:
            render_plan(result, console)
    if result.errors:
        sys.exit(EXIT_PARTIAL)


def load_policies_or_fail(settings: Settings) -> list[Policy]:
    spec = settings.policies
    if spec and "://" not in spec and not Path(spec).exists():
        raise Fail(f"{spec}: no such policy file or directory")
    try:
        return load_configured_policies(spec)
    except PolicyError as error:
        raise Fail(f"the policies have problems:\n{error}") from error


def plan_or_fail(settings: Settings, policies: list[Policy]) -> PlanResult:
    options = SignalOptions.from_settings(settings, lookback_for(policies))
    try:
        with progress_bar("scanning accounts x regions") as progress:
            return run_plan(
                ScanRequest.from_settings(settings),
                policies,
                options,
                now=datetime.now(UTC),
                progress=progress,
            )
    except ScopeError as error:
        raise Fail(str(error)) from error
