"""The weekly digest, sent once per week to Slack and to every channel that takes one, with a
link to the whole savings report: the daemon's or function URL's `/report/{token}` when links
are set up, else (a Lambda with no public URL) the report's HTML in S3 behind a presigned URL.

Once per week and channel, across restarts and Lambda invocations: the store remembers each
channel's digest of the week (`digest:<week>:<channel>`), and a short lock keeps two runs from
sending it at the same moment. A channel that fails is tried again at the next tick that asks
(the daemon's and the Lambda's digest schedule, or `ai-watchdog report --send-digest`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

import boto3
import structlog
from pydantic import BaseModel, Field

from watchdog.approvals.tokens import issue_report_token, report_url
from watchdog.notify.deliver import WEBHOOK_CHANNEL
from watchdog.notify.weekly import WEEK, Digest, build_digest, period_of
from watchdog.report import read_report, render_html
from watchdog.service.channels import configured_channels
from watchdog.service.context import Service
from watchdog.store.base import PostedMessage

log = structlog.get_logger(__name__)

KEY_PREFIX = "digest:"
SENDING = timedelta(minutes=5)
REPORT_WINDOW = timedelta(days=30)  # what the linked report covers
# SigV4 presigned URLs last at most 7 days; signed with a role's temporary credentials (a
# Lambda's), S3 ends them when the role session ends, whatever was asked:
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-presigned-url.html
MAX_PRESIGNED = timedelta(days=7)


class DigestChannel(Protocol):
    name: str

    def deliver_digest(self, digest: Digest, now: datetime) -> str | None:
        """Send the digest; None when it was taken, else why not (one line)."""


class DigestResult(BaseModel):
    period: str
    channels: list[str] = Field(default_factory=list)  # every channel that takes a digest
    sent: list[str] = Field(default_factory=list)  # channel names
    failed: list[str] = Field(default_factory=list)  # "channel: why"; tried again next tick
    report_url: str | None = None


def send_digest(service: Service, holder: str, *, again: bool = False) -> DigestResult:
    """Send this week's digest where it has not gone yet (`again`: everywhere, again)."""
    now = service.clock.now()
    period = period_of(now)
    targets = _targets(service)
    result = DigestResult(period=period, channels=[name for name, _ in targets])
    due = [
        (name, send)
        for name, send in targets
        if again or service.store.get_message(_key(period, name)) is None
    ]
    if not due:
        return result
    link, expires = report_link(service, now, period)
    digest = build_digest(read_report(service.store, now, now - WEEK), now, link, expires)
    result.report_url = link
    for name, send in due:
        key = _key(period, name)
        if not service.store.acquire_lock(key, holder, now, SENDING):
            continue  # another run is sending it right now
        try:
            why = send(digest, now)
        finally:
            service.store.release_lock(key, holder)
        if why is not None:
            log.warning("digest failed", channel=name, period=period, error=why)
            result.failed.append(f"{name}: {why}")
            continue
        service.store.save_message(_sent(key, name, now))
        result.sent.append(name)
    log.info("digest", **result.model_dump(exclude={"report_url"}))
    return result


def report_link(service: Service, now: datetime, period: str) -> tuple[str | None, datetime | None]:
    """A link to the last 30 days' report, and until when it works."""
    settings = service.settings
    if service.link_key is not None and settings.public_url:
        expires = now + timedelta(days=settings.report_link_days)
        token = issue_report_token(service.link_key, REPORT_WINDOW, expires)
        return report_url(settings.public_url, token), expires
    if settings.report_bucket:
        return _in_s3(service, now, period)
    return None, None


def _in_s3(service: Service, now: datetime, period: str) -> tuple[str | None, datetime | None]:
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    settings = service.settings
    bucket, _, prefix = (settings.report_bucket or "").partition("/")
    key = f"{prefix.strip('/') + '/' if prefix.strip('/') else ''}report-{period}.html"
    lasts = min(timedelta(days=settings.report_link_days), MAX_PRESIGNED)
    html = render_html(read_report(service.store, now, now - REPORT_WINDOW))
    try:
        # SigV4 explicitly: botocore may presign with SigV2 otherwise, which S3 is retiring
        # and which newer regions never accepted.
        s3 = (service.session or boto3.Session()).client(
            "s3", config=Config(signature_version="s3v4")
        )
        s3.put_object(
            Bucket=bucket, Key=key, Body=html.encode(), ContentType="text/html; charset=utf-8"
        )
        url = s3.generate_presigned_url(
            "get_object",
            Params={"Bucket": bucket, "Key": key},
            ExpiresIn=int(lasts.total_seconds()),
        )
    except (BotoCoreError, ClientError) as error:
        log.warning("report upload failed", bucket=bucket, key=key, error=str(error))
        return None, None
    return str(url), now + lasts


def _targets(service: Service) -> list[tuple[str, Callable[[Digest, datetime], str | None]]]:
    targets: list[tuple[str, Callable[[Digest, datetime], str | None]]] = []
    if service.sender is not None:
        targets.append(("slack", lambda digest, now: _to_slack(service, digest)))
    for channel in configured_channels(service):
        deliver = getattr(channel, "deliver_digest", None)
        if deliver is not None:
            targets.append((channel.name, deliver))
    return targets


def _to_slack(service: Service, digest: Digest) -> str | None:
    from watchdog.notify.sender import SendFailed
    from watchdog.notify.weekly_slack import digest_slack_message  # slack_sdk: with Slack only

    sender = service.sender
    assert sender is not None
    channel = service.notify_options.default_channel if sender.interactive else WEBHOOK_CHANNEL
    if channel is None:
        return "no channel for it: set WATCHDOG_SLACK_CHANNEL"
    try:
        sender.post(channel, digest_slack_message(digest))
    except SendFailed as error:
        return str(error)
    return None


def _key(period: str, channel: str) -> str:
    return f"{KEY_PREFIX}{period}:{channel}"


def _sent(key: str, channel: str, now: datetime) -> PostedMessage:
    return PostedMessage(
        finding_id=key, channel=channel, ts="", posted_at=now, shown_state="sent", updated_at=now
    )
