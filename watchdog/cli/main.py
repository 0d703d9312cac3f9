"""`ai-watchdog`: the command line. Thin: parse, call the core, render.

Exit codes: 0 done; 1 done, but some (account, region, kind) could not be scanned (or, for
`policies validate`, the policies have problems); 2 bad input or unusable credentials (nothing
was done, and nothing is written: a bad setting, flag, AWS profile, region, endpoint URL or
store says so in one line); 3 nothing to do and 4 refused (`apply`).
"""

from __future__ import annotations

import click

from watchdog import __version__
from watchdog.cli.apply import apply
from watchdog.cli.approve import approve
from watchdog.cli.audit import audit
from watchdog.cli.daemon import daemon
from watchdog.cli.demo import demo
from watchdog.cli.digest import digest
from watchdog.cli.failures import FriendlyGroup
from watchdog.cli.findings import findings
from watchdog.cli.leftovers import leftovers
from watchdog.cli.plan import plan
from watchdog.cli.policies import policies
from watchdog.cli.report import report
from watchdog.cli.restore import restore
from watchdog.cli.resume import resume
from watchdog.cli.sandbox import sandbox
from watchdog.cli.scan import scan
from watchdog.cli.snooze import exempt_command, snooze_command


@click.group(cls=FriendlyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ai-watchdog")
def cli() -> None:
    """Find idle or over-budget AWS AI resources (SageMaker, Bedrock) and what they cost."""


cli.add_command(scan)
cli.add_command(plan)
cli.add_command(apply)
cli.add_command(approve)
cli.add_command(daemon)
cli.add_command(restore)
cli.add_command(resume)
cli.add_command(audit)
cli.add_command(report)
cli.add_command(digest)
cli.add_command(findings)
cli.add_command(snooze_command)
cli.add_command(exempt_command)
cli.add_command(leftovers)
cli.add_command(sandbox)
cli.add_command(demo)
cli.add_command(policies)


def main() -> None:
    cli(prog_name="ai-watchdog")
