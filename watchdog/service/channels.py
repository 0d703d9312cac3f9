"""Telling the channels beyond Slack (Teams, email, webhooks) what moved on: after every cycle,
click and parking tick, as Slack is. Each channel is built from the settings when its settings
are there; none configured, this does nothing and loads none of them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from datetime import datetime

import structlog

from watchdog.notify.deliver import made_by
from watchdog.notify.outbound import Channel, ChannelResult, ReminderRule, tell
from watchdog.service.context import Service

log = structlog.get_logger(__name__)

# "module:function" building a channel from (settings, session), or None when not configured.
# A channel's module is imported only when its factory is asked: cheap for a lean Lambda.
CHANNEL_FACTORIES: tuple[str, ...] = (
    "watchdog.notify.email:channel_from_settings",
    "watchdog.notify.teams:channel_from_settings",
    "watchdog.notify.webhook:channel_from_settings",
)


def configured_channels(service: Service) -> list[Channel]:
    channels = []
    for path in CHANNEL_FACTORIES:
        module, _, name = path.partition(":")
        factory = getattr(importlib.import_module(module), name)
        channel = factory(service.settings, service.session)
        if channel is not None:
            channels.append(channel)
    return channels


def tell_channels(
    service: Service,
    *,
    run_id: str | None = None,
    seen_since: datetime | None = None,
    channels: list[Channel] | None = None,
) -> dict[str, ChannelResult]:
    """Tell every configured channel what it has not told; findings are announced only when
    the run `run_id` (or any run since `seen_since`) found them."""
    current: Callable[..., bool] = made_by(run_id, seen_since)
    chosen = configured_channels(service) if channels is None else channels
    rules = reminder_rules(service) if chosen or service.sender is not None else {}
    if rules and service.sender is not None:
        from watchdog.notify.slack_reminders import SlackReminders  # slack_sdk: with Slack only

        chosen = [*chosen, SlackReminders(service.store, service.sender, service.notify_options)]
    results: dict[str, ChannelResult] = {}
    if not chosen:
        return results
    read = (service.store.list_findings(), service.store.list_messages())
    for channel in chosen:
        result = tell(
            service.store,
            channel,
            service.clock.now(),
            current=current,
            rules=rules,
            links=service.notify_options.links,
            read=read,
        )
        if result.sent or result.failed:
            log.info("channel told", channel=channel.name, run_id=run_id, **result.model_dump())
        results[channel.name] = result
    return results


def reminder_rules(service: Service) -> Mapping[str, ReminderRule]:
    """Each policy's reminder and escalation, by policy name: only policies that ask for them."""
    return {
        policy.name: ReminderRule(
            remind_after=policy.reminders.remind_after,
            escalate_after=policy.reminders.escalate_after,
            escalate_to=tuple(policy.reminders.escalate_to),
        )
        for policy in service.policies
        if policy.reminders is not None
    }
