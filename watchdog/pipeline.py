"""One run of the core, in the order data flows: inventory -> signals -> evaluate -> plan.

Entry points (CLI, Lambda, daemon) call `run_plan` and render what it returns. This is the only
place that reads the clock for a run; evaluate and plan are given `now`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta

import boto3
from pydantic import BaseModel, Field

from watchdog.aws.scope import Scope
from watchdog.evaluate import evaluate
from watchdog.findings import Finding
from watchdog.inventory import Progress, ScanRequest, open_scope, scan
from watchdog.plan import plan
from watchdog.policies.schema import Policy
from watchdog.records import ResourceRecord, ScanError
from watchdog.signals.collect import SignalOptions, collect_signals
from watchdog.signals.memory import Memory, hold_windows, skip_windows
from watchdog.signals.self_cost import SelfCost, self_cost
from watchdog.store.activity import ActivityLog

DEFAULT_LOOKBACK = timedelta(days=7)


class PlanSummary(BaseModel):
    findings: int
    by_action: dict[str, int]
    # What applying every stop/delete finding would save a month (each resource counted once).
    monthly_savings_usd: float
    # What every flagged resource costs a month (each resource counted once).
    monthly_cost_flagged_usd: float
    # Flagged resources whose cost is unknown, so the totals are lower bounds.
    unpriced_resources: int
    resources_scanned: int
    skipped: dict[str, int]
    notes: list[str]


class PlanStats(BaseModel):
    api_calls: int
    api_calls_by_operation: dict[str, int]
    get_metric_data_calls: int
    metric_queries: int
    # Queries not made: their resources were proven in use by an earlier run (the store's
    # memory), so no answer could have changed a decision.
    metric_queries_skipped: int = 0
    pricing_calls: int
    cost_explorer_requests: int
    cost_explorer_from_cache: bool
    duration_s: float
    scan_duration_s: float
    # What this run added to the AWS bill (GetMetricData, CloudWatch and Cost Explorer requests).
    self_cost: SelfCost | None = None


class PlanResult(BaseModel):
    run_id: str
    generated_at: datetime
    findings: list[Finding]
    summary: PlanSummary
    errors: list[ScanError]
    stats: PlanStats
    # Everything the scan saw, for the stages after plan (apply re-verifies against it); left
    # out of JSON output, which is about findings.
    resources: list[ResourceRecord] = Field(default_factory=list, exclude=True)


def run_plan(
    request: ScanRequest,
    policies: Sequence[Policy],
    options: SignalOptions | None = None,
    session: boto3.Session | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
    scope: Scope | None = None,
    activity: ActivityLog | None = None,
) -> PlanResult:
    """`activity`: where the run remembers which resources it saw in use, to skip the metric
    queries that cannot change a decision (signals/memory.py); None queries everything."""
    started = time.monotonic()
    now = now or datetime.now(UTC)
    enabled = [p for p in policies if p.enabled]
    options = options or SignalOptions(lookback=lookback_for(enabled))
    scope = scope or open_scope(request, session)
    inventory = scan(request, progress=progress, scope=scope, cache=options.cache())
    memory = (
        None if activity is None else Memory(activity, skip_windows(enabled), hold_windows(enabled))
    )
    signals = collect_signals(scope, inventory.resources, options, now, memory)
    evaluation = evaluate(inventory.resources, signals, enabled, now)
    findings = plan(evaluation.findings, inventory.resources, now, enabled)
    counter = scope.counter
    by_operation = counter.by_operation()
    cost_explorer = signals.costs.requests_made if signals.costs else 0
    return PlanResult(
        run_id=inventory.run_id,
        generated_at=now,
        findings=findings,
        summary=_summary(findings, len(inventory.resources), evaluation.skipped, signals.notes),
        errors=inventory.errors,
        resources=inventory.resources,
        stats=PlanStats(
            api_calls=counter.total,
            api_calls_by_operation=by_operation,
            get_metric_data_calls=signals.metrics.get_metric_data_calls,
            metric_queries=signals.metrics.queries,
            metric_queries_skipped=signals.metrics.queries_skipped,
            pricing_calls=signals.prices.pricing_calls,
            cost_explorer_requests=cost_explorer,
            cost_explorer_from_cache=bool(signals.costs and signals.costs.from_cache),
            duration_s=round(time.monotonic() - started, 3),
            scan_duration_s=inventory.stats.duration_s,
            self_cost=self_cost(
                metrics_requested=signals.metrics.queries,
                cloudwatch_requests=_cloudwatch_requests(by_operation),
                cost_explorer_requests=cost_explorer,
                pricing_calls=signals.prices.pricing_calls,
            ),
        ),
    )


def _cloudwatch_requests(by_operation: dict[str, int]) -> int:
    """CloudWatch requests billed by the request: all but GetMetricData (billed by metric)."""
    return sum(
        count
        for operation, count in by_operation.items()
        if operation.startswith("cloudwatch:") and operation != "cloudwatch:GetMetricData"
    )


def lookback_for(policies: Sequence[Policy]) -> timedelta:
    """Metrics are fetched once, over the longest idle window any policy asks for."""
    windows = [p.conditions.idle.window for p in policies if p.conditions.idle is not None]
    return max(windows, default=DEFAULT_LOOKBACK)


def _summary(
    findings: Sequence[Finding], scanned: int, skipped: dict[str, int], notes: Sequence[str]
) -> PlanSummary:
    by_action: dict[str, int] = {}
    for finding in findings:
        by_action[finding.action] = by_action.get(finding.action, 0) + 1
    return PlanSummary(
        findings=len(findings),
        by_action=by_action,
        monthly_savings_usd=_total(findings, Finding.monthly_savings_usd),
        monthly_cost_flagged_usd=_total(findings, lambda f: f.monthly_cost_usd or 0.0),
        unpriced_resources=len({f.resource.arn for f in findings if f.monthly_cost_usd is None}),
        resources_scanned=scanned,
        skipped=dict(skipped),
        notes=list(notes),
    )


def _total(findings: Iterable[Finding], amount: Callable[[Finding], float]) -> float:
    """Per resource once (two policies on one resource save its cost once): the larger."""
    per_resource: dict[str, float] = {}
    for finding in findings:
        arn = finding.resource.arn
        per_resource[arn] = max(per_resource.get(arn, 0.0), amount(finding))
    return round(sum(per_resource.values()), 2)
