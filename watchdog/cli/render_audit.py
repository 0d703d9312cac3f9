"""The audit log as a person reads it: newest change first, with who approved it, what it saved
and the id `ai-watchdog restore` takes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from watchdog.act.parking import ParkingTotal
from watchdog.store.base import AuditEntry

# Outcomes not listed here (the log may grow new ones) are shown unstyled.
OUTCOME_STYLE = {
    "done": "green",
    "restored": "cyan",
    "failed": "bold red",
    "refused": "yellow",
    "cancelled": "yellow",
    "left-alone": "bold yellow",
}
# Outcomes whose detail is the point of the line: shown under the target.
EXPLAINED = frozenset({"left-alone"})


# The most entries read to total a window: far more than a year of use; past it the total is
# a lower bound and says so.
WINDOW_SCAN_LIMIT = 100_000


@dataclass(frozen=True)
class AuditWindow:
    """The whole selected window (--since, or the whole log), not only the page shown: the
    savings of a teardown are on its main entry, which a short page may have cut off."""

    entries: int
    saved_usd: float
    complete: bool = True  # False: the window had more than WINDOW_SCAN_LIMIT entries
    parking: ParkingTotal | None = None

    @classmethod
    def of(
        cls,
        entries: Sequence[AuditEntry],
        scan_limit: int = WINDOW_SCAN_LIMIT,
        now: datetime | None = None,
    ) -> AuditWindow:
        return cls(
            len(entries),
            saved_by(entries),
            complete=len(entries) < scan_limit,
            parking=ParkingTotal.of(entries, now or datetime.now(UTC)),
        )


def saved_by(entries: Sequence[AuditEntry]) -> float:
    # Only completed changes save money; a failed or refused one saved nothing.
    return sum(e.monthly_cost_saved_usd or 0.0 for e in entries if e.outcome == "done")


def render_audit(
    entries: Sequence[AuditEntry],
    console: Console,
    *,
    limit: int,
    since: datetime | None,
    window: AuditWindow | None = None,
) -> None:
    """The newest `entries` (at most `limit`) and a summary of `window`, the whole selection
    they were taken from (without it, the entries are taken to be the whole selection)."""
    if not entries:
        console.print(_empty_line(since))
        return
    console.print(audit_table(entries))
    console.print(_summary(entries, limit, since, window))


def audit_table(entries: Sequence[AuditEntry]) -> Table:
    table = Table(title="Audit log, newest first", title_justify="left")
    table.add_column("time (UTC)", no_wrap=True)
    table.add_column("outcome", no_wrap=True)
    table.add_column("op", no_wrap=True)
    table.add_column("target", overflow="fold", ratio=1, min_width=20)
    table.add_column("approved by", no_wrap=True)
    table.add_column("$/month saved", justify="right", no_wrap=True)
    table.add_column("id", no_wrap=True)
    for entry in entries:
        style = OUTCOME_STYLE.get(entry.outcome)
        table.add_row(
            f"{entry.at.astimezone(UTC):%Y-%m-%d %H:%M:%S}",
            f"[{style}]{entry.outcome}[/]" if style else entry.outcome,
            entry.op,
            _target(entry),
            entry.approved_by or "",
            money(entry.monthly_cost_saved_usd),
            entry.id,
        )
    return table


def _target(entry: AuditEntry) -> str:
    where = f"{escape(target_name(entry.target_arn))}\n[dim]{entry.account} {entry.region}[/dim]"
    return f"{where}\n{escape(entry.detail)}" if entry.outcome in EXPLAINED else where


def target_name(arn: str) -> str:
    """The resource part of an ARN (`endpoint/llm`): kind and name, without the boilerplate."""
    parts = arn.split(":", 5)
    return parts[5] if len(parts) == 6 and parts[0] == "arn" else arn


def money(value: float | None) -> str:
    return "" if value is None else f"${value:,.2f}"


def _summary(
    entries: Sequence[AuditEntry], limit: int, since: datetime | None, window: AuditWindow | None
) -> str:
    # Without the window, a full page may have more behind it: say so.
    more = len(entries) >= limit if window is None else window.entries > len(entries)
    window = window or AuditWindow.of(entries)
    total = f"{window.entries:,}" if window.complete else f"at least {window.entries:,}"
    saved = money(window.saved_usd) if window.complete else f"at least {money(window.saved_usd)}"
    if window.entries <= len(entries):
        count = f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}"
        lines = [f"{count}; done changes among them save {saved}/month."]
    else:
        where = f"since {since.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if since else "in the whole log"
        lines = [
            f"{len(entries)} shown of {total} entries {where}; done changes "
            f"{'in this window' if since else 'in the whole log'} save {saved}/month."
        ]
    if window.parking is not None:
        lines.append(parking_line(window.parking))
    if more:
        lines.append(f"Showing the newest {limit}: raise --limit or narrow --since to see more.")
    lines.append("Full descriptions: --format json. Undo a delete or stop: ai-watchdog restore ID.")
    return "\n".join(lines)


def parking_line(total: ParkingTotal) -> str:
    unpriced = f" ({total.unpriced} unpriced)" if total.unpriced else ""
    spells = f"{total.spells} parked spell{'s' if total.spells != 1 else ''}"
    hours = f"{total.hours:,.1f} hours off"
    line = f"Parking: {spells}, {hours}, {money(total.saved_usd)} saved{unpriced}."
    teams = ", ".join(f"{team} {money(usd)}" for team, usd in total.saved_by_team)
    return f"{line}\nParking saved by team: {teams}." if teams else line


def _empty_line(since: datetime | None) -> str:
    if since is not None:
        return f"No audit entries since {since.astimezone(UTC):%Y-%m-%d %H:%M} UTC."
    return "The audit log is empty: the watchdog has changed nothing yet."
