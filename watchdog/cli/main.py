"""`ai-watchdog`: the command line. Thin: parse, call the core, render.

Exit codes: 0 done; 1 done, but some (account, region, kind) could not be scanned (or, for
`policies validate`, the policies have problems); 2 bad input or unusable credentials (nothing
was done, and nothing is written: a bad setting, flag, AWS profile, region, endpoint URL or
store says so in one line); 3 nothing to do and 4 refused (`apply`).
"""

from __future__ import annotations

import importlib

import click

from watchdog import __version__
from watchdog.cli.failures import FriendlyGroup
from watchdog.tuning import tune_for_plans

# Each command's module, imported only when that command runs (or `--help` lists them all):
# `ai-watchdog plan` needs neither the teardown machinery nor the daemon's web server, and
# importing every command's module cost every run about a quarter of a second more
# (python -X importtime: watchdog.cli.main 1.31 s against watchdog.cli.plan 1.04 s).
COMMANDS = {
    "scan": "watchdog.cli.scan:scan",
    "plan": "watchdog.cli.plan:plan",
    "apply": "watchdog.cli.apply:apply",
    "approve": "watchdog.cli.approve:approve",
    "daemon": "watchdog.cli.daemon:daemon",
    "restore": "watchdog.cli.restore:restore",
    "resume": "watchdog.cli.resume:resume",
    "audit": "watchdog.cli.audit:audit",
    "report": "watchdog.cli.report:report",
    "digest": "watchdog.cli.digest:digest",
    "findings": "watchdog.cli.findings:findings",
    "snooze": "watchdog.cli.snooze:snooze_command",
    "exempt": "watchdog.cli.snooze:exempt_command",
    "leftovers": "watchdog.cli.leftovers:leftovers",
    "sandbox": "watchdog.cli.sandbox:sandbox",
    "demo": "watchdog.cli.demo:demo",
    "policies": "watchdog.cli.policies:policies",
}


class CommandLine(FriendlyGroup):
    """The `ai-watchdog` group: its commands are found in COMMANDS as they are asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        where = COMMANDS.get(cmd_name)
        if where is None:
            return None
        module, name = where.split(":")
        command = getattr(importlib.import_module(module), name)
        assert isinstance(command, click.Command) and command.name == cmd_name, where
        return command


@click.group(cls=CommandLine, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ai-watchdog")
def cli() -> None:
    """Find idle or over-budget AWS AI resources (SageMaker, Bedrock) and what they cost."""


def main() -> None:
    tune_for_plans()  # the collector's rhythm and the switch interval (watchdog.tuning)
    cli(prog_name="ai-watchdog")
