"""`ai-watchdog policies show|export|validate|schema`: read and copy the shipped policies,
check policy files, print the schema editors use."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.table import Table

from watchdog.cli._common import EXIT_PARTIAL, Fail, output_option
from watchdog.cli.render import stdout_console
from watchdog.policies import check_path, default_policies_dir, policy_json_schema
from watchdog.policies.shipped import (
    ShippedError,
    export_shipped,
    policy_text,
    shipped_policies,
)
from watchdog.words import plural


@click.group()
def policies() -> None:
    """Show, export and check policy files; print their JSON Schema."""


@policies.command()
@click.argument("path", type=click.Path(exists=False, path_type=Path))
def validate(path: Path) -> None:
    """Check a policy file or directory; print every problem as FILE:LINE: FIELD: PROBLEM.

    Exit code 0 when valid, 1 when there are problems, 2 when PATH does not exist.
    """
    if not path.exists():
        raise Fail(f"{path}: no such file or directory")
    checked = check_path(path)
    for problem in checked.problems:
        click.echo(str(problem))
    if checked.problems:
        click.echo(_count(len(checked.problems), "problem"))
        sys.exit(EXIT_PARTIAL)
    click.echo(
        f"{_count(len(checked.policies), 'policy', 'policies')} in "
        f"{_count(len(checked.files), 'file')}: OK"
    )


@policies.command()
@output_option
def schema(output: Path | None) -> None:
    """Print the JSON Schema of policy files (for editor completion and checks)."""
    text = json.dumps(policy_json_schema(), indent=2) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


@policies.command()
@click.argument("name", required=False)
def show(name: str | None) -> None:
    """List the shipped policies, or print one (by policy name) or one shipped file (by file
    name) as YAML you can copy."""
    if name is not None:
        try:
            click.echo(policy_text(name), nl=False)
        except ShippedError as error:
            raise Fail(str(error)) from error
        return
    listed = shipped_policies()
    table = Table(title=f"Shipped policies ({default_policies_dir()})", title_justify="left")
    for column in ("name", "file", "resource", "action"):
        table.add_column(column, no_wrap=column != "resource")
    table.add_column("what it does", ratio=1, overflow="fold")
    for policy in listed:
        table.add_row(
            policy.name, policy.file, ", ".join(policy.resource), policy.action, policy.description
        )
    console = stdout_console()
    console.print(table)
    console.print(
        f"{_count(len(listed), 'policy', 'policies')}. Print one: ai-watchdog policies show "
        "NAME; copy them all to edit: ai-watchdog policies export DIR"
    )


@policies.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite files of the same name in DIRECTORY.")
def export(directory: Path, force: bool) -> None:
    """Copy the shipped policy files into DIRECTORY, to edit and use with --policies."""
    try:
        written = export_shipped(directory, force)
    except ShippedError as error:
        raise Fail(str(error)) from error
    click.echo(
        f"Wrote {_count(len(written), 'file')} to {directory}. Check your edits with "
        f"`ai-watchdog policies validate {directory}`; use them with --policies {directory} "
        "or WATCHDOG_POLICIES."
    )


def _count(number: int, singular: str, plural_noun: str | None = None) -> str:
    return plural(number, singular, plural_noun)
