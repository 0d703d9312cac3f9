"""The settings of the channels beyond Slack (Teams, email, a signed webhook) and of the
weekly digest: a part of `Settings` (watchdog.settings), in a file of its own because they are
a whole with their own checks. Secret URLs are checked without ever showing them.
"""

from __future__ import annotations

import ipaddress
import os
import re
from typing import Self
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# An email address as the email settings take it: no display name, no list, a dotted domain.
_EMAIL_ADDRESS = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+")
_EMAIL_DOMAIN = re.compile(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


def _email_addresses(value: str | None) -> list[str]:
    entries = [e.strip() for e in (value or "").split(",") if e.strip()]
    for entry in entries:
        if not _EMAIL_ADDRESS.fullmatch(entry):
            raise ValueError(f"{entry!r} is not an email address (name@example.com)")
    return entries


class ChannelSettings(BaseSettings):
    """The WATCHDOG_* settings of the digest, Teams, email and the webhook."""

    model_config = SettingsConfigDict(
        env_prefix="WATCHDOG_", extra="ignore", hide_input_in_errors=True
    )

    # The weekly digest: the savings report's headline numbers on every channel, and a link
    # to the whole report (on public_url with the link secret, else in report_bucket).
    digest_schedule: str = Field(
        default="0 9 * * mon",
        description="the daemon's weekly digest, a five-field cron in daemon_timezone; `off`: none",
    )
    report_link_days: float = Field(
        default=8, gt=0, le=366, description="how long the digest's report link works"
    )
    report_bucket: str | None = Field(
        default=None,
        description="bucket[/prefix] for the digest's report when there is no public_url "
        "(a presigned link: 7 days at most, less with a role's credentials)",
    )

    # Microsoft Teams (unset: no Teams): a Teams workflow's webhook URL ("When a Teams webhook
    # request is received"). Its `sig=` signs it: whoever holds it posts in the channel.
    teams_webhook_url: SecretStr | None = Field(
        default=None, description="Teams workflow webhook URL: Adaptive Cards, a Review link"
    )

    # Email through Amazon SES v2 (unset email_from: no email). One digest per recipient per
    # cycle: a finding's owner when its owner is an address at an allowed domain, else email_to.
    email_from: str | None = Field(
        default=None, description="sender: an address (or its domain) verified in SES"
    )
    email_to: str | None = Field(
        default=None,
        description="comma list of addresses for findings whose owner is not an address "
        "mail may go to",
    )
    email_domains: str | None = Field(
        default=None,
        description="comma list of domains an owner's address may be at (subdomains too), or "
        "`*`; unset: email_from's domain",
    )
    email_region: str | None = Field(
        default=None, description="SES region (where email_from is verified); unset: the session's"
    )

    @field_validator("email_from")
    @classmethod
    def _sender(cls, value: str | None) -> str | None:
        """One plain address (`watchdog@example.com`); empty: unset."""
        entries = _email_addresses(value)
        if len(entries) > 1:
            raise ValueError("give one sender address")
        return entries[0] if entries else None

    @field_validator("email_to")
    @classmethod
    def _addresses(cls, value: str | None) -> str | None:
        """Plain addresses, comma-separated; empty: unset."""
        return ",".join(_email_addresses(value)) or None

    @field_validator("email_domains")
    @classmethod
    def _domains(cls, value: str | None) -> str | None:
        for entry in (e.strip() for e in (value or "").split(",")):
            if entry and entry != "*" and not _EMAIL_DOMAIN.fullmatch(entry):
                raise ValueError(f"{entry!r} is not a domain (example.com) or `*`")
        return value

    # A signed JSON webhook (unset: none): one event per finding change, for PagerDuty,
    # Opsgenie, ticketing (README "Webhooks"). Its URL is a secret too: it may carry a token.
    webhook_url: SecretStr | None = Field(
        default=None, description="https URL events are POSTed to (http only to loopback)"
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        description="HMAC-SHA256 key signing every event (at least 32 bytes); required with "
        "webhook_url",
    )
    webhook_timeout_seconds: float = Field(
        default=3, gt=0, le=30, description="how long one request may take"
    )
    webhook_budget_seconds: float = Field(
        default=5,
        gt=0,
        le=60,
        description="all of a cycle's requests and retries take at most this; what is left "
        "is sent next cycle",
    )

    @field_validator("teams_webhook_url")
    @classmethod
    def _teams_https(cls, value: SecretStr | None) -> SecretStr | None:
        problem = https_url_problem(value.get_secret_value()) if value is not None else None
        if problem is not None:
            raise ValueError(problem)  # never the URL itself: it is a secret
        return value

    @field_validator("webhook_url", "webhook_secret")
    @classmethod
    def _webhook_written_well(
        cls, value: SecretStr | None, info: ValidationInfo
    ) -> SecretStr | None:
        """Empty: unset (how a template leaves it out). Messages never show the value."""
        if value is None or not value.get_secret_value():
            return None
        problem = _webhook_problem(info.field_name or "", value.get_secret_value())
        if problem is not None:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _webhook_signed(self) -> Self:
        """A webhook URL without its secret is refused at start; a secret named by reference
        (WATCHDOG_WEBHOOK_SECRET_PARAM...) is checked once fetched (`webhook_problem`)."""
        unsigned = self.webhook_url is not None and self.webhook_secret is None
        named = any(os.environ.get(f"WATCHDOG_WEBHOOK_SECRET{s}") for s in _REFERENCES)
        if unsigned and not named:
            raise ValueError(_WEBHOOK_UNSIGNED)
        return self

    def webhook_problem(self) -> str | None:
        """What forbids the webhook settings as they now are (secrets fetched by reference
        included), on one line naming the variable; None when they can be used or are unset."""
        if self.webhook_url is None:
            return None
        if self.webhook_secret is None:
            return _WEBHOOK_UNSIGNED
        for name in ("webhook_url", "webhook_secret"):
            value: SecretStr = getattr(self, name)
            problem = _webhook_problem(name, value.get_secret_value())
            if problem is not None:
                return f"WATCHDOG_{name.upper()}: {problem}"
        return None


def https_url_problem(url: str) -> str | None:
    """Why a secret URL (a webhook's) cannot be used, naming nothing of it; None when it can:
    https, or http to a loopback host only (a local stand-in for tests)."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
    except ValueError:
        return "is not a URL"
    if not host or "@" in parts.netloc:
        return "is not a URL with a host"
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and _loopback(host):
        return None
    return "must be an https URL (http only to a loopback host)"


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# The webhook's secret is as long as the approval links' (watchdog.approvals.tokens).
WEBHOOK_MIN_SECRET_BYTES = 32
_REFERENCES = ("_PARAM", "_SECRET_ID")
_WEBHOOK_UNSIGNED = (
    "WATCHDOG_WEBHOOK_SECRET must be set with WATCHDOG_WEBHOOK_URL (at least 32 bytes; "
    "generate one with `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
)


def _webhook_problem(field: str, value: str) -> str | None:
    if field == "webhook_url":
        return https_url_problem(value)
    size = len(value.encode())
    if size < WEBHOOK_MIN_SECRET_BYTES:
        return f"must be at least {WEBHOOK_MIN_SECRET_BYTES} bytes (it has {size})"
    return None
