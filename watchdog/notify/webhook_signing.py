"""How a webhook request is signed, and how its receiver checks it (Slack's scheme, our names).

The signature is HMAC-SHA256, keyed with WATCHDOG_WEBHOOK_SECRET, over the base string
`v1:{timestamp}:{body}`: the `X-Watchdog-Timestamp` header (unix seconds, when the request was
sent) and the request body exactly as received, bytes untouched. It travels as
`X-Watchdog-Signature: v1=<hex>`. A receiver recomputes it, compares in constant time, and
refuses a timestamp more than five minutes from its own clock, so a request captured on the way
cannot be replayed later. `X-Watchdog-Event-Id` repeats the event's id, for deduplication.

Standard library only: a receiver may copy `verify` as it is.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

VERSION = "v1"
SIGNATURE = "X-Watchdog-Signature"
TIMESTAMP = "X-Watchdog-Timestamp"
EVENT_ID = "X-Watchdog-Event-Id"
TOLERANCE_SECONDS = 300


def _key(secret: str | bytes) -> bytes:
    return secret.encode() if isinstance(secret, str) else secret


def sign(secret: str | bytes, timestamp: int | str, body: bytes) -> str:
    """`v1=<hex>`: the signature of `body` sent at `timestamp` (unix seconds)."""
    base = f"{VERSION}:{timestamp}:".encode() + body
    return f"{VERSION}=" + hmac.new(_key(secret), base, hashlib.sha256).hexdigest()


def signed_headers(
    secret: str | bytes, body: bytes, event_id: str, timestamp: int
) -> dict[str, str]:
    """The headers of one request: JSON, its signature, its timestamp and its event id."""
    return {
        "Content-Type": "application/json",
        SIGNATURE: sign(secret, timestamp, body),
        TIMESTAMP: str(timestamp),
        EVENT_ID: event_id,
    }


def verify(
    secret: str | bytes,
    timestamp: str | None,
    body: bytes,
    signature: str | None,
    now: datetime | float,
    tolerance: float = TOLERANCE_SECONDS,
) -> bool:
    """Whether `signature` signs `body` at `timestamp` with `secret`, and `timestamp` is within
    `tolerance` seconds of `now` (a datetime, or unix seconds). Headers missing: False."""
    if not timestamp or not signature or not timestamp.isascii() or not timestamp.isdigit():
        return False
    moment = now.timestamp() if isinstance(now, datetime) else now
    if abs(moment - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.encode())
