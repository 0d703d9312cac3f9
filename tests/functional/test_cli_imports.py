"""`ai-watchdog COMMAND` imports that command's module, not every command's: a fresh
interpreter runs one command, then its sys.modules are read (structure, not time)."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest

from watchdog.cli.main import COMMANDS, cli

PROBE = """
import json, sys
from watchdog.cli.main import cli
try:
    cli(sys.argv[1:], prog_name="ai-watchdog")
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.startswith("watchdog"))))
"""


def loaded_by(*args: str) -> set[str]:
    ran = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=60
    )
    assert ran.returncode == 0, ran.stderr
    return set(json.loads(ran.stdout.splitlines()[-1]))


def test_every_listed_name_is_its_command() -> None:
    context = click.Context(cli)
    assert isinstance(cli, click.Group)
    assert cli.list_commands(context) == sorted(COMMANDS)
    for name in COMMANDS:
        command = cli.get_command(context, name)
        assert command is not None and command.name == name
    assert cli.get_command(context, "nosuch") is None


@pytest.mark.parametrize(
    ("args", "imported", "not_imported"),
    [
        (
            ("plan", "--help"),
            "watchdog.cli.plan",
            ("watchdog.act", "watchdog.daemon", "watchdog.cli.apply"),
        ),
        (("findings", "--help"), "watchdog.cli.findings", ("watchdog.daemon", "watchdog.cli.plan")),
    ],
)
def test_a_command_imports_its_module_and_not_the_others(
    args: tuple[str, ...], imported: str, not_imported: tuple[str, ...]
) -> None:
    modules = loaded_by(*args)
    assert imported in modules
    assert not modules & set(not_imported), modules & set(not_imported)


def test_help_lists_every_command() -> None:
    modules = loaded_by("--help")
    assert {where.split(":")[0] for where in COMMANDS.values()} <= modules
