"""`ai-watchdog policies validate|schema`: check policy files; print the schema editors use."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from watchdog.cli._common import EXIT_PARTIAL, Fail, output_option
from watchdog.policies import check_path, policy_json_schema


@click.group()
def policies() -> None:
    """Check policy files and print their JSON Schema."""


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


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else plural or singular + 's'}"
