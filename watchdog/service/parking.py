"""The parking tick as the daemon and the Lambda run it: between cycles, every
`parking_minutes`, what the park schedules ask for now (watchdog.act.parking.tick). It acts only
in enforce mode, like a cycle; in dry-run it reports what it would do."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

import structlog

from watchdog.act import ExecOptions, FindingOutcome
from watchdog.act.parking import parking_tick
from watchdog.service.channels import tell_channels
from watchdog.service.context import Service
from watchdog.service.notices import tell_owners

log = structlog.get_logger(__name__)


def run_parking(
    service: Service,
    deadline: datetime | None = None,
    interrupted: Callable[[], bool] | None = None,
) -> list[FindingOutcome]:
    settings = service.settings
    options = ExecOptions.from_settings(settings, settings.mode == "enforce", deadline)
    options = options.model_copy(update={"interrupted": interrupted})
    run_id = f"parking-{uuid.uuid4().hex[:12]}"
    outcomes = parking_tick(
        service.store, service.clients(), service.clock, options, run_id, service.policies
    )
    for outcome in outcomes:
        if outcome.steps:
            log.info(
                "parking",
                run_id=run_id,
                finding_id=outcome.finding_id,
                account=outcome.account,
                region=outcome.region,
                resource_arn=outcome.resource_arn,
                fate=outcome.fate,
                reason=outcome.reason,
            )
    # A resume given up (someone changed the resource while parked): its owner hears now,
    # or at the next tick when Slack did not take it.
    if interrupted is None or not interrupted():
        tell_owners(service, run_id)
        tell_channels(service)  # parked and back: Teams, email and webhooks hear of it too
    return outcomes
