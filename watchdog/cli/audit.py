"""`ai-watchdog audit`: what the watchdog changed (or refused to), newest first, from the store.

Reads only. The JSON form is the full entries, descriptions included, so a person can find the
id to give `ai-watchdog restore` and see exactly what a resource was before it was deleted.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import click

from watchdog.cli._common import (
    Fail,
    aws_options,
    format_option,
    load_settings,
    open_store_or_fail,
    store_option,
)
from watchdog.cli.render import stdout_console
from watchdog.cli.render_audit import WINDOW_SCAN_LIMIT, AuditWindow, render_audit
from watchdog.logs import configure_logging
from watchdog.store.base import StoreError

DURATION = re.compile(r"^(\d+)\s*([mhdw])$")
UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str, now: datetime) -> datetime:
    """`7d`, `12h`, `30m`, `2w` before `now`, or an ISO date or time (UTC unless it says).

    Raises ValueError with a message for the user.
    """
    value = text.strip()
    if match := DURATION.match(value):
        amount, unit = int(match.group(1)), UNITS[match.group(2)]
        return now - timedelta(**{unit: amount})
    try:
        # Python 3.11 reads any ISO 8601 date or time, a bare date as its midnight.
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"{text!r} is neither a duration (7d, 12h, 30m, 2w) nor an ISO date or time "
            "(2025-06-01, 2025-06-01T09:00:00+02:00)"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _since(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    """--since as an aware datetime; a bad value is a usage error naming the accepted forms."""
    if value is None:
        return None
    try:
        return parse_since(value, datetime.now(UTC))
    except ValueError as error:
        raise click.BadParameter(str(error), ctx, param) from error


@click.command("audit")
@aws_options
@store_option
@format_option
@click.option(
    "--limit", type=click.IntRange(min=1), default=50, show_default=True, help="Newest N entries."
)
@click.option(
    "--since",
    callback=_since,
    help="Only entries from then on: a duration back from now (7d, 12h, 30m, 2w) or an ISO "
    "date or time (UTC unless it names a zone).",
)
def audit(store: str | None, fmt: str, limit: int, since: datetime | None) -> None:
    """List what the watchdog changed or refused to change, newest first, with the ids
    `ai-watchdog restore` takes."""
    settings = load_settings(store=store)
    configure_logging(settings.log_format, settings.log_level)
    opened = open_store_or_fail(settings, read_only=True)
    # The table's summary totals the whole window, so the table reads all of it; JSON is
    # only the page asked for.
    scan = limit if fmt == "json" else max(limit, WINDOW_SCAN_LIMIT)
    try:
        selected = opened.list_audit(limit=scan, since=since)
    except StoreError as error:
        raise Fail(str(error)) from error
    finally:
        opened.close()
    entries = selected[:limit]
    console = stdout_console()
    if fmt == "json":
        dumped = [entry.model_dump(mode="json") for entry in entries]
        console.out(json.dumps(dumped, indent=2), highlight=False)
    else:
        window = AuditWindow.of(selected, scan)
        render_audit(entries, console, limit=limit, since=since, window=window)
