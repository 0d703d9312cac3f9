"""`ai-watchdog report`: the savings report (what is at stake now, what was saved, by whom it
waits), from the store alone: no AWS call. HTML is one self-contained file, for a browser or a
phone; JSON is the whole model; CSV a long table for a spreadsheet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from watchdog.approvals.tokens import issue_report_token, link_secret, report_url
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
from watchdog.policies.schema import parse_duration
from watchdog.report import FORMATS, SavingsReport, read_report, render_html
from watchdog.settings import Settings
from watchdog.store.base import Store, StoreError


def report_of(store: Store, now: datetime, since: datetime) -> SavingsReport:
    try:
        return read_report(store, now, since)
    except StoreError as error:
        raise Fail(str(error)) from error


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
@click.option(
    "--link",
    is_flag=True,
    help="Print a read-only link to this report on the daemon or Lambda "
    "(WATCHDOG_PUBLIC_URL, signed with WATCHDOG_LINK_SECRET) instead of the report.",
)
@click.option(
    "--valid", default="7d", show_default=True, help="With --link: how long the link works."
)
def report(
    store: str | None, since: str, fmt: str, output: Path | None, link: bool, valid: str
) -> None:
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
    if link:
        click.echo(_link(settings, now - start, valid, now))
        return
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


def _link(settings: Settings, window: timedelta, valid: str, now: datetime) -> str:
    try:
        lasts = parse_duration(valid)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="'--valid'") from error
    if settings.link_secret is None or not settings.public_url:
        raise Fail("--link needs WATCHDOG_LINK_SECRET and WATCHDOG_PUBLIC_URL (the daemon's URL)")
    try:
        key = link_secret(settings.link_secret.get_secret_value())
    except ValueError as error:
        raise Fail(str(error)) from error
    return report_url(settings.public_url, issue_report_token(key, window, now + lasts))


def write_demo_report(store: Store, path: Path, since: datetime) -> SavingsReport:
    """The demo's report, as `ai-watchdog report --output PATH` writes it."""
    built = report_of(store, datetime.now(UTC), since)
    path.write_text(render_html(built), encoding="utf-8")
    return built
