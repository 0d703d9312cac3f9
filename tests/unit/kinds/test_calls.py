"""AWS's several ways of saying a resource is gone, recognised in one place."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from watchdog.kinds._calls import EXISTS, is_gone, status_or_gone


def error(code: str, message: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "Describe")


@pytest.mark.parametrize(
    ("code", "message", "gone"),
    [
        ("ResourceNotFound", "Domain d-1 not found", True),
        ("ResourceNotFoundException", "Provisioned model not found", True),
        ("ValidationException", "Could not find endpoint 'x'.", True),
        ("ValidationException", "RecordNotFound", True),
        ("ValidationException", "Status (Stopping) not in ([InService])", False),
        ("ResourceInUse", "The space has apps", False),
        ("ThrottlingException", "Rate exceeded", False),
    ],
)
def test_is_gone(code: str, message: str, gone: bool) -> None:
    assert is_gone(error(code, message)) is gone


def test_status_or_gone() -> None:
    assert status_or_gone(lambda: {"Status": "Deleting"}, "Status") == "Deleting"
    assert status_or_gone(lambda: {"Name": "c"}, None) == EXISTS

    def missing() -> dict[str, str]:
        raise error("ValidationException", "Could not find model")

    assert status_or_gone(missing, "Status") is None

    def throttled() -> dict[str, str]:
        raise error("ThrottlingException", "Rate exceeded")

    with pytest.raises(ClientError):
        status_or_gone(throttled, "Status")
