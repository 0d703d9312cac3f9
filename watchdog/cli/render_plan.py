"""The plan as a person reads it: findings by monthly cost, each teardown in order, the total."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from watchdog.cli.render import render_errors
from watchdog.findings import Finding
from watchdog.kinds import BY_KIND
from watchdog.pipeline import PlanResult


def render_plan(result: PlanResult, console: Console) -> None:
    if result.findings:
        console.print(_findings_table(result.findings))
    else:
        console.print("No findings: nothing the policies flag.")
    for finding in result.findings:
        if finding.steps or finding.blocked:
            _print_steps(finding, console)
    render_errors(result.errors, console)
    _print_summary(result, console)


def _findings_table(findings: list[Finding]) -> Table:
    table = Table(title="Findings, by monthly cost", title_justify="left")
    # Short figures keep their width; names fold onto more lines, so on an 80-column terminal
    # every cell is shown whole rather than cut to "$5…".
    table.add_column("$/month", justify="right", no_wrap=True)
    table.add_column("action", no_wrap=True)
    table.add_column("resource", overflow="fold")
    table.add_column("where", overflow="fold")
    table.add_column("policy / confidence", overflow="fold")
    table.add_column("reason", ratio=1, overflow="fold", min_width=12)
    for finding in findings:
        resource = finding.resource
        table.add_row(
            _cost_cell(finding),
            finding.action,
            f"{resource.name}\n[dim]{resource.kind}[/dim]",
            f"{resource.region}\n[dim]{resource.account}[/dim]",
            f"{finding.policy}\n[dim]{finding.confidence}[/dim]",
            finding.reason,
        )
    return table


def _print_steps(finding: Finding, console: Console) -> None:
    resource = finding.resource
    console.print(
        f"\n[bold]{finding.action} {resource.kind} {resource.name}[/bold] "
        f"({resource.account} {resource.region}, finding {finding.id}, "
        f"approval {_approval(finding)})",
        highlight=False,
    )
    if finding.blocked:
        console.print(f"  cannot be planned: {finding.blocked}", highlight=False)
    for number, step in enumerate(finding.steps, start=1):
        line = f"  {number}. {step.op} {step.target_name}"
        if step.params:
            line += " (" + ", ".join(f"{k}={v}" for k, v in step.params.items()) + ")"
        if step.blocked:
            line += f"  [yellow]waits: {step.blocked}[/yellow]"
        console.print(line, highlight=False)
    for kept in finding.retained:
        console.print(f"  kept: {kept.what} - {kept.reason}", highlight=False)
    for final in finding.irreversible:
        console.print(f"  cannot be undone: {final.what} - {final.why}", highlight=False)
    if not finding.actions_allowed_now and finding.action_window:
        window = finding.action_window
        console.print(
            f"  runs only {','.join(window.days)} {window.start:%H:%M}-{window.end:%H:%M} "
            f"{window.timezone}",
            highlight=False,
        )


def _print_summary(result: PlanResult, console: Console) -> None:
    summary, stats = result.summary, result.stats
    actions = ", ".join(f"{n} {action}" for action, n in sorted(summary.by_action.items()))
    console.print(
        f"\n{summary.findings} findings ({actions or 'none'}) over "
        f"{summary.resources_scanned} resources. Potential savings "
        f"[bold]{_money(summary.monthly_savings_usd)}/month[/bold]; flagged resources cost "
        f"{_money(summary.monthly_cost_flagged_usd)}/month"
        + (
            f" ({summary.unpriced_resources} with unknown cost)"
            if summary.unpriced_resources
            else ""
        )
        + ".",
        highlight=False,
    )
    if any(f.cost_basis == "fallback" for f in result.findings):
        console.print("* priced from the shipped fallback table (Pricing API unreachable)")
    for reason, count in sorted(summary.skipped.items()):
        console.print(f"Left alone: {count} ({reason}).", highlight=False)
    for note in summary.notes:
        console.print(f"Note: {note}", highlight=False)
    console.print(
        f"{stats.api_calls} AWS API calls ({stats.get_metric_data_calls} GetMetricData for "
        f"{stats.metric_queries} series, {stats.pricing_calls} Pricing, "
        f"{stats.cost_explorer_requests} Cost Explorer"
        f"{' - cached' if stats.cost_explorer_from_cache else ''}) in {stats.duration_s:.1f} s.",
        highlight=False,
    )
    if stats.self_cost is not None:
        cost = stats.self_cost
        console.print(
            f"This run cost about ${cost.usd:,.4f} on the AWS bill "
            f"(${cost.per_month():,.2f} a month, run hourly).",
            highlight=False,
        )


def _cost_cell(finding: Finding) -> str:
    """The finding's monthly cost; for what bills through its endpoint, that, not a `?`."""
    billed_through = BY_KIND[finding.resource.kind].billed_through
    if (
        finding.monthly_cost_usd is None
        and billed_through is not None
        and finding.cost_source == billed_through.reason
    ):
        return "[dim]" + "\n".join(billed_through.cell.rsplit(" ", 1)) + "[/dim]"
    return _money(finding.monthly_cost_usd) + ("*" if finding.cost_basis == "fallback" else "")


def _money(value: float | None) -> str:
    return "?" if value is None else f"${value:,.0f}"


def _approval(finding: Finding) -> str:
    # Who approves it when its tags do: named as its audit entries will name the approver.
    return f"by {finding.tag_approver}" if finding.tag_approver else finding.approval
