"""An apply run as a person reads it: each teardown with its steps and what became of them."""

from __future__ import annotations

from rich.console import Console

from watchdog.act import ApplyResult, FindingOutcome
from watchdog.cli.render import render_errors
from watchdog.kinds.base import LeftoverReport

FATE_STYLE = {
    "would-run": "yellow",
    "done": "green",
    "already": "dim",
    "waiting": "cyan",
    "parked": "cyan",
    "busy": "cyan",
    "partial": "cyan",
    "cancelled": "magenta",
    "failed": "red",
    "needs-approval": "dim",
}


def render_apply(result: ApplyResult, console: Console) -> None:
    if result.mode == "dry-run":
        # The hint only when it leads somewhere: with nothing marked would-run, --execute
        # would change nothing either.
        would_run = any(s.fate == "would-run" for f in result.findings for s in f.steps)
        hint = " Add --execute to run the steps marked would-run." if would_run else ""
        console.print(f"[bold]Dry run[/bold]: nothing is changed.{hint}", highlight=False)
    acting = [f for f in result.findings if f.steps or f.fate == "cancelled"]
    others = [f for f in result.findings if f not in acting]
    if not result.findings:
        console.print("Nothing to apply: no stop or delete finding.")
    for outcome in acting:
        _print_teardown(outcome, console)
    if others:
        console.print("\n[bold]Not started[/bold]")
        for outcome in others:
            console.print(
                f"  {_fate(outcome.fate)} {outcome.action} {outcome.resource_kind} "
                f"{outcome.resource_name} ({outcome.region}): {outcome.reason}",
                highlight=False,
            )
    for left in result.leftovers:
        _print_leftovers(left, console)
    if result.stopped:
        console.print(f"\n[bold red]Stopped ({result.stopped})[/bold red]: {result.stopped_detail}")
    render_errors(result.errors, console)
    _print_summary(result, console)


def _print_teardown(outcome: FindingOutcome, console: Console) -> None:
    resumed = ", resumed" if outcome.resumed else ""
    approved = f", approved by {outcome.approved_by}" if outcome.approved_by else ""
    console.print(
        f"\n{_fate(outcome.fate)} [bold]{outcome.action} {outcome.resource_kind} "
        f"{outcome.resource_name}[/bold] ({outcome.account} {outcome.region}, finding "
        f"{outcome.finding_id}{approved}{resumed})",
        highlight=False,
    )
    if outcome.fate != "done":
        console.print(f"  {outcome.reason}", highlight=False)
    for number, step in enumerate(outcome.steps, start=1):
        detail = f" - {step.detail}" if step.detail else ""
        console.print(
            f"  {number}. {_fate(step.fate)} {step.op} {step.target_name}{detail}",
            highlight=False,
        )


def render_outcomes(outcomes: list[FindingOutcome], console: Console) -> None:
    """Findings acted on outside an apply run (`resume`), each with its steps."""
    for outcome in outcomes:
        _print_teardown(outcome, console)


def _print_leftovers(left: LeftoverReport, console: Console) -> None:
    lines = left.lines()
    console.print(f"\n[bold]{lines.heading}[/bold]", highlight=False)
    for item in lines.items:
        console.print(f"  {item}", highlight=False)
    console.print(f"  {lines.remedy}", highlight=False)


def _print_summary(result: ApplyResult, console: Console) -> None:
    summary = result.summary
    fates = ", ".join(f"{n} {fate}" for fate, n in sorted(summary.by_fate.items())) or "none"
    steps = ", ".join(f"{n} {fate}" for fate, n in sorted(summary.steps_by_fate.items()))
    console.print(f"\nFindings: {fates}.", highlight=False)
    if steps:
        console.print(f"Steps: {steps}.", highlight=False)
    if summary.monthly_savings_usd:
        console.print(
            f"Torn down in this run: ${summary.monthly_savings_usd:,.2f}/month no longer billed.",
            highlight=False,
        )
    console.print(
        f"Run {result.run_id}: {result.api_calls} AWS API calls. Audit: ai-watchdog audit.",
        highlight=False,
    )


def _fate(fate: str) -> str:
    style = FATE_STYLE.get(fate, "")
    return f"[{style}]\\[{fate}][/{style}]" if style else f"\\[{fate}]"
