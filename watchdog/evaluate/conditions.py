"""Each policy condition as a pure check on one resource. All given conditions must hold."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import timedelta

from watchdog.evaluate.context import EvalContext
from watchdog.evaluate.idle import NO_IDLE_COST, idle_evidence
from watchdog.findings import Evidence
from watchdog.kinds import BY_KIND
from watchdog.policies.schema import Conditions, OverBudget
from watchdog.records import ResourceRecord


@dataclass
class Outcome:
    """Whether the conditions hold, the phrases that say why, and the evidence behind them.

    `unknown` means they might hold but the evidence cannot tell (never acted on alone).
    """

    matched: bool
    phrases: list[str] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)
    evidence: Evidence | None = None
    unknown: bool = False
    estimated: bool = False


def check(conditions: Conditions, record: ResourceRecord, ctx: EvalContext) -> Outcome:
    outcome = Outcome(matched=True)
    for name in type(conditions).model_fields:
        if getattr(conditions, name) is None:
            continue
        _CHECKS[name](conditions, record, ctx, outcome)
        if not outcome.matched:
            break
    return outcome


def _idle(conditions: Conditions, record: ResourceRecord, ctx: EvalContext, out: Outcome) -> None:
    assert conditions.idle is not None
    if record.billing.mode in NO_IDLE_COST:
        out.matched = False  # billed per request or at zero instances: idling costs nothing
        return
    if conditions.idle.metric == "inactivity" and not _measures_inactivity(record):
        out.matched = False  # the policy is about an inactivity measure this one lacks
        return
    evidence = idle_evidence(
        record, ctx.series(record), conditions.idle, ctx.signals.metrics, ctx.now
    )
    out.evidence = evidence
    if evidence.state == "active":
        out.matched = False
    elif evidence.state == "unknown":
        out.unknown = True
        out.phrases.append(f"its traffic cannot be judged: {evidence.detail}")
    else:
        out.phrases.append(evidence.detail)


def _measures_inactivity(record: ResourceRecord) -> bool:
    """Whether its kind declares an inactivity series for it (Canvas apps, not JupyterLab)."""
    queries = BY_KIND[record.kind].metric_queries(record)
    return any(q.role == "inactivity" for q in queries)


def _older_than(
    conditions: Conditions, record: ResourceRecord, ctx: EvalContext, out: Outcome
) -> None:
    assert conditions.older_than is not None
    since, least = record.created_at, conditions.older_than
    if since is None or ctx.now - since < least:
        out.matched = False
        return
    out.phrases.append(f"created {_ago(ctx.now - since)} ago")
    out.facts["created_at"] = since.isoformat()


def _running_longer_than(
    conditions: Conditions, record: ResourceRecord, ctx: EvalContext, out: Outcome
) -> None:
    assert conditions.running_longer_than is not None
    since = BY_KIND[record.kind].running_since(record)
    least = conditions.running_longer_than
    if since is None or ctx.now - since < least:
        out.matched = False
        return
    out.phrases.append(f"{record.status or 'running'} for {_ago(ctx.now - since)}")
    out.facts["running_since"] = since.isoformat()


def _status(conditions: Conditions, record: ResourceRecord, ctx: EvalContext, out: Outcome) -> None:
    assert conditions.status is not None
    if record.status not in conditions.status:
        out.matched = False
        return
    out.facts["status"] = record.status or ""
    if record.status not in ("InService", "Created"):
        out.phrases.append(f"it is {record.status}")


def _billing(
    conditions: Conditions, record: ResourceRecord, ctx: EvalContext, out: Outcome
) -> None:
    assert conditions.billing is not None
    if record.billing.mode not in conditions.billing:
        out.matched = False
        return
    out.facts["billing"] = record.billing.describe()


def _idle_shutdown(
    conditions: Conditions, record: ResourceRecord, ctx: EvalContext, out: Outcome
) -> None:
    declared = BY_KIND[record.kind].idle_shutdown
    if declared is None:
        out.matched = False
        return
    setting = record.idle_shutdown
    source = "its own setting"
    parent_kind = declared.inherits_from
    if (setting is None or setting.enabled is None) and parent_kind is not None:
        parent = next(
            (p for a in record.parent_arns if (p := ctx.get(a)) and p.kind == parent_kind),
            None,
        )
        setting = parent.idle_shutdown if parent else None
        source = declared.inherited_words
    if setting is not None and setting.enabled:
        out.matched = False
        return
    state = "disabled" if setting is not None else "never configured"
    out.phrases.append(f"Studio idle shutdown is {state} ({source})")
    out.facts["idle_shutdown"] = state


def _over_budget(
    conditions: Conditions, record: ResourceRecord, ctx: EvalContext, out: Outcome
) -> None:
    rule = conditions.over_budget
    assert rule is not None
    value = record.tags.get(rule.tag)
    if not value or record.billing.mode == "none":
        out.matched = False
        return
    budget = rule.budgets.get(value, rule.monthly_budget_usd)
    spend, basis = _team_spend(rule, value, ctx)
    if spend is None or spend <= budget:
        out.matched = False
        return
    verb = "is forecast to spend" if rule.measure == "forecast" else "has spent"
    period = "this month" if rule.measure == "forecast" else "so far this month"
    out.phrases.append(
        f"{rule.tag} {value} {verb} ${spend:,.0f} {period}, over its ${budget:,.0f} budget"
    )
    out.facts.update(
        {"budget_tag": f"{rule.tag}={value}", "spend_usd": f"{spend:.2f}", "spend_basis": basis}
    )
    out.estimated = basis != "cost-explorer"


def _team_spend(rule: OverBudget, value: str, ctx: EvalContext) -> tuple[float | None, str]:
    costs = ctx.signals.costs
    if costs is not None and rule.tag in costs.by_tag:
        spend = costs.by_tag[rule.tag].get(value)
        if spend is None:
            return None, "cost-explorer"
        figure = spend.forecast if rule.measure == "forecast" else spend.month_to_date
        return (figure if figure is not None else spend.month_to_date), "cost-explorer"
    # Cost Explorer unavailable: estimate from list prices of what runs now.
    monthly = ctx.monthly_by_tag(rule.tag).get(value, 0.0)
    if rule.measure == "forecast":
        return monthly, "price estimate"
    days = calendar.monthrange(ctx.now.year, ctx.now.month)[1]
    return monthly * (ctx.now.day - 1 + ctx.now.hour / 24) / days, "price estimate"


def _ago(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours >= 48:
        return f"{hours / 24:.0f} days"
    return f"{hours:.0f} hours"


_CHECKS = {
    "idle": _idle,
    "older_than": _older_than,
    "running_longer_than": _running_longer_than,
    "status": _status,
    "billing": _billing,
    "idle_shutdown": _idle_shutdown,
    "over_budget": _over_budget,
}
