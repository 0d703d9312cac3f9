"""`ai-watchdog findings`: where each recorded finding stands - open and waiting on its owner,
approved (by whom, until when), snoozed (until when) - from the store alone: no AWS call, no
plan, so it is instant and works wherever the store can be read (read-only too)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click

from watchdog.approvals.overview import ALL_STATES, OPEN_STATES, finding_views
from watchdog.cli._common import (
    Fail,
    aws_options,
    format_option,
    load_settings,
    open_store_or_fail,
    store_option,
)
from watchdog.cli.render import stdout_console
from watchdog.cli.render_findings import render_findings
from watchdog.store.base import StoreError

DEFAULT_STATES = ",".join(s for s in ALL_STATES if s in OPEN_STATES)


def _states(ctx: click.Context, param: click.Parameter, value: str) -> list[str]:
    states = [s.strip() for s in value.split(",") if s.strip()]
    if states == ["all"]:
        return list(ALL_STATES)
    unknown = [s for s in states if s not in ALL_STATES]
    if unknown or not states:
        raise click.BadParameter(
            f"{', '.join(unknown) or 'nothing'}: use a comma list of {', '.join(ALL_STATES)} "
            "or `all`",
            ctx,
            param,
        )
    return states


@click.command("findings")
@aws_options  # a dynamodb:// store is read with the AWS profile
@store_option
@click.option(
    "--state",
    "states",
    default=DEFAULT_STATES,
    show_default=True,
    callback=_states,
    help="Comma list of finding states, or `all`.",
)
@format_option
def findings(store: str | None, states: list[str], fmt: str) -> None:
    """List recorded findings: who each waits on, who approved it and until when, and when a
    snooze ends. Reads the store only (`apply` or `approve` record findings)."""
    opened = open_store_or_fail(load_settings(store=store), read_only=True)
    try:
        views = finding_views(opened, states, datetime.now(UTC))
    except StoreError as error:
        raise Fail(str(error)) from error
    finally:
        opened.close()
    console = stdout_console()
    if fmt == "json":
        dumped = [view.model_dump(mode="json") for view in views]
        console.out(json.dumps(dumped, indent=2), highlight=False)
    else:
        render_findings(views, states, console)
