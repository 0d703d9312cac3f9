"""One cycle: apply (plan afresh, act on what is approved, within the deadline), then tell
Slack what is new and what has moved on. The scheduled Lambda, the daemon's scheduler and an
approval click all run this; only the deadline and `only` differ.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

import structlog
from pydantic import BaseModel, Field

from watchdog.act import ApplyResult, ExecOptions, apply
from watchdog.inventory import ScanRequest
from watchdog.notify.options import NotifyResult
from watchdog.notify.outbound import ChannelResult
from watchdog.pipeline import lookback_for
from watchdog.service.channels import tell_channels
from watchdog.service.context import Service
from watchdog.service.notices import tell_owners
from watchdog.signals.collect import SignalOptions

log = structlog.get_logger(__name__)


class CycleResult(BaseModel):
    apply: ApplyResult
    slack: NotifyResult | None = None  # None: no Slack configured
    channels: dict[str, ChannelResult] = Field(default_factory=dict)  # Teams, email, webhooks


def run_cycle(
    service: Service,
    deadline: datetime | None = None,
    only: Iterable[str] = (),
    interrupted: Callable[[], bool] | None = None,
    announce: bool = True,
) -> CycleResult:
    """Execute only when the settings say `enforce`: an approval alone never overrides a
    dry-run deployment. `announce` False leaves Slack to a later, single notification (a
    fanned-out cycle's shards)."""
    settings = service.settings
    options = ExecOptions.from_settings(settings, settings.mode == "enforce", deadline)
    options = options.model_copy(update={"interrupted": interrupted})
    result = apply(
        ScanRequest.from_settings(settings),
        service.policies,
        service.store,
        options,
        session=service.session,
        clock=service.clock,
        only=only,
        signal_options=SignalOptions.from_settings(
            settings, lookback_for(service.policies), service.cache
        ),
    )
    slack = None
    # A daemon shutting down leaves Slack to its next start: what this run found or parked is
    # in the store, and posting now would only hold the stop back.
    stopping = interrupted is not None and interrupted()
    if service.sender is not None and announce and not stopping:
        from watchdog.notify.notifier import notify  # slack_sdk: only with Slack configured

        slack = notify(
            service.store,
            service.sender,
            service.notify_options,
            service.clock.now(),
            run_id=result.run_id,
        )
        log.info("slack notified", run_id=result.run_id, **slack.model_dump(exclude={"failed"}))
        tell_owners(service, result.run_id)
    told = {} if stopping or not announce else tell_channels(service, run_id=result.run_id)
    return CycleResult(apply=result, slack=slack, channels=told)
