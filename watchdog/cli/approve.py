"""`ai-watchdog approve FINDING_ID`: a person's yes from the command line.

The approval is recorded in the store for the finding's own action, under the OS user's name,
and expires (24 hours by default). The next `ai-watchdog apply --execute` (or the scheduled
run) uses it once, after re-verifying the resource.
"""

from __future__ import annotations

import getpass
import uuid
from datetime import UTC, datetime, timedelta

import click

from watchdog.approvals.record import NotApprovable, check_approvable, record_approval
from watchdog.cli._common import (
    Fail,
    aws_options,
    load_settings,
    open_store_or_fail,
    store_option,
)
from watchdog.cli.render import stdout_console
from watchdog.policies.schema import format_duration, parse_duration
from watchdog.store.base import Approval, Store

DEFAULT_VALIDITY = "24h"


@click.command()
@click.argument("finding_id")
@aws_options
@store_option
@click.option(
    "--expires-in",
    default=DEFAULT_VALIDITY,
    show_default=True,
    help="How long the approval stays valid (e.g. 2h, 3d).",
)
def approve(finding_id: str, store: str | None, expires_in: str) -> None:
    """Approve the stop or delete a finding asks for (ids come from `ai-watchdog apply`)."""
    try:
        validity = parse_duration(expires_in)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--expires-in") from error
    if validity <= timedelta(0):
        raise click.BadParameter("must be longer than zero", param_hint="--expires-in")
    opened = open_store_or_fail(load_settings(store=store))
    try:
        approval = record_cli_approval(opened, finding_id, getpass.getuser(), validity)
    finally:
        opened.close()
    stdout_console().print(
        f"Approved {approval.action} for finding {finding_id} as {approval.approver}, valid "
        f"for {format_duration(validity)} (until {approval.expires_at:%Y-%m-%d %H:%M} UTC). "
        "It runs at the next `ai-watchdog apply --execute`.",
        highlight=False,
    )


def record_cli_approval(
    store: Store, finding_id: str, approver: str, validity: timedelta
) -> Approval:
    stored = store.get_finding(finding_id)
    if stored is None:
        raise Fail(
            f"no finding {finding_id} in the store: run `ai-watchdog apply` (a dry run) to "
            "record the current findings and their ids"
        )
    try:
        check_approvable(finding_id, stored, stored.finding.action)
    except NotApprovable as error:
        raise Fail(str(error)) from error
    now = datetime.now(UTC)
    approval = Approval(
        id=f"ap-{uuid.uuid4().hex[:16]}",
        finding_id=finding_id,
        action=stored.finding.action,
        approver=approver,
        via="cli",
        created_at=now,
        expires_at=now + validity,
    )
    return record_approval(store, approval)
