"""`ai-watchdog resume ARN... | --all`: bring parked resources back now. Dry run unless
--execute.

Exit codes: 0 done (or, dry, it would run); 1 partly done (a step is left for the next run or
failed); 2 bad input, or nothing the request names is parked by the watchdog.
"""

from __future__ import annotations

import json
import sys
import uuid
from datetime import UTC, datetime

import click
from botocore.exceptions import BotoCoreError, ClientError

from watchdog.act import ExecOptions, SessionClients, SystemClock
from watchdog.act.parking import NothingToResume, resume_now
from watchdog.aws.errors import describe_error
from watchdog.cli._common import (
    EXIT_PARTIAL,
    Fail,
    aws_options,
    format_option,
    load_settings,
    open_store_or_fail,
    refuse_execute_in_dry_run,
    store_option,
    tell_owners_or_fail,
)
from watchdog.cli.render import stdout_console
from watchdog.cli.render_apply import render_outcomes
from watchdog.logs import configure_logging


@click.command("resume")
@click.argument("arns", nargs=-1, metavar="[ARN]...")
@click.option("--all", "everything", is_flag=True, help="Resume everything the watchdog parked.")
@aws_options
@store_option
@click.option(
    "--execute", is_flag=True, help="Make the calls. Without it, only show what would be done."
)
@format_option
def resume(
    arns: tuple[str, ...], everything: bool, store: str | None, execute: bool, fmt: str
) -> None:
    """Bring back resources the watchdog parked, now rather than at their schedule's time."""
    if bool(arns) == everything:
        raise Fail("name the parked resources' ARNs, or --all (not both)")
    settings = load_settings(store=store)
    refuse_execute_in_dry_run(settings, execute)
    configure_logging(settings.log_format, settings.log_level)
    opened = open_store_or_fail(settings)
    clients = SessionClients(member_role=settings.member_role, external_id=settings.external_id)
    options = ExecOptions.from_settings(settings, execute=execute)
    run_id = f"resume-{uuid.uuid4().hex[:12]}"
    try:
        outcomes = resume_now(
            opened, clients, SystemClock(), options, run_id, None if everything else arns
        )
        if execute:
            tell_owners_or_fail(settings, opened, run_id)
    except NothingToResume as nothing:
        raise Fail(str(nothing)) from nothing
    except (ClientError, BotoCoreError, PermissionError) as error:
        raise Fail(f"could not read AWS: {describe_error(error)}") from error
    finally:
        opened.close()
    console = stdout_console()
    if fmt == "json":
        # The shape of apply's answer, so one reader serves both: the run, its mode, findings.
        answer = {
            "run_id": run_id,
            "mode": "execute" if execute else "dry-run",
            "generated_at": datetime.now(UTC).isoformat(),
            "findings": [o.model_dump(mode="json") for o in outcomes],
        }
        console.out(json.dumps(answer, indent=2), highlight=False)
    else:
        if not execute:
            console.print("[bold]Dry run[/bold]: nothing is changed. Add --execute to resume.")
        render_outcomes(outcomes, console)
        console.print(f"Run {run_id} at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.", highlight=False)
    if any(o.fate not in ("done", "would-run") for o in outcomes):
        sys.exit(EXIT_PARTIAL)
