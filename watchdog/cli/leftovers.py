"""`ai-watchdog leftovers`: what a deleted Studio domain left behind, deleted only on request.

The watchdog deletes domains retaining their EFS home volume (users' home directories live
there), which leaves the volume, its mount targets and two NFS security groups in the account.
This command reports them; with `--execute` it deletes them, the explicit opt-in the safety
rules ask for before anything destroys user data.
"""

from __future__ import annotations

import json
import re
import secrets
from datetime import UTC, datetime

import boto3
import click
from botocore.exceptions import BotoCoreError, ClientError
from rich.console import Console
from rich.table import Table

from watchdog.act import SessionClients
from watchdog.act.leftovers import (
    Deletion,
    DomainLeftovers,
    LeftoversFailed,
    LeftoversRefused,
    delete_domain_leftovers,
    domain_arn,
    domain_history,
    find_domain_leftovers,
    record_deletions,
)
from watchdog.aws.errors import describe_error
from watchdog.aws.scope import ScopeError
from watchdog.cli._common import (
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
from watchdog.settings import Settings
from watchdog.store.base import AuditEntry, Store, StoreError

# API_DeleteDomain's pattern for a domain id; a typo fails here, before any call.
DOMAIN_ID = re.compile(r"^d-(-*[a-z0-9]){1,61}$")
ACCOUNT_ID = re.compile(r"^\d{12}$")


def _domain_id(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if not DOMAIN_ID.match(value):
        raise click.BadParameter(f"{value!r} is not a domain id (d- and lowercase letters/digits)")
    return value


def _account_id(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not ACCOUNT_ID.match(value):
        raise click.BadParameter(f"{value!r} is not a 12-digit account id")
    return value


@click.command()
@aws_options
@click.option("--domain-id", required=True, callback=_domain_id, help="The deleted domain's id.")
@click.option("--region", help="The domain's region. [default: the AWS session's region]")
@click.option(
    "--account",
    callback=_account_id,
    help="The domain's account id. [default: the caller's; another account is entered through "
    "WATCHDOG_MEMBER_ROLE]",
)
@click.option(
    "--efs-id",
    help="The domain's HomeEfsFileSystemId, if known: saves a search (it must still carry the "
    "domain's tag).",
)
@click.option(
    "--execute",
    is_flag=True,
    help="Delete what is left. The EFS volume holds every user's home directory: this "
    "destroys them.",
)
@store_option
@format_option
def leftovers(
    domain_id: str,
    region: str | None,
    account: str | None,
    efs_id: str | None,
    execute: bool,
    store: str | None,
    fmt: str,
) -> None:
    """Report the EFS home volume and NFS security groups a deleted Studio domain left behind;
    delete them with --execute."""
    settings = load_settings(store=store)
    refuse_execute_in_dry_run(settings, execute)
    configure_logging(settings.log_format, settings.log_level)
    opened = open_store_or_fail(settings, read_only=not execute)
    try:
        found, deletions, history = _run(
            settings, opened, domain_id, region, account, efs_id, execute
        )
    finally:
        opened.close()
    console = stdout_console()
    if fmt == "json":
        report = {
            "leftovers": found.model_dump(mode="json"),
            "executed": execute,
            "deletions": [d.model_dump(mode="json") for d in deletions],
        }
        console.out(json.dumps(report, indent=2), highlight=False)
    else:
        render_leftovers(found, deletions, execute, console, history)


def _run(
    settings: Settings,
    store: Store,
    domain_id: str,
    region: str | None,
    account: str | None,
    efs_id: str | None,
    execute: bool,
) -> tuple[DomainLeftovers, list[Deletion], AuditEntry | None]:
    """Find (and with `execute`, delete) the leftovers, recording each deletion; and, when
    nothing is found, the audit entry that shows the domain was real (Fail if there is none)."""
    session = boto3.Session()
    region = region or session.region_name
    if not region:
        raise Fail("no region: give --region or set AWS_DEFAULT_REGION")
    clients = SessionClients(
        session, member_role=settings.member_role, external_id=settings.external_id
    )
    run_id = f"leftovers-{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"
    try:
        account = account or clients.own_account
        arn = domain_arn(account, region, domain_id)
        found = find_domain_leftovers(
            clients, account, region, domain_id, arn, file_system_id=efs_id
        )
        deletions = delete_domain_leftovers(clients, found, execute, before_changes=_warn)
        record_deletions(store, found, deletions, run_id, datetime.now(UTC))
        history = domain_history(store, arn) if found.empty else None
    except LeftoversRefused as error:
        raise Fail(str(error)) from error
    except LeftoversFailed as error:
        _record_partial(store, found, error.done, run_id)
        _render_partial(error.done)
        raise Fail(str(error)) from error
    except (ScopeError, PermissionError) as error:
        raise Fail(str(error)) from error
    except (ClientError, BotoCoreError) as error:
        raise Fail(describe_error(error)) from error
    except StoreError as error:
        raise Fail(f"the audit log cannot be read or written: {error}") from error
    if found.empty and history is None:
        raise Fail(unknown_domain(found))
    return found, deletions, history


def unknown_domain(found: DomainLeftovers) -> str:
    return (
        f"unknown domain {found.domain_id} in {found.account}/{found.region}: it cannot be "
        "described, no EFS volume is tagged with its ARN, no NFS security groups are named for "
        "it, and the audit log records neither its deletion nor its leftovers' removal. Check "
        "the id, --region and --account; a domain deleted and cleaned up outside the watchdog "
        "has nothing left to remove."
    )


def _record_partial(
    store: Store, found: DomainLeftovers, done: list[Deletion], run_id: str
) -> None:
    try:
        record_deletions(store, found, done, run_id, datetime.now(UTC))
    except StoreError as error:
        Console(stderr=True).print(f"the audit log could not record them: {error}")


def _warn(found: DomainLeftovers) -> None:
    if found.file_system is None:
        return
    Console(stderr=True).print(
        f"[bold red]WARNING[/]: deleting EFS volume {found.file_system.file_system_id} "
        f"({human_size(found.file_system.size_bytes)}) destroys the home directories of every "
        f"user of domain {found.domain_id}. This cannot be undone.",
        highlight=False,
    )


def _render_partial(done: list[Deletion]) -> None:
    if done:
        Console(stderr=True).print(_deletions_table(done, "Done before the failure"))


def render_leftovers(
    found: DomainLeftovers,
    deletions: list[Deletion],
    execute: bool,
    console: Console,
    history: AuditEntry | None = None,
) -> None:
    if found.empty:
        known = (
            f" The audit log records {history.op} on {history.at:%Y-%m-%d %H:%M} UTC."
            if history is not None
            else ""
        )
        console.print(
            f"Domain {found.domain_id} left nothing behind in {found.account}/{found.region}: "
            f"no EFS volume tagged with its ARN, no NFS security groups.{known}"
        )
        return
    console.print(_leftovers_table(found))
    title = "Done" if execute else "Would do, in this order (dry run)"
    console.print(_deletions_table(deletions, title))
    if execute:
        done = sum(d.outcome == "done" for d in deletions)
        console.print(f"Done: {done} call(s); nothing of domain {found.domain_id} is left.")
    else:
        console.print(
            "Dry run: nothing was changed. Add --execute to delete them; the EFS volume holds "
            "users' home directories."
        )


def _leftovers_table(found: DomainLeftovers) -> Table:
    table = Table(
        title=f"Left behind by domain {found.domain_id} (account {found.account}, {found.region})",
        title_justify="left",
    )
    for column in ("resource", "id", "detail"):
        table.add_column(column)
    volume = found.file_system
    if volume is not None:
        table.add_row(
            "EFS home volume",
            volume.file_system_id,
            f"{human_size(volume.size_bytes)}, created {volume.created_at:%Y-%m-%d}",
        )
        for target_id in volume.mount_target_ids:
            table.add_row("  mount target", target_id, "")
    for group in found.security_groups:
        table.add_row("security group", group.group_id, f"{group.name} in {group.vpc_id}")
    return table


def _deletions_table(deletions: list[Deletion], title: str) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("#", "call", "resource", "what", "outcome"):
        table.add_column(column)
    for index, deletion in enumerate(deletions, start=1):
        table.add_row(
            str(index), deletion.op, deletion.resource_id, deletion.detail, deletion.outcome
        )
    return table


def human_size(size_bytes: int) -> str:
    if size_bytes < 1024:
        return f"{size_bytes} B"
    size = float(size_bytes)
    for unit in ("KiB", "MiB", "GiB"):
        size /= 1024
        if size < 1024:
            return f"{size:.1f} {unit}"
    return f"{size / 1024:.1f} TiB"
