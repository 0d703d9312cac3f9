"""Durations as people write them, and the JSON Schema editors use."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from watchdog.kinds import kind_names
from watchdog.policies import policy_json_schema
from watchdog.policies.schema import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("12h", timedelta(hours=12)),
        ("7d", timedelta(days=7)),
        ("2w", timedelta(weeks=2)),
        (" 7 d ", timedelta(days=7)),
        (timedelta(hours=1), timedelta(hours=1)),
    ],
)
def test_a_duration_reads_minutes_hours_days_and_weeks(text: object, expected: timedelta) -> None:
    assert parse_duration(text) == expected


# A bare number is refused: seconds to one reader, days to another.
@pytest.mark.parametrize("text", ["7", 7, 3600, "7 days", "1.5d", "-1d", "d", "", True, None])
def test_anything_else_is_not_a_duration(text: object) -> None:
    with pytest.raises(ValueError, match="expected a duration such as '30m'"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("value", "text"),
    [(timedelta(minutes=90), "90m"), (timedelta(hours=12), "12h"), (timedelta(hours=24), "1d")],
)
def test_a_duration_prints_in_its_largest_whole_unit(value: timedelta, text: str) -> None:
    assert format_duration(value) == text
    assert parse_duration(text) == value


def test_the_json_schema_is_json_and_names_every_kind() -> None:
    schema = json.loads(json.dumps(policy_json_schema()))

    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "ai-cost-watchdog policy file"
    resource = schema["$defs"]["Policy"]["properties"]["resource"]
    assert set(resource["items"]["enum"]) == set(kind_names())


def test_the_json_schema_documents_durations_and_times_as_they_are_written() -> None:
    defs = policy_json_schema()["$defs"]

    window = defs["IdleCondition"]["properties"]["window"]
    start = defs["ActionWindow"]["properties"]["start"]

    assert window["default"] == "7d" and "format" not in window
    assert defs["Approval"]["properties"]["grace"]["default"] == "1d"
    assert "format" not in start and start["pattern"].startswith("^")
