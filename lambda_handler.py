"""AWS Lambda entry point. Thin: read settings, run the core, return a summary.

With a store configured (WATCHDOG_STORE, the DynamoDB table), one function answers each
kind of event (watchdog.service.lambda_events): an EventBridge Scheduler event runs a cycle
(apply, dry-run unless WATCHDOG_MODE=enforce, within the remaining time, then Slack); an HTTP
API v2 / function URL request is a Slack click or an approval page; an asynchronous
invocation of itself does the work a click started; and the parking schedule's event
(`{"watchdog": "parking"}`) runs the park schedules' parks and resumes due now. Without a
store, a scheduled event runs a read-only plan and logs each finding and the summary as
structured JSON.
Importing it loads what a scheduled event needs and no more: the HTTP side, Slack, the work
and the fan-out are imported by the event that needs them (watchdog.service.lambda_events),
nothing of the CLI or terminal libraries is, and no client is created at import time.
"""

from __future__ import annotations

import gc

# What the imports below build (modules, classes, pydantic validators) lives as long as the
# container, yet the collector scanned it again and again while importing: about 15% of the
# import's time, for almost nothing freed. Collection is off while importing, then what was
# imported is frozen out of every later collection (gc.freeze) and collection resumes, so the
# scans are not merely put off to the first invocation.
_collecting = gc.isenabled()
gc.disable()

import os
from typing import Any

import structlog

from watchdog.aws.policy_sources import load_configured_policies
from watchdog.inventory import ScanRequest
from watchdog.logs import configure_logging
from watchdog.pipeline import lookback_for, run_plan
from watchdog.service import lambda_events
from watchdog.service.context import build_service
from watchdog.service.lambda_events import (
    Dispatch,
    invoke_self,
    is_digest,
    is_fanout,
    is_http,
    is_parking,
    is_work,
)
from watchdog.service.public_url import own_function_url
from watchdog.service.secrets import resolve_secrets
from watchdog.settings import Settings
from watchdog.signals.collect import SignalOptions
from watchdog.store.open import open_store
from watchdog.tuning import tune_for_plans

log = structlog.get_logger("lambda_handler")
CONTAINER_CACHE_DIR = "/tmp/ai-cost-watchdog"  # Lambda's only writable place

gc.freeze()
tune_for_plans()  # the collector's rhythm and the switch interval (watchdog.tuning)
if _collecting:
    gc.enable()


def handler(
    event: dict[str, Any], context: Any, dispatch: Dispatch = invoke_self
) -> dict[str, Any]:
    settings = Settings()
    configure_logging("json", settings.log_level)
    # Secrets named by reference (WATCHDOG_<NAME>_PARAM / _SECRET_ID), once per warm container.
    settings = resolve_secrets(settings, os.environ)
    if settings.public_url is None and settings.link_secret is not None:
        url = own_function_url(context)
        settings = settings.model_copy(update={"public_url": url}) if url else settings
    # With a store, runs cache prices, Cost Explorer's answers (and its daily request count)
    # and endpoint config descriptions there: /tmp lasts only as long as the container, and
    # Lambda promises no container to the next scheduled run. Without, /tmp it is.
    cache_in_store = settings.cache_dir is None and bool(settings.store)
    if settings.cache_dir is None:
        settings = settings.model_copy(update={"cache_dir": CONTAINER_CACHE_DIR})
    if not settings.store:
        if any(is_(event) for is_ in (is_http, is_work, is_fanout, is_parking, is_digest)):
            raise ValueError(
                "WATCHDOG_STORE must be set for Slack, approval, fan-out, parking and digest events"
            )
        return _plan_only(settings)
    service = build_service(settings, open_store(settings.store), cache_in_store=cache_in_store)
    try:
        if is_http(event):
            return lambda_events.http(service, event, context, dispatch)
        if is_work(event):
            return lambda_events.work(service, event, context)
        if is_fanout(event):
            return lambda_events.fanout(service, event, context)
        if is_parking(event):
            return lambda_events.parking(service, context)
        if is_digest(event):
            return lambda_events.digest(service, context)
        return lambda_events.scheduled(service, context)
    finally:
        service.close()


def _plan_only(settings: Settings) -> dict[str, Any]:
    """Without a store: the plan, logged finding by finding (read-only, nothing remembered)."""
    policies = load_configured_policies(settings.policies)
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
