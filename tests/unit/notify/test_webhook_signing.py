"""Signing and verifying a webhook request: HMAC-SHA256 over `v1:{timestamp}:{body}`."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

import pytest

from watchdog.notify.webhook_signing import (
    EVENT_ID,
    SIGNATURE,
    TIMESTAMP,
    sign,
    signed_headers,
    verify,
)

SECRET = "0123456789abcdef0123456789abcdef"
BODY = b'{"id":"evt-1","type":"finding.opened"}'
STAMP = 1_795_000_000


def test_the_signature_is_hmac_sha256_over_version_timestamp_and_body() -> None:
    expected = hmac.new(SECRET.encode(), b"v1:1795000000:" + BODY, hashlib.sha256).hexdigest()

    assert sign(SECRET, STAMP, BODY) == f"v1={expected}"
    assert sign(SECRET.encode(), str(STAMP), BODY) == f"v1={expected}"


def test_the_headers_carry_signature_timestamp_and_event_id() -> None:
    headers = signed_headers(SECRET, BODY, "evt-1", STAMP)

    assert headers == {
        "Content-Type": "application/json",
        SIGNATURE: sign(SECRET, STAMP, BODY),
        TIMESTAMP: "1795000000",
        EVENT_ID: "evt-1",
    }
    assert (SIGNATURE, TIMESTAMP, EVENT_ID) == (
        "X-Watchdog-Signature",
        "X-Watchdog-Timestamp",
        "X-Watchdog-Event-Id",
    )


def test_a_good_signature_within_five_minutes_verifies() -> None:
    signature = sign(SECRET, STAMP, BODY)

    assert verify(SECRET, str(STAMP), BODY, signature, STAMP + 300)
    assert verify(SECRET, str(STAMP), BODY, signature, STAMP - 300)
    assert verify(SECRET.encode(), str(STAMP), BODY, signature, datetime.fromtimestamp(STAMP, UTC))


@pytest.mark.parametrize(
    ("timestamp", "body", "now"),
    [
        (str(STAMP), BODY + b" ", STAMP),  # body changed
        (str(STAMP + 1), BODY, STAMP),  # timestamp changed
        (str(STAMP), BODY, STAMP + 301),  # too old
        (str(STAMP), BODY, STAMP - 301),  # from the future
        ("", BODY, STAMP),
        (None, BODY, STAMP),
        ("-1795000000", BODY, STAMP),
        ("1795000000.0", BODY, STAMP),
        ("١٧٩٥٠٠٠٠٠٠", BODY, STAMP),  # digits, but not ASCII ones
    ],
)
def test_anything_changed_or_stale_does_not_verify(
    timestamp: str | None, body: bytes, now: float
) -> None:
    assert not verify(SECRET, timestamp, body, sign(SECRET, STAMP, BODY), now)


@pytest.mark.parametrize(
    "signature",
    [None, "", "v1=", "v0=" + "0" * 64, sign("another secret of 32 bytes or more", STAMP, BODY)],
)
def test_a_missing_or_foreign_signature_does_not_verify(signature: str | None) -> None:
    assert not verify(SECRET, str(STAMP), BODY, signature, STAMP)


def test_the_tolerance_can_be_narrowed() -> None:
    signature = sign(SECRET, STAMP, BODY)

    assert not verify(SECRET, str(STAMP), BODY, signature, STAMP + 61, tolerance=60)
