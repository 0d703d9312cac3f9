"""The Lambda's kinds of event, told apart and answered:

- an EventBridge Scheduler event: a cycle within the invocation's remaining time;
- the parking schedule's event (`{"watchdog": "parking"}`, every 15 minutes): what park
  schedules ask for now, from the store, without a scan (watchdog.service.parking);
- the weekly digest's event (`{"watchdog": "digest"}`): watchdog.service.digest;
- an HTTP API v2 / function URL request: the routes in watchdog.service.routes, answered at
  once (Slack's 3 seconds); work they start goes to an asynchronous invocation of this same
  function, since a Lambda cannot keep working after it has answered;
- that asynchronous invocation (`{"watchdog_work": {...}}`): the work itself;
- a fanned-out cycle's steps, from the Step Functions state machine: `{"watchdog": "shards"}`,
  `{"watchdog": "shard", "account", "region", "started_at"}`, `{"watchdog": "notify",
  "started_at"}`.

A scheduled event is the common one: this module imports what it needs, and each other kind
imports its own side (the HTTP routes, approval pages and slack_sdk; the work; the shards)
when one arrives, so a cold start pays for the event it answers.
"""

from __future__ import annotations

import base64
import json
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import boto3
import structlog

from watchdog.service.context import Service
from watchdog.service.cycle import CycleResult, run_cycle

if TYPE_CHECKING:
    from watchdog.service.work import Work

log = structlog.get_logger(__name__)

WORK_KEY = "watchdog_work"
FANOUT_KEY = "watchdog"
# Stop starting steps this long before Lambda would kill the invocation.
DEADLINE_MARGIN = timedelta(seconds=30)

# Hands work to another invocation: (work, context). Tests pass their own.
Dispatch = Callable[["Work", Any], None]


def is_http(event: dict[str, Any]) -> bool:
    return "http" in (event.get("requestContext") or {}) and "rawPath" in event


def is_work(event: dict[str, Any]) -> bool:
    return WORK_KEY in event


def deadline_of(context: Any, now: datetime) -> datetime | None:
    """When this invocation must stop starting work: Lambda's end, less DEADLINE_MARGIN."""
    if context is None or not hasattr(context, "get_remaining_time_in_millis"):
        return None
    remaining = timedelta(milliseconds=context.get_remaining_time_in_millis())
    return now + remaining - DEADLINE_MARGIN


def scheduled(service: Service, context: Any) -> dict[str, Any]:
    started = time.monotonic()
    deadline = deadline_of(context, service.clock.now())
    return _summary(run_cycle(service, deadline), _gb_seconds(context, started))


def _gb_seconds(context: Any, started: float) -> float:
    """The invocation's GB-seconds so far: its memory times its time (Lambda bills per ms)."""
    memory_mb = float(getattr(context, "memory_limit_in_mb", 0) or 0)
    return memory_mb / 1024 * (time.monotonic() - started)


def is_parking(event: dict[str, Any]) -> bool:
    return event.get(FANOUT_KEY) == "parking"


def parking(service: Service, context: Any) -> dict[str, Any]:
    from watchdog.service.parking import run_parking

    outcomes = run_parking(service, deadline_of(context, service.clock.now()))
    steps = Counter(step.fate for outcome in outcomes for step in outcome.steps)
    summary = {"park_findings": len(outcomes), "steps_by_fate": dict(steps)}
    log.info("parking finished", **summary)
    return summary


def is_digest(event: dict[str, Any]) -> bool:
    return event.get(FANOUT_KEY) == "digest"


def digest(service: Service, context: Any) -> dict[str, Any]:
    """The weekly digest's schedule: this week's digest, where it has not gone yet."""
    from watchdog.service.digest import send_digest

    request = getattr(context, "aws_request_id", None) or "lambda"
    result = send_digest(service, f"digest-{request}")
    return result.model_dump(exclude={"report_url"}) | {"linked": result.report_url is not None}


def is_fanout(event: dict[str, Any]) -> bool:
    return event.get(FANOUT_KEY) in ("shards", "shard", "notify")


def fanout(service: Service, event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The state machine's three calls: list the shards, run one, notify once."""
    from watchdog.act import SessionClients
    from watchdog.service.shards import list_shards, notify_all, run_shard

    step = event[FANOUT_KEY]
    if step == "shards":
        started = service.clock.now()
        shards, problems = list_shards(service)
        log.info("shards listed", shards=len(shards), problems=problems)
        return {"shards": shards, "started_at": started.isoformat(), "problems": problems}
    started_at = datetime.fromisoformat(str(event["started_at"]))
    if step == "shard":
        account, region = str(event["account"]), str(event["region"])
        deadline = deadline_of(context, service.clock.now())
        own = SessionClients(service.session).own_account
        result = run_shard(service, account, region, own, deadline)
        return {"account": account, "region": region, **_summary(result)}
    sent = notify_all(service, started_at)
    summary = {"slack": sent.model_dump() if sent else None}
    log.info("fan-out notified", **summary)
    return summary


def _summary(result: CycleResult, gb_seconds: float = 0.0) -> dict[str, Any]:
    applied = result.apply
    # The function's own time on the bill too.
    cost = applied.self_cost.with_lambda(gb_seconds) if applied.self_cost is not None else None
    for outcome in applied.findings:
        log.info("finding", run_id=applied.run_id, **outcome.model_dump(exclude={"steps"}))
    summary = {
        "run_id": applied.run_id,
        "mode": applied.mode,
        "verdict": applied.verdict(),
        **applied.summary.model_dump(),
        "stopped": applied.stopped,
        "stopped_detail": applied.stopped_detail,
        "errors": [error.model_dump() for error in applied.errors],
        "api_calls": applied.api_calls,
        "self_cost": cost.model_dump() if cost is not None else None,
        "slack": result.slack.model_dump() if result.slack else None,
    }
    log.info("cycle finished", **summary)
    return summary


def http(
    service: Service, event: dict[str, Any], context: Any, dispatch: Dispatch
) -> dict[str, Any]:
    from watchdog.service.routes import Request, route

    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        body = base64.b64decode(body).decode("utf-8", errors="replace")
    request = Request(
        method=event["requestContext"]["http"]["method"],
        path=event["rawPath"],
        headers=dict(event.get("headers") or {}),
        body=body,
    )
    response, work = route(service, request, service.clock.now())
    for item in work:
        dispatch(item, context)
    return {"statusCode": response.status, "headers": response.headers, "body": response.body}


def work(service: Service, event: dict[str, Any], context: Any) -> dict[str, Any]:
    from watchdog.service.work import Work, perform

    item = Work.model_validate(event[WORK_KEY])
    perform(item, service, deadline_of(context, service.clock.now()))
    return {"done": item.task, "finding_id": item.finding_id}


def invoke_self(item: Work, context: Any) -> None:
    """An asynchronous ("Event") invocation of this function carrying the work."""
    boto3.client("lambda").invoke(
        FunctionName=context.invoked_function_arn,
        InvocationType="Event",
        Payload=json.dumps({WORK_KEY: item.model_dump()}).encode(),
    )
    log.info("work dispatched", task=item.task, finding_id=item.finding_id)
