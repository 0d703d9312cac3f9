"""What several commands share: settings from flags, and turning failures into clear errors."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from watchdog.aws.setup import AwsSetupError, check_aws_setup
from watchdog.cli.failures import EXIT_USAGE, Fail
from watchdog.cli.settings_errors import load_settings
from watchdog.settings import Settings
from watchdog.store.base import Store, StoreError
from watchdog.store.open import open_store

__all__ = ["EXIT_USAGE", "Fail", "load_settings"]

EXIT_PARTIAL = 1


_SCOPE_OPTIONS = (
    click.option(
        "--regions", help="Comma list of regions, or `all` (enabled ones). [WATCHDOG_REGIONS]"
    ),
    click.option(
        "--accounts",
        help="`current`, `organization`, or comma list of role ARNs / account ids. "
        "[WATCHDOG_ACCOUNTS]",
    ),
    click.option(
        "--member-role", help="Role name to enter member accounts. [WATCHDOG_MEMBER_ROLE]"
    ),
    click.option("--external-id", help="ExternalId for sts:AssumeRole. [WATCHDOG_EXTERNAL_ID]"),
    click.option("--max-workers", type=int, help="Accounts x regions scanned at once (default 8)."),
)
_PROFILE_OPTION = click.option(
    "--profile", help="The AWS profile to use (from ~/.aws/config). [AWS_PROFILE]"
)


def aws_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--profile` for a command that talks to AWS, and a check of the AWS configuration
    (profile, region, endpoint URL) before the command does anything: a mistake there is one
    line and exit 2, not a traceback after half a run."""

    @functools.wraps(command)
    def with_aws(profile: str | None, **flags: Any) -> Any:
        if profile is not None:
            # The flag means AWS_PROFILE for this process: every session boto3 makes, in every
            # stage and thread, reads it from there.
            os.environ["AWS_PROFILE"] = profile
        try:
            check_aws_setup()
        except AwsSetupError as error:
            raise Fail(str(error)) from error
        return command(**flags)

    return _PROFILE_OPTION(with_aws)


SCOPE_FLAGS = ("regions", "accounts", "member_role", "external_id", "max_workers")


def scope_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The flags that say what to scan, shared by every command that scans. The command gets
    them as one `scope` dict, ready for `load_settings(**scope, ...)`."""

    @functools.wraps(command)
    def with_scope(**flags: Any) -> Any:
        scope = {name: flags.pop(name) for name in SCOPE_FLAGS}
        return command(scope=scope, **flags)

    for option in reversed(_SCOPE_OPTIONS):
        with_scope = option(with_scope)
    return aws_options(with_scope)


store_option = click.option(
    "--store",
    help="`sqlite:///path` or `dynamodb://table` (default: SQLite in the user's state "
    "directory). [WATCHDOG_STORE]",
)


# A finding id no run makes: reading it proves the store answers (a DynamoDB table exists).
_PROBE_FINDING = "watchdog-store-check"


def open_store_or_fail(settings: Settings, *, read_only: bool = False) -> Store:
    """The configured store, proven usable before any work; a bad URL, a missing table or an
    unwritable folder is a clear error, not a trace after a whole scan. Commands that only
    read pass `read_only`, so a store on a read-only file system can still be read."""
    try:
        store = open_store(settings.store, read_only=read_only)
    except StoreError as error:
        raise Fail(str(error)) from error
    try:
        store.get_finding(_PROBE_FINDING)
    except StoreError as error:
        store.close()
        raise Fail(str(error)) from error
    return store


DRY_RUN_FORBIDS_EXECUTE = (
    "WATCHDOG_MODE=dry-run forbids --execute: nothing was changed. To change things, set "
    "WATCHDOG_MODE=enforce (or unset WATCHDOG_MODE) and run again"
)


def refuse_execute_in_dry_run(settings: Settings, execute: bool) -> None:
    """A deployment that says dry-run is not overridden by a flag: an explicit WATCHDOG_MODE of
    dry-run (environment or config) plus --execute is refused. Unset, --execute decides."""
    if execute and settings.mode == "dry-run" and "mode" in settings.model_fields_set:
        raise Fail(DRY_RUN_FORBIDS_EXECUTE)


# `apply` says which of four things happened, so scripts can tell them apart.
EXIT_NOTHING_TO_DO = 3
EXIT_REFUSED = 4


policies_option = click.option(
    "--policies",
    "policies_path",
    help="Policy directory or file, s3://bucket/prefix, or appconfig://app/env/profile. "
    "[WATCHDOG_POLICIES; default: the shipped policies/]",
)
format_option = click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)


def _writable_output(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """Refuse an --output that cannot be written before any work starts, not after a scan.

    Checked, not opened: opening would empty an existing file even if the run then fails.
    """
    if value is None:
        return None
    folder = value.parent
    if not folder.is_dir():
        raise Fail(f"--output {value}: no such directory {folder}")
    if value.is_dir():
        raise Fail(f"--output {value}: is a directory")
    target = value if value.exists() else folder
    if not os.access(target, os.W_OK):
        raise Fail(f"--output {value}: not writable (permission denied on {target})")
    return value


output_option = click.option(
    "--output",
    type=click.Path(path_type=Path),
    callback=_writable_output,
    help="Write to FILE.",
)


def tell_owners_or_fail(settings: Settings, store: Store, run_id: str) -> None:
    """Slack notices a run left (a resume given up because someone changed the resource while
    parked), when Slack is configured: the CLI is a run mode like the daemon's."""
    from watchdog.service.context import ServiceConfigError, build_service
    from watchdog.service.notices import tell_owners

    try:
        tell_owners(build_service(settings, store), run_id)
    except ServiceConfigError as error:
        raise Fail(str(error)) from error
