"""`ai-watchdog restore AUDIT_ID`: undo a watchdog delete or stop from its audit record.

A dry run unless --execute: it shows the calls it would make, built from the recorded
descriptions, and changes nothing.
"""

from __future__ import annotations

import sys
import uuid
from datetime import UTC, datetime

import click
from botocore.exceptions import BotoCoreError, ClientError
from rich.console import Console
from rich.table import Table

from watchdog.act import SessionClients
from watchdog.act.restore import RestoreFailed, RestoreRefused, RestoreResult
from watchdog.act.restore import restore as run_restore
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
)
from watchdog.cli.render import stdout_console
from watchdog.logs import configure_logging


@click.command("restore")
@click.argument("audit_id")
@aws_options
@store_option
@click.option(
    "--execute", is_flag=True, help="Make the calls. Without it, only show what would be done."
)
@format_option
def restore(audit_id: str, store: str | None, execute: bool, fmt: str) -> None:
    """Recreate a deleted endpoint (with its config and models) or restart a stopped notebook
    instance, from audit entry AUDIT_ID. Dry run unless --execute."""
    settings = load_settings(store=store)
    refuse_execute_in_dry_run(settings, execute)
    configure_logging(settings.log_format, settings.log_level)
    opened = open_store_or_fail(settings)
    clients = SessionClients(member_role=settings.member_role, external_id=settings.external_id)
    try:
        result = run_restore(
            opened,
            audit_id,
            clients,
            now=datetime.now(UTC),
            run_id=f"restore-{uuid.uuid4().hex[:12]}",
            execute=execute,
        )
    except RestoreRefused as refused:
        raise Fail(str(refused)) from refused
    except RestoreFailed as failed:
        # Part of it may be done (and audited): exit 1, like any partly done run.
        click.echo(f"Error: {failed}", err=True)
        sys.exit(EXIT_PARTIAL)
    except (ClientError, BotoCoreError, PermissionError) as error:
        raise Fail(f"could not read AWS: {describe_error(error)}") from error
    finally:
        opened.close()
    console = stdout_console()
    if fmt == "json":
        console.out(result.model_dump_json(indent=2), highlight=False)
    else:
        render_restore(result, console)


def render_restore(result: RestoreResult, console: Console) -> None:
    plan = result.plan
    title = "Restored" if result.executed else "Would restore (dry run: add --execute to do it)"
    table = Table(
        title=f"{title} - audit entry {plan.audit_id}, account {plan.account} - {plan.region}",
        title_justify="left",
    )
    for column in ("#", "call", "name", "from record"):
        table.add_column(column)
    # ARNs and S3 paths must be read whole: folded, never cut short with an ellipsis.
    table.add_column("uses (as recorded)", overflow="fold")
    for index, action in enumerate(plan.actions, start=1):
        table.add_row(
            str(index),
            action.op,
            action.name,
            action.from_audit_id,
            "\n".join(action.references),
        )
    console.print(table)
    for existing in plan.reused:
        console.print(f"{existing.kind} {existing.name} still exists: used as it is")
    if result.executed:
        console.print(f"Audited as {', '.join(result.audit_ids)}")
