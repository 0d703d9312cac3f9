"""AWS Lambda entry point. Thin: read settings, run the core, return a summary.

An EventBridge Scheduler event runs a plan of the configured scope (inventory, signals,
evaluate, plan) and logs each finding and the summary as structured JSON. With a store
configured (WATCHDOG_STORE, the DynamoDB table) it runs `apply` instead: dry-run unless
WATCHDOG_MODE=enforce, and stopping before the invocation's remaining time runs out, leaving
unfinished steps to the next invocation.
Nothing here imports the CLI or terminal libraries, and no client is created at import time,
so a cold start costs little more than importing boto3.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from watchdog.act.apply import apply
from watchdog.act.models import ExecOptions
from watchdog.inventory import ScanRequest
from watchdog.logs import configure_logging
from watchdog.pipeline import lookback_for, run_plan
from watchdog.policies import default_policies_dir, load_policies
from watchdog.policies.schema import Policy
from watchdog.settings import Settings
from watchdog.signals.collect import SignalOptions
from watchdog.store.open import open_store

log = structlog.get_logger("lambda_handler")


# Stop starting steps this long before Lambda would kill the invocation.
DEADLINE_MARGIN = timedelta(seconds=30)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    settings = Settings()
    configure_logging("json", settings.log_level)
    # Lambda's only writable place; the price and Cost Explorer caches live as long as the
    # container (a DynamoDB-backed cache replaces this with the store).
    if settings.cache_dir is None:
        settings = settings.model_copy(update={"cache_dir": "/tmp/ai-cost-watchdog"})
    policies = load_policies(settings.policies or default_policies_dir())
    if settings.store:
        return _apply(settings, policies, context)
    result = run_plan(
        ScanRequest.from_settings(settings),
        policies,
        SignalOptions.from_settings(settings, lookback_for(policies)),
    )
    for finding in result.findings:
        log.info(
            "finding",
            run_id=result.run_id,
            finding_id=finding.id,
            policy=finding.policy,
            action=finding.action,
            account=finding.resource.account,
            region=finding.resource.region,
            resource_arn=finding.resource.arn,
            monthly_cost_usd=finding.monthly_cost_usd,
            reason=finding.reason,
            steps=len(finding.steps),
        )
    summary = {
        "run_id": result.run_id,
        **result.summary.model_dump(),
        "errors": [error.model_dump() for error in result.errors],
        "api_calls": result.stats.api_calls,
        "get_metric_data_calls": result.stats.get_metric_data_calls,
        "cost_explorer_requests": result.stats.cost_explorer_requests,
        "duration_s": result.stats.duration_s,
    }
    log.info("plan finished", **summary)
    return summary


def _apply(settings: Settings, policies: list[Policy], context: Any) -> dict[str, Any]:
    deadline = None
    if context is not None and hasattr(context, "get_remaining_time_in_millis"):
        remaining = timedelta(milliseconds=context.get_remaining_time_in_millis())
        deadline = datetime.now(UTC) + remaining
    options = ExecOptions.from_settings(settings, settings.mode == "enforce", deadline)
    options = options.model_copy(update={"deadline_margin": DEADLINE_MARGIN})
    store = open_store(settings.store)
    try:
        result = apply(
            ScanRequest.from_settings(settings),
            policies,
            store,
            options,
            signal_options=SignalOptions.from_settings(settings, lookback_for(policies)),
        )
    finally:
        store.close()
    for outcome in result.findings:
        log.info("finding", run_id=result.run_id, **outcome.model_dump(exclude={"steps"}))
    summary = {
        "run_id": result.run_id,
        "mode": result.mode,
        "verdict": result.verdict(),
        **result.summary.model_dump(),
        "stopped": result.stopped,
        "stopped_detail": result.stopped_detail,
        "errors": [error.model_dump() for error in result.errors],
        "api_calls": result.api_calls,
    }
    log.info("apply finished", **summary)
    return summary
