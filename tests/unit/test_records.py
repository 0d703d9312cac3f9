from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from watchdog.records import BillingMode, ResourceRecord


def test_committed_billing_describes_its_expiry_date() -> None:
    mode = BillingMode(mode="committed", committed_until=datetime(2027, 3, 1, tzinfo=UTC))
    assert mode.describe() == "committed until 2027-03-01"


def test_a_record_of_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValidationError):
        ResourceRecord(kind="ec2-instance", arn="a", name="n", account="1", region="r")  # type: ignore[arg-type]


def test_records_are_immutable_and_round_trip_through_json() -> None:
    original = ResourceRecord(
        kind="sagemaker-notebook-instance",
        arn="arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/nb",
        name="nb",
        account="123456789012",
        region="us-east-1",
        tags={"owner": "alice"},
        billing=BillingMode(mode="storage"),
    )
    with pytest.raises(ValidationError):
        original.name = "other"  # type: ignore[misc]
    assert ResourceRecord.model_validate_json(original.model_dump_json()) == original
