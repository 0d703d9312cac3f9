"""`ai-watchdog snooze` and `ai-watchdog exempt`: Slack's Snooze and Exempt buttons from a
shell, through the very same code (watchdog/approvals/person.py,
watchdog/act/admission/exempt.py) and the same rule on who may (the approver allowlist).
The person is the OS user.

An id the store has not recorded yet (printed by `plan`) is looked up in a fresh plan, as
`approve` does. Exempting tags the resource in AWS; tagging only ever prevents changes, so
it is done in dry-run mode too, as the button does.
"""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from typing import Any

import click
from botocore.exceptions import BotoCoreError, ClientError

from watchdog.act.admission import EXEMPT_KEY, EXEMPT_VALUE, exempt_finding
from watchdog.approvals.authorize import Approvers, Deed, Person, authorize
from watchdog.approvals.person import MAX_SNOOZE_DAYS, open_finding, snooze
from watchdog.aws.errors import describe_error
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
from watchdog.service.context import Service
from watchdog.settings import Settings
from watchdog.store.base import Store, StoredFinding
from watchdog.words import plural


def _settings(scope: dict[str, Any], policies_path: str | None, store: str | None) -> Settings:
    settings = load_settings(**scope, policies=policies_path, store=store)
    configure_logging(settings.log_format, settings.log_level)
    return settings


def _person_may(
    store: Store, settings: Settings, finding_id: str, person: str, deed: Deed
) -> StoredFinding:
    """The finding, once the allowlist lets the OS user act on it and it is still open
    (NotAllowed otherwise: one line, exit 2, from the command group)."""
    authorize(Person(person), deed, Approvers.parse(settings.slack_approvers))
    find_or_plan(settings, store, finding_id)
    return open_finding(store, finding_id)


@click.command("snooze")
@click.argument("finding_id")
@scope_options
@policies_option
@store_option
@click.option(
    "--days",
    type=click.IntRange(min=1, max=MAX_SNOOZE_DAYS),
    help=f"How long, 1 to {MAX_SNOOZE_DAYS} (default WATCHDOG_SLACK_SNOOZE_DAYS, 7).",
)
def snooze_command(
    finding_id: str,
    scope: dict[str, Any],
    policies_path: str | None,
    store: str | None,
    days: int | None,
) -> None:
    """No reminders and no action on a finding for N days, as Slack's Snooze button."""
    settings = _settings(scope, policies_path, store)
    person = getpass.getuser()
    opened = open_store_or_fail(settings)
    try:
        _person_may(opened, settings, finding_id, person, "snooze")
        length = days or settings.slack_snooze_days
        until = snooze(opened, finding_id, person, length, datetime.now(UTC))
    finally:
        opened.close()
    stdout_console().print(
        f"Snoozed finding {finding_id} for {plural(length, 'day')} as {person} (until "
        f"{until:%Y-%m-%d %H:%M} UTC): no reminders and no action until then.",
        highlight=False,
    )


@click.command("exempt")
@click.argument("finding_id")
@scope_options
@policies_option
@store_option
def exempt_command(
    finding_id: str, scope: dict[str, Any], policies_path: str | None, store: str | None
) -> None:
    """Tag a finding's resource watchdog:exempt=true, as Slack's Exempt button: it is never
    stopped or deleted again. Done in dry-run mode too (it only prevents changes)."""
    settings = _settings(scope, policies_path, store)
    person = getpass.getuser()
    opened = open_store_or_fail(settings)
    try:
        stored = _person_may(opened, settings, finding_id, person, "snooze")
        clients = Service(settings=settings, store=opened).clients()
        exempt_finding(opened, clients, stored, person, datetime.now(UTC))
    except (ClientError, BotoCoreError, PermissionError) as error:
        why = str(error) if isinstance(error, PermissionError) else describe_error(error)
        raise Fail(f"could not tag {stored.finding.resource.name} exempt: {why}") from error
    finally:
        opened.close()
    stdout_console().print(
        f"Tagged {stored.finding.resource.arn} {EXEMPT_KEY}={EXEMPT_VALUE} as {person}: it is "
        f"never stopped or deleted again; finding {finding_id} is resolved.",
        highlight=False,
    )
