"""A Slack button click, answered within Slack's 3 seconds: the signature is checked, the click
recorded once, the clicker authorized and the quick store write made here (an approval, a
snooze); the slow part (the teardown, tagging the resource, editing the message) is returned as
`Work` for after the acknowledgement. Replies go only to Slack's own response_url host.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta

import structlog

from watchdog.approvals.authorize import Deed, Members, NotAllowed, Person, authorize
from watchdog.approvals.person import open_finding, snooze
from watchdog.notify.blocks import APPROVE, EXEMPT, RESUME, SNOOZE
from watchdog.notify.interactions import (
    SIGNATURE_HEADER,
    Click,
    Refused,
    Rejected,
    approve,
    click_from_payload,
    click_key,
    parse_click,
)
from watchdog.notify.response_url import allowed_response_url
from watchdog.notify.sender import SendFailed
from watchdog.service.context import Service
from watchdog.service.work import Work
from watchdog.store.base import StoreError

log = structlog.get_logger(__name__)

DEEDS: dict[str, Deed] = {
    APPROVE: "approve",
    SNOOZE: "snooze",
    EXEMPT: "exempt",
    RESUME: "resume",
}


def answer_click(
    service: Service, headers: Mapping[str, str], body: str, now: datetime
) -> tuple[int, str, list[Work]]:
    """(HTTP status, body, work for afterwards). Nothing changes unless the request verifies."""
    if service.signing_secret is None:
        return 404, "Slack interactivity is off: set WATCHDOG_SLACK_SIGNING_SECRET", []
    try:
        click = parse_click(headers, body, service.signing_secret, now)
    except Rejected as rejected:
        log.warning("slack request rejected", status=rejected.status, reason=str(rejected))
        # A signed click with a bad value is told why, where Slack shows only the clicker.
        url = allowed_response_url(rejected.response_url, service.settings.slack_api_url)
        told = [Work(task="reply", response_url=url, text=_unusable(rejected))] if url else []
        return rejected.status, str(rejected), told
    signature = {k.lower(): v for k, v in headers.items()}.get(SIGNATURE_HEADER)
    try:
        return 200, "", answer(service, click, now, signature)
    except StoreError as error:
        log.error("slack click not recorded", error=str(error))
        return 503, "the watchdog's store is unavailable: click again in a moment", []


def answer_payload(service: Service, payload: object, now: datetime) -> list[Work]:
    """A click that came by Socket Mode: the connection is authenticated, so no signature."""
    try:
        click = click_from_payload(payload)
    except Rejected as rejected:
        log.warning("slack payload rejected", reason=str(rejected))
        url = allowed_response_url(rejected.response_url, service.settings.slack_api_url)
        return [Work(task="reply", response_url=url, text=_unusable(rejected))] if url else []
    try:
        return answer(service, click, now)
    except StoreError as error:  # one line, not a traceback in slack_sdk's listener thread
        log.error("slack click not recorded", error=str(error))
        return []


def answer(
    service: Service, click: Click | None, now: datetime, signature: str | None = None
) -> list[Work]:
    """Act on a verified click once: its key is recorded first, so the same click replayed
    (within the signature's five minutes) or resent by Slack is only told it was handled."""
    if click is None:
        return []
    click = replace(
        click, response_url=allowed_response_url(click.response_url, service.settings.slack_api_url)
    )
    key = click_key(click, signature)
    if key is not None and not service.store.claim_interaction(key, now):
        log.info("slack click replayed", button=click.button, finding_id=click.finding_id)
        return [_reply(click, "That click was already handled; nothing more was done.")]
    log.info("slack click", button=click.button, finding_id=click.finding_id, user=click.user_id)
    try:
        return _act(service, click, now)
    except Refused as refused:
        return [_reply(click, str(refused))]


def _act(service: Service, click: Click, now: datetime) -> list[Work]:
    person = Person(f"slack:{click.user_id}", click.user_id)
    try:
        # One rule for every button (approvals.authorize), before anything is read or written.
        authorize(person, DEEDS[click.button], service.approvers, _members(service))
        if click.button == APPROVE:
            validity = timedelta(hours=service.settings.link_hours)
            approve(service.store, click, now, validity)
            return [_work("execute", click, person.name)]
        stored = open_finding(service.store, click.finding_id)
        if click.button == RESUME:
            if stored.state != "parked":
                raise NotAllowed(f"finding {click.finding_id} is not parked ({stored.state})")
            return [_work("resume", click, person.name)]
        if click.button == SNOOZE:
            days = click.snooze_days or service.settings.slack_snooze_days
            snooze(service.store, click.finding_id, person.name, days, now)
            return [_work("update", click, person.name)]
    except NotAllowed as refused:
        raise Refused(str(refused)) from refused
    return [_work("exempt", click, person.name)]


def _members(service: Service) -> Members | None:
    """A user group's members, read from Slack; None without a bot to ask (a webhook cannot
    read groups, so nobody is let in through one)."""
    sender = service.sender
    if sender is None:
        return None

    def members(group: str) -> frozenset[str]:
        try:
            return sender.group_members(group)
        except SendFailed as error:
            raise LookupError(str(error)) from error

    return members


def _unusable(rejected: Rejected) -> str:
    return f"That click could not be used: {rejected}. Nothing was changed."


def _work(task: str, click: Click, who: str) -> Work:
    return Work.model_validate(
        {
            "task": task,
            "finding_id": click.finding_id,
            "user": who,
            "response_url": click.response_url,
        }
    )


def _reply(click: Click, text: str) -> Work:
    return Work(
        task="reply", finding_id=click.finding_id, response_url=click.response_url, text=text
    )
