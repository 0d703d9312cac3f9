"""`ai-watchdog approve FINDING_ID`: a person's yes from the command line (or, with --revoke,
the withdrawal of one).

The approval is recorded in the store for the finding's own action, under the OS user's name,
and expires (24 hours by default). The next `ai-watchdog apply --execute` (or the scheduled
run) uses it once, after re-verifying the resource. An id the store has not seen yet (printed
by `plan`, which records nothing) is looked up in a fresh plan, made as `apply` makes it.
"""

from __future__ import annotations

import getpass
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from watchdog.approvals.authorize import Approvers, Deed, Person, authorize
from watchdog.approvals.person import revoke
from watchdog.approvals.record import NotApprovable, check_approvable, record_approval
from watchdog.cli._common import (
    Fail,
    load_settings,
    open_store_or_fail,
    policies_option,
    scope_options,
    store_option,
)
from watchdog.cli.fresh import find_or_plan
from watchdog.cli.render import stdout_console
from watchdog.logs import configure_logging
from watchdog.policies.schema import format_duration, parse_duration
from watchdog.settings import Settings
from watchdog.store.base import Approval, Store
from watchdog.words import plural

DEFAULT_VALIDITY = "24h"


@click.command()
@click.argument("finding_id")
@scope_options
@policies_option
@store_option
@click.option(
    "--expires-in",
    default=DEFAULT_VALIDITY,
    show_default=True,
    help="How long the approval stays valid (e.g. 2h, 3d).",
)
@click.option(
    "--revoke",
    is_flag=True,
    help="Withdraw the finding's pending (not yet used) approval instead; it is audited.",
)
def approve(
    finding_id: str,
    scope: dict[str, Any],
    policies_path: str | None,
    store: str | None,
    expires_in: str,
    revoke: bool,
) -> None:
    """Approve the stop or delete a finding asks for (ids come from `ai-watchdog plan` or
    `apply`; an id the store has not recorded yet is looked up in a fresh plan)."""
    validity = _validity(expires_in)
    settings = load_settings(**scope, policies=policies_path, store=store)
    configure_logging(settings.log_format, settings.log_level)
    person = getpass.getuser()
    deed: Deed = "revoke" if revoke else "approve"
    authorize(Person(person), deed, Approvers.parse(settings.slack_approvers))
    opened = open_store_or_fail(settings)
    try:
        if revoke:
            _revoke(opened, finding_id, person)
            return
        approval = record_cli_approval(opened, finding_id, person, validity, settings)
    finally:
        opened.close()
    stdout_console().print(
        f"Approved {approval.action} for finding {finding_id} as {approval.approver}, valid "
        f"for {format_duration(validity)} (until {approval.expires_at:%Y-%m-%d %H:%M} UTC). "
        "It runs at the next `ai-watchdog apply --execute`.",
        highlight=False,
    )


def _validity(expires_in: str) -> timedelta:
    try:
        validity = parse_duration(expires_in)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--expires-in") from error
    if validity <= timedelta(0):
        raise click.BadParameter("must be longer than zero", param_hint="--expires-in")
    return validity


def _revoke(store: Store, finding_id: str, person: str) -> None:
    revoked = revoke(store, finding_id, person, datetime.now(UTC))
    names = ", ".join(sorted({a.approver for a in revoked}))
    stdout_console().print(
        f"Revoked {plural(len(revoked), 'approval')} of finding {finding_id} (by {names}); "
        "`ai-watchdog audit` lists the withdrawal.",
        highlight=False,
    )


def record_cli_approval(
    store: Store, finding_id: str, approver: str, validity: timedelta, settings: Settings
) -> Approval:
    """Record the approval; an id the store lacks is found in a fresh plan first."""
    stored = find_or_plan(settings, store, finding_id)
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
