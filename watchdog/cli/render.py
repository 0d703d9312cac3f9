"""Terminal rendering with rich: tables grouped by account, region and kind; progress on stderr."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import groupby
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from watchdog.inventory import ScanResult
from watchdog.records import ResourceRecord, ScanError

OWNER_TAGS = ("owner", "team", "slack-channel")


def stdout_console() -> Console:
    # Off a terminal rich assumes 80 columns, which truncates names; files and pipes get room.
    return Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)


@contextmanager
def output_console(path: Path | None) -> Iterator[Console]:
    """Stdout, or a file (plain text, no colour) when --output is given."""
    if path is None:
        yield stdout_console()
        return
    with path.open("w", encoding="utf-8") as handle:
        yield Console(file=handle, no_color=True, width=160, soft_wrap=True)


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress callback that draws on stderr when it is a terminal, and does nothing else."""
    if not sys.stderr.isatty():
        yield lambda done, total: None
        return
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def render_scan(result: ScanResult, console: Console) -> None:
    def place(record: ResourceRecord) -> tuple[str, str]:
        return record.account, record.region

    for (account, region), group in groupby(result.resources, key=place):
        table = Table(title=f"account {account} - {region}", title_justify="left")
        for column in ("kind", "name", "status", "instance", "billing", "owner"):
            table.add_column(column)
        for kind, records in groupby(group, key=lambda r: r.kind):
            for index, record in enumerate(records):
                table.add_row(kind if index == 0 else "", *_row(record))
            table.add_section()
        console.print(table)
    if not result.resources:
        console.print("No watched resources found.")
    render_errors(result.errors, console)
    stats = result.stats
    console.print(
        f"{len(result.resources)} resources in {stats.accounts} account(s), {stats.shards} "
        f"account-region(s): {stats.api_calls} API calls in {stats.duration_s:.1f} s"
    )


def render_errors(errors: Sequence[ScanError], console: Console) -> None:
    if not errors:
        return
    table = Table(title="Could not scan", title_justify="left")
    for column in ("account", "region", "kind", "error"):
        table.add_column(column)
    for error in errors:
        table.add_row(error.account, error.region, error.kind, error.error)
    console.print(table)


def _row(record: ResourceRecord) -> tuple[str, str, str, str, str]:
    instance = record.instance_type or ""
    if record.instance_count is not None and (instance or record.instance_count):
        instance = (
            f"{record.instance_count} x {instance}" if instance else str(record.instance_count)
        )
    owner = next((record.tags[t] for t in OWNER_TAGS if t in record.tags), "")
    return record.name, record.status or "", instance, record.billing.describe(), owner
