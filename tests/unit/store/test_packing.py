"""A finding's body packs under a DynamoDB write unit and reads back exactly."""

from __future__ import annotations

import zlib

import pytest

from tests.functional.store.conftest import finding
from watchdog.store.dynamodb.packing import CURRENT, pack, unpack


def test_a_finding_packs_to_a_fraction_and_reads_back() -> None:
    saved = finding("bench-ep-00024").model_dump_json()
    packed = pack(saved)
    assert packed[0] == CURRENT
    assert unpack(packed) == saved
    # The dictionary earns its keep: well under plain zlib, which is already under the text.
    assert len(packed) < len(zlib.compress(saved.encode())) / 2


def test_a_body_packed_with_a_dictionary_this_version_lacks_is_refused_plainly() -> None:
    """A newer version's body, read by this one: said, not misread."""
    with pytest.raises(ValueError, match="dictionary 2"):
        unpack(bytes([2]) + zlib.compress(b"{}"))


def test_text_unlike_any_finding_round_trips() -> None:
    text = "\u00e9t\u00e9 \U0001f600 " * 500 + "".join(chr(c) for c in range(32, 127))
    assert unpack(pack(text)) == text
    assert unpack(pack("")) == ""
