"""`ai-watchdog demo`: the whole tool on the built-in sandbox account, no AWS credentials needed.

It starts the sandbox in this process, seeds a two-account organization over two regions, points
this process's AWS settings at it, and runs each stage as a user would.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from rich.console import Console

from watchdog.act import SessionClients
from watchdog.act.restore import restore
from watchdog.cache import file_cache
from watchdog.cli._common import Fail, load_settings, open_store_or_fail
from watchdog.cli.apply import apply_or_fail
from watchdog.cli.demo_slack import demo_slack, post_and_approve, show_outcome
from watchdog.cli.plan import load_policies_or_fail, plan_or_fail
from watchdog.cli.render import render_scan, stdout_console
from watchdog.cli.render_apply import render_apply
from watchdog.cli.render_audit import WINDOW_SCAN_LIMIT, AuditWindow, render_audit
from watchdog.cli.render_plan import render_plan
from watchdog.cli.report import write_demo_report
from watchdog.cli.restore import render_restore
from watchdog.cli.sandbox import INSTALL_THE_SANDBOX, sandbox_missing
from watchdog.cli.scan import scan_or_fail
from watchdog.inventory import ScanRequest
from watchdog.logs import configure_logging
from watchdog.report.html import money
from watchdog.settings import Settings


@click.command()
@click.option(
    "--slack-json",
    type=click.Path(dir_okay=False, path_type=Path),
    default="ai-watchdog-demo-slack.json",
    show_default=True,
    help="Where to write the Slack messages' Block Kit JSON.",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default="ai-watchdog-demo-report.html",
    show_default=True,
    help="Where to write the savings report (HTML) of the demo's teardown.",
)
def demo(slack_json: Path, report_path: Path) -> None:
    """Run the watchdog against a seeded sandbox organization and show each stage."""
    try:
        from watchdog_sandbox.seed import DEMO_EXTERNAL_ID, DEMO_REGIONS, MEMBER_ROLE_NAME
        from watchdog_sandbox.server import point_this_process_at, running_server
    except ImportError as error:
        if not sandbox_missing(error):
            raise
        raise Fail(INSTALL_THE_SANDBOX) from error
    configure_logging(level="error")
    console = stdout_console()
    console.rule("1. The sandbox")
    console.print("Starting a local AWS and seeding a two-account organization ...")
    with running_server(seed=True) as url, tempfile.TemporaryDirectory() as cache:
        # Only this process talks to the sandbox; the user's own AWS settings are untouched.
        point_this_process_at(url, DEMO_REGIONS[0])
        regions = ",".join(DEMO_REGIONS)
        console.print(f"Sandbox at {url}: regions {regions}.")
        console.rule("2. Scan")
        console.print(
            f"$ ai-watchdog scan --accounts organization --member-role {MEMBER_ROLE_NAME} "
            f"--external-id {DEMO_EXTERNAL_ID} --regions {regions}",
            highlight=False,
        )
        result = scan_or_fail(
            ScanRequest(
                regions=list(DEMO_REGIONS),
                accounts="organization",
                member_role=MEMBER_ROLE_NAME,
                external_id=DEMO_EXTERNAL_ID,
            ),
            file_cache(cache),
        )
        render_scan(result, console)
        console.rule("3. Plan")
        console.print(
            f"$ ai-watchdog plan --accounts organization --member-role {MEMBER_ROLE_NAME} "
            f"--external-id {DEMO_EXTERNAL_ID} --regions {regions}",
            highlight=False,
        )
        settings = load_settings(
            regions=regions,
            accounts="organization",
            member_role=MEMBER_ROLE_NAME,
            external_id=DEMO_EXTERNAL_ID,
            cache_dir=str(cache),
        )
        render_plan(plan_or_fail(settings, load_policies_or_fail(settings)), console)
        _teardown(
            console,
            settings.model_copy(update=_FAST_SANDBOX | {"store": f"sqlite:///{cache}/watchdog.db"}),
            slack_json,
            report_path,
        )


# The sandbox finishes asynchronous deletes in a few reads: poll it quickly.
_FAST_SANDBOX = {"poll_seconds": 0.1, "max_poll_seconds": 0.5}


def _teardown(console: Console, settings: Settings, slack_json: Path, report_path: Path) -> None:
    """Dry run, alert Slack and approve what it asks for there, run it for real, and show the
    edited message and the audit log."""
    flags = _scope_flags(settings)
    console.rule("4. Apply (dry run)")
    console.print(f"$ ai-watchdog apply {flags}", highlight=False)
    dry = apply_or_fail(settings, execute=False)
    render_apply(dry, console)
    store = open_store_or_fail(settings)
    try:
        with demo_slack(settings, store) as slack:
            console.rule("5. Slack: the alert, and Approve clicked")
            post_and_approve(slack, dry, console, slack_json)
            console.rule("6. Apply --execute: the teardown, in dependency order")
            console.print(f"$ ai-watchdog apply --execute {flags}", highlight=False)
            render_apply(apply_or_fail(settings, execute=True), console)
            show_outcome(slack, console)
    finally:
        store.close()
    _audit_and_restore(console, settings)
    _report(console, settings, report_path)


def _report(console: Console, settings: Settings, path: Path) -> None:
    """The savings report of what the demo found and did."""
    console.rule("8. The savings report")
    console.print(f"$ ai-watchdog report --since 1d --output {path}", highlight=False)
    store = open_store_or_fail(settings, read_only=True)
    try:
        built = write_demo_report(store, path, datetime.now(UTC) - timedelta(days=1))
    finally:
        store.close()
    console.print(
        f"At stake: {money(built.at_stake_usd)} a month over {built.resources} resources "
        f"({money(built.could_save_usd)} a month to save); saved so far "
        f"{money(built.saved_usd)} (teardowns save by the hour from now on); "
        f"{len(built.waiting)} waiting on a person.\nReport written to {path.resolve()}",
        highlight=False,
    )


def _audit_and_restore(console: Console, settings: Settings) -> None:
    """The audit log the teardown wrote, and an endpoint recreated from it."""
    console.rule("7. Audit and restore")
    store = open_store_or_fail(settings)
    try:
        console.print("$ ai-watchdog audit --limit 8", highlight=False)
        everything = store.list_audit(limit=WINDOW_SCAN_LIMIT)
        window = AuditWindow.of(everything)
        render_audit(everything[:8], console, limit=8, since=None, window=window)
        deleted = [
            e for e in everything if e.op == "sagemaker:DeleteEndpoint" and e.outcome == "done"
        ]
        if not deleted:
            return
        entry = min(deleted, key=lambda e: e.target_arn)
        console.print(f"\n$ ai-watchdog restore {entry.id} --execute", highlight=False)
        clients = SessionClients(member_role=settings.member_role, external_id=settings.external_id)
        result = restore(
            store, entry.id, clients, now=datetime.now(UTC), run_id="demo-restore", execute=True
        )
        render_restore(result, console)
    finally:
        store.close()


def _scope_flags(settings: Settings) -> str:
    return (
        f"--accounts organization --member-role {settings.member_role} "
        f"--external-id {settings.external_id} --regions {settings.regions}"
    )
