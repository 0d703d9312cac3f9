"""Approval-link tokens: HMAC-SHA256 signed claims bound to one finding, one action and an expiry.

A token is `<payload>.<signature>`, both unpadded base64url, so it sits in a URL path as is:
- payload: compact JSON `{"v": 1, "id": <32 hex>, "f": <finding>, "a": <action>, "exp": <epoch>}`
- signature: HMAC-SHA256 with the operator's WATCHDOG_LINK_SECRET over a fixed context label plus
  the payload text exactly as sent (so nothing is decoded before the signature checks out).

The payload is signed, not encrypted: a finding id is not a secret. `id` is random per token and
is what the store consumes, so a token approves once however often it is presented. Nothing here
reads the clock: the caller passes `now`, so expiry is exact in tests.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from watchdog.policies.schema import Action

DEFAULT_VALIDITY = timedelta(hours=24)
MIN_SECRET_BYTES = 32  # as long as the HMAC-SHA256 output: shorter keys are guessable sooner
VERSION = 1
# Binds signatures to one use: a MAC made with the same key for anything else never verifies,
# so an approval link never resumes anything, nor a resume link approves.
Purpose = Literal["approve", "resume", "report"]
_CONTEXTS: dict[str, bytes] = {
    "approve": b"ai-watchdog approval link v1\n",
    "resume": b"ai-watchdog resume link v1\n",
    # Read-only: shows the savings report for a window; used as often as wanted until it ends.
    "report": b"ai-watchdog report link v1\n",
}
_MAX_REPORT_WINDOW = 10 * 366 * 86400  # seconds; a report of ten years is already enough
# Far above a real token (~170 characters); refuses oversized input before any decoding.
_MAX_TOKEN_CHARS = 1024
_B64URL = re.compile(r"[A-Za-z0-9_-]+")
_TOKEN_ID = re.compile(r"[0-9a-f]{32}")
# A stop, a delete or a park schedule is approved; a notify finding has nothing to approve.
_APPROVABLE: tuple[Action, ...] = ("stop", "delete", "park")

Reason = Literal["malformed", "bad-signature", "expired"]


@dataclass(frozen=True)
class TokenClaims:
    token_id: str
    finding_id: str
    action: Action
    expires_at: datetime  # UTC, whole seconds


class TokenInvalid(Exception):
    """The token must not be acted on. `reason` is for code and logs, the message for people.

    `claims` is set only when the signature was good and the token merely expired, so the page
    can name the finding to approve another way; it never authorises anything.
    """

    def __init__(self, reason: Reason, message: str, claims: TokenClaims | None = None) -> None:
        super().__init__(message)
        self.reason: Reason = reason
        self.message = message
        self.claims = claims


def link_secret(value: str | bytes) -> bytes:
    """The HMAC key from the WATCHDOG_LINK_SECRET setting, refused when too short to be safe."""
    key = value.encode() if isinstance(value, str) else value
    if len(key) < MIN_SECRET_BYTES:
        raise ValueError(
            f"WATCHDOG_LINK_SECRET must be at least {MIN_SECRET_BYTES} bytes (it has {len(key)});"
            " generate one with `python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
        )
    return key


def issue_token(
    secret: bytes,
    finding_id: str,
    action: str,
    expires_at: datetime,
    token_id: str | None = None,
    purpose: Purpose = "approve",
) -> str:
    """A token approving `action` on `finding_id` until `expires_at` (truncated to the second);
    with purpose "resume", one that resumes the parked finding instead."""
    key = link_secret(secret)
    if action not in _APPROVABLE:
        raise ValueError(f"only stop, delete or park can be approved by link, not {action!r}")
    if not finding_id:
        raise ValueError("finding_id must not be empty")
    token_id = secrets.token_hex(16) if token_id is None else token_id
    if not _TOKEN_ID.fullmatch(token_id):
        raise ValueError("token_id must be 32 lowercase hex characters")
    payload = {
        "v": VERSION,
        "id": token_id,
        "f": finding_id,
        "a": action,
        "exp": int(_aware(expires_at, "expires_at").timestamp()),
    }
    body = _encode(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    return f"{body}.{_encode(_sign(key, body, purpose))}"


def verify_token(
    secret: bytes, token: str, now: datetime, purpose: Purpose = "approve"
) -> TokenClaims:
    """The token's claims if it is well-formed, signed with `secret` and not expired at `now`.

    Raises TokenInvalid: "malformed" (not a token at all), "bad-signature" (forged, tampered or
    signed with another secret), "expired" (at or after its expiry).
    """
    moment = _aware(now, "now")
    claims = _claims(_decode(_signed_body(link_secret(secret), token, purpose)))
    if moment >= claims.expires_at:
        raise TokenInvalid(
            "expired",
            f"This link expired at {claims.expires_at:%Y-%m-%d %H:%M} UTC.",
            claims,
        )
    return claims


def approval_url(public_url: str, token: str) -> str:
    """The link to post: WATCHDOG_PUBLIC_URL plus the `/approve/{token}` route."""
    return f"{public_url.rstrip('/')}/approve/{token}"


def resume_url(public_url: str, token: str) -> str:
    """A parked finding's Resume now link: the `/resume/{token}` route."""
    return f"{public_url.rstrip('/')}/resume/{token}"


