"""The store's models and time keys: what both backends rely on to compare and sort."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from watchdog.store import AuditEntry
from watchdog.store.base import (
    FINAL_STEP_STATES,
    RECLAIMABLE_STEP_STATES,
    from_time_key,
    time_key,
)

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def test_time_keys_are_fixed_width_utc_and_sort_like_times() -> None:
    times = [
        NOW,
        NOW + timedelta(microseconds=1),
        NOW.astimezone(timezone(timedelta(hours=-8))) + timedelta(seconds=1),
        datetime(2027, 1, 1, tzinfo=UTC),
    ]
    keys = [time_key(t) for t in times]

    assert keys[0] == "2026-11-24T12:00:00.000000Z"
    assert len({len(key) for key in keys}) == 1
    assert sorted(keys) == keys
    assert [from_time_key(key) for key in keys] == times


def test_a_naive_time_has_no_key() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        time_key(datetime(2026, 11, 24, 12, 0))


def _entry(description: object, **fields: object) -> AuditEntry:
    return AuditEntry.model_validate(
        {
            "id": "au-1",
            "at": NOW,
            "run_id": "r-1",
            "finding_id": "f-1",
            "op": "sagemaker:DeleteEndpoint",
            "target_arn": "arn:aws:sagemaker:us-east-1:111122223333:endpoint/llm",
            "account": "111122223333",
            "region": "us-east-1",
            "outcome": "done",
            "description": description,
            **fields,
        }
    )


def test_a_boto3_description_is_stored_as_json_with_iso_times() -> None:
    entry = _entry({"EndpointName": "llm", "CreationTime": NOW, "Nested": [{"At": NOW}]})

    assert entry.description == {
        "EndpointName": "llm",
        "CreationTime": "2026-11-24T12:00:00+00:00",
        "Nested": [{"At": "2026-11-24T12:00:00+00:00"}],
    }
    assert AuditEntry.model_validate_json(entry.model_dump_json()) == entry


def test_a_description_json_cannot_hold_is_refused() -> None:
    with pytest.raises(ValidationError, match="JSON-serialisable"):
        _entry({"Body": object()})


def test_audit_times_must_be_aware() -> None:
    with pytest.raises(ValidationError):
        _entry({}, at=NOW.replace(tzinfo=None))


def test_a_parked_step_is_reclaimable_and_not_final() -> None:
    assert "parked" in RECLAIMABLE_STEP_STATES
    assert "parked" not in FINAL_STEP_STATES
