"""Email through Amazon SES (API v2 `SendEmail`): one digest per recipient per cycle.

Each change goes to its finding's owner when the owner (its `owner` tag, or its policy's
default) is an email address at a domain mail may go to (`WATCHDOG_EMAIL_DOMAINS`; by default
the sender's), else to the fallback addresses (`WATCHDOG_EMAIL_TO`); an escalated change also
goes to the addresses of its policy's `escalate_to`. Whoever can tag a resource does not choose
where its approval link is mailed, beyond those domains. Every recipient gets one message with
all of their changes, addressed to them alone (so a message never nears SES's 50 recipients
and nobody sees who else was told); a digest too large for one message is split in two.

A change is told once every recipient of it got their message; one that failed for any of
them is told again next cycle (to all of them). What SES answers decides what happens next:
throttling and quotas (after botocore's own retries) and an account or sender that cannot send
stop this cycle's sending - the rest waits for the next cycle - while a message refused for its
recipient (`MessageRejected`: in the SES sandbox, an unverified recipient) fails that recipient
only. Configuration errors are logged as errors, saying what to fix.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import boto3
import structlog
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from watchdog.notify.email_render import Email, digest, weekly
from watchdog.notify.outbound import ESCALATED, Change, Delivered
from watchdog.notify.weekly import Digest
from watchdog.settings import Settings

log = structlog.get_logger(__name__)

# SES answers in seconds or throttles: three adaptive retries after the first attempt (its
# client-side rate limiter paces a burst of digests to the account's sending rate), never ten.
EMAIL_CONFIG = Config(
    retries={"mode": "adaptive", "max_attempts": 3},
    connect_timeout=5,
    read_timeout=20,
    user_agent_extra="ai-cost-watchdog",
)
CHARSET = "UTF-8"
# SES v2's limit is 40 MB a message after base64 encoding (SES quotas page): both parts of a
# digest stay far below it, or the digest is split.
MAX_MESSAGE_BYTES = 10_000_000
# Worth the next cycle: SES's throttling and sending quotas, and SES being unavailable.
RETRY_LATER = frozenset(
    {
        "TooManyRequestsException",
        "Throttling",
        "ThrottlingException",
        "LimitExceededException",
        "ServiceUnavailable",
        "InternalFailure",
    }
)
# Nothing will send until someone fixes the account, the sender or the role: stop the cycle.
CANNOT_SEND = {
    "AccountSuspendedException": "the SES account is suspended",
    "SendingPausedException": "sending is paused for this SES account or configuration set",
    "MailFromDomainNotVerifiedException": "the sender's custom MAIL FROM domain is not verified",
    "NotFoundException": "an SES resource the message names does not exist",
    "AccessDeniedException": "the role may not ses:SendEmail with this sender",
    "AccessDenied": "the role may not ses:SendEmail with this sender",
}
STOP = "stop: "  # a reason that ends this cycle's sending
_ADDRESS = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+")


class StopSending(Exception):
    """No further message this cycle: SES would refuse them all too."""


@dataclass
class EmailChannel:
    """The `Channel` for email: `client` is an SES v2 client (boto3 "sesv2")."""

    client: Any
    sender: str
    fallback: tuple[str, ...] = ()
    domains: frozenset[str] | None = None  # None: any domain; else these and subdomains
    max_bytes: int = MAX_MESSAGE_BYTES
    name: str = "email"
    attempts: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.client.meta.events.register("before-send.sesv2.SendEmail", self._count)

    def _count(self, **_: Any) -> None:
        self.attempts += 1  # each request sent, botocore's retries included

    def deliver(self, changes: Sequence[Change], now: datetime) -> Delivered:
        before = self.attempts
        out = Delivered()
        groups = self.by_recipient(changes)
        undelivered: set[str] = set()  # finding ids some recipient did not get
        stopped: str | None = None
        for recipient, theirs in groups.items():
            why = stopped or self._send_digest(recipient, theirs, now)
            if why is None:
                continue
            if why.startswith(STOP):
                stopped = why = why.removeprefix(STOP)
            for change in theirs:
                undelivered.add(change.stored.finding.id)
                out.failed.append(f"{change.stored.finding.id}: email to {recipient}: {why}")
        # A change nobody is to be told of (no address, no fallback) is neither told nor failed.
        routed = {c.stored.finding.id for theirs in groups.values() for c in theirs}
        out.told = [c for c in changes if c.stored.finding.id in routed - undelivered]
        out.calls = self.attempts - before
        return out

    def deliver_digest(self, report: Digest, now: datetime) -> str | None:
        """The weekly digest, to each fallback address (WATCHDOG_EMAIL_TO); None when sent to
        all (or there is nobody to send it to), else why not: it is tried again next tick."""
        email = weekly(report)
        for recipient in self.fallback:
            try:
                self._send(recipient, email)
            except StopSending as error:
                return str(error)
            except ClientError as error:
                return f"{recipient}: {self._refused(recipient, error)}"
        return None

    def recipients(self, change: Change) -> list[str]:
        """Who is told of `change`: its owner's address or the fallback, and for an escalated
        change the policy's escalation addresses too."""
        owner = change.stored.finding.owner
        found = [owner] if owner is not None and self._may_mail(owner) else list(self.fallback)
        if change.stage == ESCALATED:
            found += [t for t in change.escalate_to if "@" in t]
        return found

    def by_recipient(self, changes: Sequence[Change]) -> dict[str, list[Change]]:
        """Each recipient's changes, in the order given; addresses compared case-blind."""
        spelled: dict[str, str] = {}
        groups: dict[str, list[Change]] = {}
        for change in changes:
            for address in self.recipients(change):
                key = spelled.setdefault(address.casefold(), address)
                theirs = groups.setdefault(key, [])
                if change not in theirs:
                    theirs.append(change)
        return groups

    def _may_mail(self, owner: str) -> bool:
        if not _ADDRESS.fullmatch(owner):
            return False
        if self.domains is None:
            return True
        domain = owner.rsplit("@", 1)[1].casefold()
        return any(domain == d or domain.endswith(f".{d}") for d in self.domains)

    def _send_digest(self, recipient: str, changes: Sequence[Change], now: datetime) -> str | None:
        """Send `recipient` their digest (split when too large). None when it went; else why
        not, prefixed `stop: ` when nothing else should be sent this cycle."""
        email = digest(changes, now)
        size = len(email.html.encode()) + len(email.text.encode())
        if size > self.max_bytes and len(changes) > 1:
            half = len(changes) // 2
            first = self._send_digest(recipient, changes[:half], now)
            return first or self._send_digest(recipient, changes[half:], now)
        try:
            self._send(recipient, email)
        except StopSending as error:
            return f"{STOP}{error}"
        except ClientError as error:
            return self._refused(recipient, error)
        return None

    def _send(self, recipient: str, email: Email) -> None:
        try:
            self.client.send_email(**send_request(self.sender, recipient, email))
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            message = error.response.get("Error", {}).get("Message", "")
            if code in RETRY_LATER:
                log.warning("email throttled, the rest waits for the next cycle", code=code)
                raise StopSending(f"{code} (SES throttling or quota): told next cycle") from error
            if code in CANNOT_SEND:
                log.error("email cannot be sent", code=code, fix=CANNOT_SEND[code], error=message)
                raise StopSending(f"{code}: {CANNOT_SEND[code]}") from error
            if code == "MessageRejected" and self.sender.casefold() in message.casefold():
                log.error("email sender not verified in SES", sender=self.sender, error=message)
                raise StopSending(f"{code}: {message}") from error
            raise
        except BotoCoreError as error:  # no connection, a timeout: try again next cycle
            log.warning("email: SES unreachable", error=str(error))
            raise StopSending(f"SES unreachable ({error}): told next cycle") from error

    def _refused(self, recipient: str, error: ClientError) -> str:
        code = error.response.get("Error", {}).get("Code", "")
        message = error.response.get("Error", {}).get("Message", "")
        # MessageRejected for a recipient: in the SES sandbox, one not verified.
        log.error("email refused for a recipient", recipient=recipient, code=code, error=message)
        return f"{code}: {message}"


