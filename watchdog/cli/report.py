"""`ai-watchdog report`: the savings report (what is at stake now, what was saved, by whom it
waits), from the store alone: no AWS call. HTML is one self-contained file, for a browser or a
phone; JSON is the whole model; CSV a long table for a spreadsheet."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from watchdog.cli._common import (
    Fail,
    load_settings,
    open_store_or_fail,
    output_option,
    store_option,
)
from watchdog.cli.audit import parse_since
from watchdog.cli.render import stdout_console
from watchdog.logs import configure_logging
from watchdog.report import FORMATS, SavingsReport, build_report, render_html
from watchdog.store.base import Store, StoreError

# Every audit entry counts: a teardown done before the window still saves inside it.
AUDIT_LIMIT = 1_000_000


def report_of(store: Store, now: datetime, since: datetime) -> SavingsReport:
    try:
        findings, audit = store.list_findings(), store.list_audit(limit=AUDIT_LIMIT)
    except StoreError as error:
        raise Fail(str(error)) from error
    return build_report(findings, audit, now, since)


@click.command("report")
@store_option
@click.option(
    "--since",
    default="30d",
    show_default=True,
    help="The window's start: a duration back from now (30d, 12h, 2w) or an ISO date or time.",
)
@click.option(
    "--format", "fmt", type=click.Choice(sorted(FORMATS)), default="html", show_default=True
)
@output_option
def report(store: str | None, since: str, fmt: str, output: Path | None) -> None:
    """What the watchdog's findings put at stake now and what its teardowns and parkings
    saved, by team, account, kind and policy."""
    now = datetime.now(UTC)
    try:
        start = parse_since(since, now)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="'--since'") from error
    if start >= now:
        raise click.BadParameter(f"{since!r} is not in the past", param_hint="'--since'")
    settings = load_settings(store=store)
    configure_logging(settings.log_format, settings.log_level)
    opened = open_store_or_fail(settings, read_only=True)
    try:
        text = FORMATS[fmt](report_of(opened, now, start))
    finally:
        opened.close()
    if output is None:
        stdout_console().out(text, highlight=False)
        return
    output.write_text(text, encoding="utf-8")
    click.echo(f"Report written to {output}")


def write_demo_report(store: Store, path: Path, since: datetime) -> SavingsReport:
    """The demo's report, as `ai-watchdog report --output PATH` writes it."""
    built = report_of(store, datetime.now(UTC), since)
    path.write_text(render_html(built), encoding="utf-8")
    return built
