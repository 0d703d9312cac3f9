"""Work done after a click or an approval has been acknowledged: Slack wants its answer within
3 seconds, and a teardown or a tagging call can take longer. The daemon hands `Work` to a
worker thread; the Lambda sends it to an asynchronous invocation of itself, so it is plain
data (it travels as JSON).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Literal

import structlog
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, ConfigDict
from slack_sdk.errors import SlackClientError
from slack_sdk.webhook import WebhookClient

from watchdog.act import ApplyRefused, ExecOptions
from watchdog.act.admission import exempt_finding
from watchdog.act.parking import NothingToResume, resume_now
from watchdog.aws.errors import describe_error
from watchdog.notify.notifier import notify
from watchdog.notify.response_url import allowed_response_url
from watchdog.notify.sender import bypasses_proxy
from watchdog.service.channels import tell_channels
from watchdog.service.context import Service
from watchdog.service.cycle import run_cycle
from watchdog.service.notices import tell_owners

log = structlog.get_logger(__name__)


class Work(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # execute: run a cycle for the finding's resource (it was just approved).
    # exempt: tag the resource watchdog:exempt=true for good.
    # update: re-render the finding's Slack message.
    # reply: tell the clicker something only they see (a refused click).
    # resume: bring a parked resource back now (Resume now).
    task: Literal["execute", "exempt", "update", "reply", "resume"]
    finding_id: str | None = None
    user: str | None = None  # who clicked, "slack:U..."
    response_url: str | None = None
    text: str | None = None


def perform(
    work: Work,
    service: Service,
    deadline: datetime | None = None,
    interrupted: Callable[[], bool] | None = None,
) -> None:
    """Do one piece of work. An approved teardown runs within `deadline` and stops (parking
    its steps) when `interrupted` says so."""
    log.info("work", task=work.task, finding_id=work.finding_id)
    if work.task == "reply":
        _reply(service, work.response_url, work.text or "")
    elif work.task == "execute":
        # "Approved by ..." now; the cycle's own Slack step edits it again when it ends.
        _update(work.finding_id, service)
        _execute(work, service, deadline, interrupted)
        return
    elif work.task == "exempt":
        _exempt(work, service)
    elif work.task == "resume":
        _resume(work, service, deadline, interrupted)
    _update(work.finding_id, service)


def _execute(
    work: Work,
    service: Service,
    deadline: datetime | None,
    interrupted: Callable[[], bool] | None,
) -> None:
    stored = service.store.get_finding(work.finding_id or "")
    if stored is None:
        return
    try:
        only = [stored.finding.resource.arn]
        result = run_cycle(service, deadline, only, interrupted=interrupted)
    except ApplyRefused as error:
        _reply(service, work.response_url, f"Nothing was run: {error}")
        return
    log.info("approved finding run", finding_id=work.finding_id, verdict=result.apply.verdict())
    if service.settings.mode != "enforce":
        _reply(
            service,
            work.response_url,
            "Approved. This watchdog runs in dry-run mode (WATCHDOG_MODE), so nothing was "
            "changed; the approval is used once the mode is enforce.",
        )


def _resume(
    work: Work,
    service: Service,
    deadline: datetime | None,
    interrupted: Callable[[], bool] | None,
) -> None:
    stored = service.store.get_finding(work.finding_id or "")
    if stored is None:
        return
    settings = service.settings
    options = ExecOptions.from_settings(settings, settings.mode == "enforce", deadline)
    options = options.model_copy(update={"interrupted": interrupted})
    run_id = f"resume-{uuid.uuid4().hex[:12]}"
    arn = stored.finding.resource.arn
    try:
        [outcome] = resume_now(
            service.store, service.clients(), service.clock, options, run_id, [arn]
        )
    except NothingToResume as nothing:
        _reply(service, work.response_url, f"Nothing was resumed: {nothing}")
        return
    log.info("resumed now", finding_id=work.finding_id, fate=outcome.fate, user=work.user)
    tell_owners(service, run_id)
    if not options.execute:
        _reply(
            service,
            work.response_url,
            "This watchdog runs in dry-run mode (WATCHDOG_MODE), so nothing was changed: "
            f"{outcome.reason}",
        )


def _exempt(work: Work, service: Service) -> None:
    stored = service.store.get_finding(work.finding_id or "")
    if stored is None:
        return
    record = stored.finding.resource
    try:
        exempt_finding(
            service.store, service.clients(), stored, work.user or "", service.clock.now()
        )
    except (ClientError, BotoCoreError, PermissionError) as error:
        why = str(error) if isinstance(error, PermissionError) else describe_error(error)
        log.warning("exempt tag failed", resource_arn=record.arn, error=why)
        _reply(service, work.response_url, f"Could not tag {record.name} exempt: {why}")


def _update(finding_id: str | None, service: Service) -> None:
    if finding_id is None:
        return
    tell_channels(service)  # Teams, email, webhooks hear of the click's change now
    if service.sender is None:
        return
    notify(
        service.store,
        service.sender,
        service.notify_options,
        service.clock.now(),
        only={finding_id},
    )


def _reply(service: Service, response_url: str | None, text: str) -> None:
    """An ephemeral answer to the clicker through the click's response_url, checked again
    here: the Lambda's work event travels outside the process that checked it first."""
    response_url = allowed_response_url(response_url, service.settings.slack_api_url)
    if response_url is None:
        return
    try:
        client = WebhookClient(response_url)
        if bypasses_proxy(response_url):
            client.proxy = None
        client.send(text=text, response_type="ephemeral", replace_original=False)
    except (SlackClientError, OSError) as error:
        log.warning("reply failed", error=str(error))