def issue_report_token(secret: bytes, window: timedelta, expires_at: datetime) -> str:
    """A read-only link to the savings report of the `window` before each opening, until
    `expires_at`. Nothing is consumed: it approves nothing and changes nothing."""
    key = link_secret(secret)
    seconds = int(window.total_seconds())
    if seconds <= 0:
        raise ValueError("the report's window must be positive")
    payload = {"v": VERSION, "r": seconds, "exp": int(_aware(expires_at, "expires_at").timestamp())}
    body = _encode(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    return f"{body}.{_encode(_sign(key, body, 'report'))}"


def verify_report_token(secret: bytes, token: str, now: datetime) -> timedelta:
    """The report window a report link shows, if it is this watchdog's and not expired."""
    moment = _aware(now, "now")
    raw = _decode(_signed_body(link_secret(secret), token, "report"))
    try:
        data = json.loads(raw) if raw is not None else None
    except (UnicodeDecodeError, ValueError):
        data = None
    if not isinstance(data, dict) or set(data) != {"v", "r", "exp"} or data["v"] != VERSION:
        raise _malformed()
    window, exp = data["r"], data["exp"]
    if type(window) is not int or type(exp) is not int or not 0 < window <= _MAX_REPORT_WINDOW:
        raise _malformed()
    if moment.timestamp() >= exp:
        raise TokenInvalid("expired", "This report link has expired: ask for a new one.")
    return timedelta(seconds=window)


def report_url(public_url: str, token: str) -> str:
    """The savings report's link: the `/report/{token}` route."""
    return f"{public_url.rstrip('/')}/report/{token}"


def _signed_body(key: bytes, token: str, purpose: Purpose) -> str:
    """The token's payload text, once its form and its signature for `purpose` check out. The
    signature is checked before the payload is decoded, in constant time."""
    if not token or len(token) > _MAX_TOKEN_CHARS or token.count(".") != 1:
        raise _malformed()
    body, signature_text = token.split(".")
    signature = _decode(signature_text)
    if signature is None or len(signature) != hashlib.sha256().digest_size:
        raise _malformed()
    if not hmac.compare_digest(signature, _sign(key, body, purpose)):
        raise TokenInvalid(
            "bad-signature", "This link was changed or was not issued by this watchdog."
        )
    return body


def _sign(key: bytes, body: str, purpose: Purpose = "approve") -> bytes:
    return hmac.new(key, _CONTEXTS[purpose] + body.encode("ascii"), hashlib.sha256).digest()


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes | None:
    """Strict unpadded base64url; None otherwise. The re-encoding must give back the same text,
    so no two spellings (unused trailing bits, stray characters) decode to the same bytes."""
    if not _B64URL.fullmatch(text):
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw if _encode(raw) == text else None


def _claims(raw: bytes | None) -> TokenClaims:
    # Only a payload signed with the key gets here, so a failure means a bug or a leaked key,
    # still never something to act on.
    try:
        data = json.loads(raw) if raw is not None else None
    except (UnicodeDecodeError, ValueError):
        data = None
    if not isinstance(data, dict) or set(data) != {"v", "id", "f", "a", "exp"}:
        raise _malformed()
    token_id, finding, action, exp = data["id"], data["f"], data["a"], data["exp"]
    if (
        data["v"] != VERSION
        or not isinstance(token_id, str)
        or not _TOKEN_ID.fullmatch(token_id)
        or not isinstance(finding, str)
        or not finding
        or action not in _APPROVABLE
        or type(exp) is not int
    ):
        raise _malformed()
    try:
        expires_at = datetime.fromtimestamp(exp, UTC)
    except (OverflowError, OSError, ValueError):
        raise _malformed() from None
    return TokenClaims(token_id=token_id, finding_id=finding, action=action, expires_at=expires_at)


def _malformed() -> TokenInvalid:
    return TokenInvalid("malformed", "This is not an approval link: it may have been cut short.")


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value.astimezone(UTC)
