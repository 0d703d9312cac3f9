"""Telling owners what they must hear of apart from their findings' alerts (notify.notices):
after every run that may resume a parked resource (a cycle, the parking tick, Resume now, the
CLI's apply and resume). Without Slack it does nothing; the audit log still says it all."""

from __future__ import annotations

import structlog

from watchdog.service.context import Service

log = structlog.get_logger(__name__)


def tell_owners(service: Service, holder: str) -> int:
    """Send the notices not sent yet, naming this run `holder`; how many were sent."""
    if service.sender is None:
        return 0
    from watchdog.notify.notices import send_notices  # slack_sdk: only with Slack configured

    now = service.clock.now()
    result = send_notices(service.store, service.sender, service.notify_options, now, holder)
    if result.sent or result.failed or result.skipped:
        log.info("slack notices", holder=holder, **result.model_dump())
    return result.sent
