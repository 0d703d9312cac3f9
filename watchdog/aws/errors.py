"""How AWS failures are put into words, the same way in every stage's reports and logs."""

from __future__ import annotations

from botocore.exceptions import ClientError


def describe_error(error: BaseException) -> str:
    """A one-line account of an AWS failure, with its error code when AWS gave one."""
    if isinstance(error, ClientError):
        info = error.response.get("Error", {})
        return f"{info.get('Code', 'Error')}: {info.get('Message', str(error))}"
    return f"{type(error).__name__}: {error}"
