"""`ai-watchdog findings` as a table: what each finding waits on, and until when."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from rich.console import Console
from rich.table import Table

from watchdog.approvals.overview import FindingView
from watchdog.cli.render_audit import money
from watchdog.words import plural


def render_findings(views: Sequence[FindingView], states: Sequence[str], console: Console) -> None:
    if not views:
        console.print(f"No findings in the store are {' or '.join(states)}.")
        return
    table = Table(title="Findings in the store, most expensive first", title_justify="left")
    table.add_column("id", no_wrap=True)
    table.add_column("state", no_wrap=True)
    table.add_column("resource", overflow="fold", ratio=1, min_width=20)
    table.add_column("action", no_wrap=True)
    table.add_column("$/month", justify="right", no_wrap=True)
    table.add_column("waiting on / decided by", overflow="fold", ratio=1, min_width=20)
    for view in views:
        table.add_row(
            view.id,
            view.state,
            f"{view.kind} {view.name}\n[dim]{view.account} {view.region}[/dim]",
            view.action,
            money(view.monthly_cost_usd),
            standing(view),
        )
    console.print(table)
    console.print(f"{plural(len(views), 'finding')}. Approve one: ai-watchdog approve ID")


def standing(view: FindingView) -> str:
    """Who the finding waits on, or who decided and until when, in one line."""
    if view.approved_by and view.approval_expires_at:
        return f"approved by {view.approved_by} until {_when(view.approval_expires_at)}"
    if view.snoozed_until:
        return f"{view.detail}, until {_when(view.snoozed_until)}"
    if view.approved_by and view.state in ("open", "approved", "parked"):
        # Its tags approve it, for as long as they stay (nothing expires, nobody is asked).
        said = f"{view.detail}; " if view.state == "parked" and view.detail else ""
        return f"{said}approved by {view.approved_by}"
    if view.state == "approved":
        return f"{view.detail}; the approval is used or expired"
    if view.state == "open":
        who = view.owner or "no owner (the default channel)"
        return f"{who}: approve, snooze or exempt" if view.action != "notify" else f"{who}: told"
    return view.detail


def _when(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
