"""`ai-watchdog daemon`: run on a server, on a schedule, answering Slack and approval links.

Everything comes from WATCHDOG_* settings (the schedule, Slack, the store, the mode); the
flags override the common ones. Logs are JSON lines on stderr unless WATCHDOG_LOG_FORMAT says
otherwise, at info level so each cycle and click is on record.
"""

from __future__ import annotations

import click

from watchdog.aws.scope import ScopeError
from watchdog.cli._common import (
    Fail,
    aws_options,
    load_settings,
    open_store_or_fail,
    policies_option,
    store_option,
)
from watchdog.daemon.app import Daemon
from watchdog.daemon.schedule import ScheduleError
from watchdog.inventory import ScanRequest, check_scope
from watchdog.logs import configure_logging
from watchdog.policies.load import PolicyError
from watchdog.service.context import ServiceConfigError, build_service


@click.command()
@aws_options
@store_option
@click.option("--schedule", help="`every 15m` or a cron expression. [WATCHDOG_DAEMON_SCHEDULE]")
@click.option("--host", help="HTTP address (default 127.0.0.1). [WATCHDOG_DAEMON_HOST]")
@click.option("--port", type=int, help="HTTP port (default 8080). [WATCHDOG_DAEMON_PORT]")
@policies_option
def daemon(
    store: str | None,
    schedule: str | None,
    host: str | None,
    port: int | None,
    policies_path: str | None,
) -> None:
    """Run cycles on a schedule and serve Slack clicks and approval links until SIGTERM."""
    settings = load_settings(
        store=store,
        daemon_schedule=schedule,
        daemon_host=host,
        daemon_port=port,
        policies=policies_path,
    )
    # A daemon's log is its record: info unless WATCHDOG_LOG_LEVEL says otherwise.
    level = settings.log_level if "log_level" in settings.model_fields_set else "info"
    configure_logging(settings.log_format or "json", level)
    opened = open_store_or_fail(settings)
    try:
        service = build_service(settings, opened)
        service.policies  # noqa: B018 - read now: broken policies stop the start, not a cycle
        runner = Daemon(service)
    except (ServiceConfigError, ScheduleError, PolicyError, OSError) as error:
        opened.close()
        raise Fail(str(error)) from error
    try:
        # Credentials, regions and accounts that cannot work stop the start too, not every
        # cycle (where only /healthz would tell).
        check_scope(ScanRequest.from_settings(settings), service.session)
    except ScopeError as error:
        runner.stop()
        raise Fail(str(error)) from error
    runner.run_until_signalled()
