"""Secret settings named by reference: SSM Parameter Store or Secrets Manager (the Lambda's way).

Any secret setting may be given by reference instead of by value: `WATCHDOG_<NAME>_PARAM` names
an SSM parameter (read with decryption), `WATCHDOG_<NAME>_SECRET_ID` a Secrets Manager secret (its
SecretString), for NAME in SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN,
SLACK_WEBHOOK_URL, LINK_SECRET, TEAMS_WEBHOOK_URL. Each is fetched once per warm container:
values are kept in this module by (source, name), so later invocations make no AWS call. A
parameter or secret given by ARN is read in the ARN's region.

A secret given two ways is an error, not a precedence rule: which one was meant is a guess. An
empty variable counts as unset (how a template leaves one out). Values never reach a log or an
error message; only variable and parameter names do.

WEBHOOK_URL and WEBHOOK_SECRET may be named so too; once fetched, they are checked as the start
checks them when given directly (https, a secret of 32 bytes or more, never one without the other).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import boto3
import structlog
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import SecretStr

from watchdog.aws.clients import CLIENT_CONFIG
from watchdog.aws.errors import describe_error
from watchdog.settings import Settings

log = structlog.get_logger(__name__)

SECRET_FIELDS = (
    "slack_bot_token",
    "slack_signing_secret",
    "slack_app_token",
    "slack_webhook_url",
    "link_secret",
    "teams_webhook_url",
    "webhook_url",
    "webhook_secret",
)
Source = Literal["ssm", "secretsmanager"]
_SUFFIXES: tuple[tuple[Source, str], ...] = (("ssm", "_PARAM"), ("secretsmanager", "_SECRET_ID"))
_WHAT = {"ssm": "SSM parameter", "secretsmanager": "Secrets Manager secret"}
_PERMISSION = {
    "ssm": "ssm:GetParameter, and kms:Decrypt for a SecureString",
    "secretsmanager": "secretsmanager:GetSecretValue, and kms:Decrypt for a customer key",
}
_MISSING = frozenset({"ParameterNotFound", "ResourceNotFoundException"})
_DENIED = frozenset({"AccessDeniedException", "AccessDenied"})

_cache: dict[tuple[Source, str], str] = {}
_lock = threading.Lock()


class SecretsError(ValueError):
    """A secret setting that cannot be resolved; the message names variables, never values."""


@dataclass(frozen=True)
class _Reference:
    field: str
    variable: str  # e.g. WATCHDOG_SLACK_BOT_TOKEN_PARAM
    source: Source
    name: str  # the parameter name or secret id (or ARN)


def resolve_secrets(
    settings: Settings, environ: Mapping[str, str], session: boto3.Session | None = None
) -> Settings:
    """A copy of `settings` with every secret named by reference fetched (cached per container).

    Without any reference, `settings` itself, and no AWS client (nor session) is created.
    """
    references = [ref for field in SECRET_FIELDS if (ref := _reference(settings, field, environ))]
    if not references:
        return settings
    clients = _Clients(session)
    values = {ref.field: SecretStr(_value(ref, clients)) for ref in references}
    resolved = settings.model_copy(update=values)
    problem = resolved.webhook_problem()
    if problem is not None:
        raise SecretsError(problem)
    return resolved


def clear_cache() -> None:
    """Forget every fetched value (tests; a rotated secret is picked up by a new container)."""
    with _lock:
        _cache.clear()


def _reference(settings: Settings, field: str, environ: Mapping[str, str]) -> _Reference | None:
    direct = f"WATCHDOG_{field.upper()}"
    named = [
        _Reference(field, direct + suffix, source, value)
        for source, suffix in _SUFFIXES
        if (value := environ.get(direct + suffix, "").strip())
    ]
    if not named:
        return None
    if len(named) > 1:
        raise SecretsError(
            f"{named[0].variable} and {named[1].variable} are both set; name the secret one way"
        )
    current: SecretStr | None = getattr(settings, field)
    if current is not None and current.get_secret_value():
        raise SecretsError(
            f"{direct} and {named[0].variable} are both set; give the secret either directly "
            "or by reference"
        )
    return named[0]


class _Clients:
    """Clients made on first need, one per (source, region); the session too."""

    def __init__(self, session: boto3.Session | None) -> None:
        self._session = session
        self._clients: dict[tuple[Source, str | None], Any] = {}

    def get(self, source: Source, region: str | None) -> Any:
        if (source, region) not in self._clients:
            if self._session is None:
                self._session = boto3.Session()
            self._clients[(source, region)] = self._session.client(
                source, region_name=region, config=CLIENT_CONFIG
            )
        return self._clients[(source, region)]


def _value(ref: _Reference, clients: _Clients) -> str:
    key = (ref.source, ref.name)
    with _lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    value = _fetch(ref, clients.get(ref.source, _arn_region(ref.name)))
    with _lock:
        _cache[key] = value
    log.info("secret fetched", variable=ref.variable, source=ref.source, name=ref.name)
    return value


def _fetch(ref: _Reference, client: Any) -> str:
    what = f"{ref.variable}: {_WHAT[ref.source]} {ref.name!r}"
    read: Callable[[], str | None] = (
        (lambda: client.get_parameter(Name=ref.name, WithDecryption=True)["Parameter"]["Value"])
        if ref.source == "ssm"
        else (lambda: client.get_secret_value(SecretId=ref.name).get("SecretString"))
    )
    try:
        value = read()
    except (ClientError, BotoCoreError) as error:
        raise SecretsError(f"{what}: {_why(error, ref.source)}") from error
    if value is None:
        raise SecretsError(f"{what}: has no SecretString (a binary secret cannot be used)")
    if not value.strip():
        raise SecretsError(f"{what}: is empty")
    return value


def _why(error: BaseException, source: Source) -> str:
    code = error.response.get("Error", {}).get("Code", "") if isinstance(error, ClientError) else ""
    if code in _MISSING:
        return "does not exist (or is in another account or region)"
    if code in _DENIED:
        return f"access denied (needs {_PERMISSION[source]})"
    return f"cannot be read: {describe_error(error)}"


def _arn_region(name: str) -> str | None:
    """The region of an ARN (arn:partition:service:region:account:...); None for a plain name."""
    parts = name.split(":")
    return parts[3] or None if name.startswith("arn:") and len(parts) > 5 else None
