"""Approval-link tokens: a round trip, and every way a token must be refused."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from watchdog.approvals.tokens import (
    TokenInvalid,
    _sign,
    approval_url,
    issue_token,
    link_secret,
    verify_token,
)

SECRET = b"s" * 32
OTHER = b"o" * 32
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
EXP = NOW + timedelta(hours=24)
TOKEN_ID = "0123456789abcdef0123456789abcdef"


def token(**fields: object) -> str:
    args: dict[str, object] = {"finding_id": "f-1", "action": "delete", "expires_at": EXP}
    return issue_token(SECRET, **(args | fields))  # type: ignore[arg-type]


def reason(text: str, secret: bytes = SECRET, now: datetime = NOW) -> str:
    with pytest.raises(TokenInvalid) as refused:
        verify_token(secret, text, now)
    return refused.value.reason


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_a_token_round_trips_its_claims() -> None:
    claims = verify_token(SECRET, token(token_id=TOKEN_ID), NOW)

    assert claims.token_id == TOKEN_ID
    assert claims.finding_id == "f-1"
    assert claims.action == "delete"
    assert claims.expires_at == EXP


def test_a_token_is_url_safe_compact_and_random_per_issue() -> None:
    first, second = token(), token()

    assert first != second
    assert verify_token(SECRET, first, NOW).token_id != verify_token(SECRET, second, NOW).token_id
    assert len(first) < 200
    assert set(first) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


def test_expiry_is_truncated_to_the_second_and_any_zone_is_accepted() -> None:
    eastern = (EXP + timedelta(microseconds=900)).astimezone(datetime.now(UTC).astimezone().tzinfo)
    assert verify_token(SECRET, token(expires_at=eastern), NOW).expires_at == EXP


def test_a_token_signed_with_another_secret_is_forged() -> None:
    assert reason(issue_token(OTHER, "f-1", "delete", EXP)) == "bad-signature"


def test_a_payload_built_by_hand_without_the_secret_is_forged() -> None:
    payload = b64(
        json.dumps({"v": 1, "id": TOKEN_ID, "f": "f-1", "a": "delete", "exp": 2**31}).encode()
    )
    assert reason(f"{payload}.{b64(b'x' * 32)}") == "bad-signature"


def test_changing_the_payload_is_tampering() -> None:
    body, signature = token().split(".")
    original = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    for change in ({"a": "stop"}, {"f": "f-2"}, {"exp": original["exp"] + 86400}):
        forged_body = b64(json.dumps(original | change, separators=(",", ":")).encode())
        assert reason(f"{forged_body}.{signature}") == "bad-signature", change


@pytest.mark.parametrize("part", [0, 1])
def test_flipping_one_character_of_either_part_is_refused(part: int) -> None:
    pieces = token().split(".")
    text = pieces[part]
    flipped = ("B" if text[5] == "A" else "A").join((text[:5], text[6:]))
    pieces[part] = flipped
    assert reason(".".join(pieces)) == "bad-signature"


def test_a_second_spelling_of_the_same_signature_bytes_is_malformed() -> None:
    body, signature = token().split(".")
    # 32 bytes use 2 of the last character's 6 bits; setting an unused bit keeps the bytes.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet[alphabet.index(signature[-1]) ^ 1]
    assert last != signature[-1]
    assert reason(f"{body}.{signature[:-1]}{last}") == "malformed"


def test_a_token_expires_at_exactly_its_expiry() -> None:
    text = token()
    assert verify_token(SECRET, text, EXP - timedelta(seconds=1)).finding_id == "f-1"
    for later in (EXP, EXP + timedelta(days=3)):
        with pytest.raises(TokenInvalid) as refused:
            verify_token(SECRET, text, later)
        assert refused.value.reason == "expired"
        # A genuine token that merely expired still names its finding, for the page.
        assert refused.value.claims is not None
        assert refused.value.claims.finding_id == "f-1"


def test_a_forged_token_is_refused_as_forged_even_when_it_claims_to_be_expired() -> None:
    old = issue_token(OTHER, "f-1", "delete", NOW - timedelta(days=1))
    assert reason(old) == "bad-signature"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "a.b.c",
        ".",
        "abc.",
        ".abc",
        "a b.c",
        "abc.!!!",
        "abc.def=",
        "abc+/.def",
        "x" * 2000 + "." + "y" * 43,
        "YQ.YQ",  # valid base64url, but a 1-byte signature
    ],
)
def test_malformed_input_is_refused_without_decoding(text: str) -> None:
    assert reason(text) == "malformed"


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"\xff\xfe",
        b"[]",
        b'{"v":2,"id":"0123456789abcdef0123456789abcdef","f":"f-1","a":"delete","exp":1}',
        b'{"v":1,"id":"short","f":"f-1","a":"delete","exp":1}',
        b'{"v":1,"id":"0123456789abcdef0123456789abcdef","f":"","a":"delete","exp":1}',
        b'{"v":1,"id":"0123456789abcdef0123456789abcdef","f":"f-1","a":"notify","exp":1}',
        b'{"v":1,"id":"0123456789abcdef0123456789abcdef","f":"f-1","a":"delete","exp":"1"}',
        b'{"v":1,"id":"0123456789abcdef0123456789abcdef","f":"f-1","a":"delete","exp":true}',
        b'{"v":1,"id":"0123456789abcdef0123456789abcdef","f":"f-1","a":"delete","exp":1e99}',
        b'{"v":1,"id":"0123456789abcdef0123456789abcdef","f":"f-1","a":"delete","exp":1,"x":1}',
    ],
)
def test_a_signed_but_unexpected_payload_is_malformed(payload: bytes) -> None:
    # Signed with the real secret, as a bug or a leaked key would: still never acted on.
    body = b64(payload)
    assert reason(f"{body}.{b64(_sign(SECRET, body))}") == "malformed"


def test_a_short_secret_is_refused_with_a_clear_error() -> None:
    with pytest.raises(ValueError, match="WATCHDOG_LINK_SECRET must be at least 32 bytes"):
        issue_token(b"short", "f-1", "delete", EXP)
    with pytest.raises(ValueError, match="WATCHDOG_LINK_SECRET"):
        verify_token(b"x" * 31, token(), NOW)
    assert link_secret("k" * 32) == b"k" * 32


def test_only_stop_delete_or_park_can_be_issued() -> None:
    with pytest.raises(ValueError, match="only stop, delete or park"):
        token(action="notify")
    assert verify_token(SECRET, token(action="stop"), NOW).action == "stop"
    # A park schedule is approved once, by link as by button.
    assert verify_token(SECRET, token(action="park"), NOW).action == "park"


def test_naive_times_and_odd_token_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        token(expires_at=EXP.replace(tzinfo=None))
    with pytest.raises(ValueError, match="timezone-aware"):
        verify_token(SECRET, token(), NOW.replace(tzinfo=None))
    with pytest.raises(ValueError, match="token_id"):
        token(token_id="ABC")


def test_the_url_joins_the_public_url_and_the_route() -> None:
    assert approval_url("https://w.example.com/", "t.s") == "https://w.example.com/approve/t.s"
    assert approval_url("https://w.example.com/x", "t.s") == "https://w.example.com/x/approve/t.s"
