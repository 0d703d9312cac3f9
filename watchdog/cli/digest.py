"""`ai-watchdog digest`: this week's digest (the savings report's headline numbers), printed,
or with `--send` sent now to Slack and every other configured channel, as the daemon and the
Lambda do on their weekly schedule. Each channel gets it once a week; `--again` sends anew."""

from __future__ import annotations

import getpass
import os
import socket

import click

from watchdog.cli._common import Fail, load_settings, open_store_or_fail, store_option
from watchdog.logs import configure_logging
from watchdog.store.base import StoreError


@click.command("digest")
@store_option
@click.option("--send", is_flag=True, help="Send it to the configured channels now.")
@click.option("--again", is_flag=True, help="With --send: also where it went this week.")
def digest(store: str | None, send: bool, again: bool) -> None:
    """This week's digest: at stake, saved, waiting, the costliest, and the report's link."""
    from watchdog.notify.weekly import WEEK, build_digest
    from watchdog.report import read_report
    from watchdog.service.context import ServiceConfigError, build_service
    from watchdog.service.digest import report_link, send_digest

    if again and not send:
        raise click.BadParameter("--again goes with --send", param_hint="'--again'")
    settings = load_settings(store=store)
    configure_logging(settings.log_format, settings.log_level)
    opened = open_store_or_fail(settings, read_only=not send)
    try:
        service = build_service(settings, opened)
        now = service.clock.now()
        if send:
            holder = f"cli:{getpass.getuser()}@{socket.gethostname()}:{os.getpid()}"
            result = send_digest(service, holder, again=again)
            if not result.channels:
                raise Fail(
                    "no channel to send it to: set Slack, Teams (WATCHDOG_TEAMS_WEBHOOK_URL), "
                    "email (WATCHDOG_EMAIL_FROM) or a webhook (WATCHDOG_WEBHOOK_URL)"
                )
            click.echo(_sent_line(result.period, result.sent, result.failed))
            if result.failed:
                raise SystemExit(1)
            return
        link, expires = report_link(service, now, "preview")
        built = build_digest(read_report(opened, now, now - WEEK), now, link, expires)
        click.echo("\n".join(built.lines()))
    except (ServiceConfigError, StoreError) as error:
        raise Fail(str(error)) from error
    finally:
        opened.close()


def _sent_line(period: str, sent: list[str], failed: list[str]) -> str:
    if not sent and not failed:
        return f"Digest {period}: already sent everywhere this week (--again to send it anew)"
    parts = [f"sent to {', '.join(sent)}" if sent else "", *(f"failed: {f}" for f in failed)]
    return f"Digest {period}: " + "; ".join(p for p in parts if p)