def send_request(sender: str, recipient: str, email: Email) -> dict[str, Any]:
    """SES v2 SendEmail's parameters: a Simple message with both parts, UTF-8."""
    return {
        "FromEmailAddress": sender,
        "Destination": {"ToAddresses": [recipient]},
        "Content": {
            "Simple": {
                "Subject": {"Data": email.subject, "Charset": CHARSET},
                "Body": {
                    "Text": {"Data": email.text, "Charset": CHARSET},
                    "Html": {"Data": email.html, "Charset": CHARSET},
                },
            }
        },
    }


def channel_from_settings(settings: Settings, session: boto3.Session | None) -> EmailChannel | None:
    """The email channel, or None without `WATCHDOG_EMAIL_FROM`."""
    if not settings.email_from:
        return None
    session = session or boto3.Session()
    region = settings.email_region or session.region_name
    if not region:
        raise ValueError("email: no SES region; set WATCHDOG_EMAIL_REGION or AWS_REGION")
    client = session.client("sesv2", region_name=region, config=EMAIL_CONFIG)
    domains = split(settings.email_domains)
    sender_domain = settings.email_from.rsplit("@", 1)[1].casefold()
    return EmailChannel(
        client=client,
        sender=settings.email_from,
        fallback=tuple(split(settings.email_to)),
        domains=(
            None if "*" in domains else frozenset(d.casefold() for d in domains or [sender_domain])
        ),
    )


def split(value: str | None) -> list[str]:
    """A comma list setting's entries."""
    return [entry.strip() for entry in (value or "").split(",") if entry.strip()]
