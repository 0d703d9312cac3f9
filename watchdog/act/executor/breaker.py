"""The circuit breaker: after too many failed steps, or a throttling storm the SDK's retries did
not absorb, the executor stops acting for the rest of the run. No runaway deletes."""

from __future__ import annotations

from dataclasses import dataclass

from botocore.exceptions import ClientError

THROTTLING_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "SlowDown",
    }
)


def is_throttling(error: BaseException) -> bool:
    if not isinstance(error, ClientError):
        return False
    return error.response.get("Error", {}).get("Code", "") in THROTTLING_CODES


@dataclass
class Breaker:
    max_failures: int
    max_throttles: int
    failures: int = 0
    throttles: int = 0

    def record_failure(self, error: BaseException | None = None) -> None:
        self.failures += 1
        if error is not None and is_throttling(error):
            self.throttles += 1

    def record_throttle(self) -> None:
        self.throttles += 1

    @property
    def open(self) -> bool:
        return self.failures >= self.max_failures or self.throttles >= self.max_throttles

    def why(self) -> str:
        if self.throttles >= self.max_throttles:
            return (
                f"AWS throttled {self.throttles} calls after retries: stopped acting for this "
                "run; the next run continues"
            )
        return (
            f"{self.failures} steps failed: stopped acting for this run so nothing runs away; "
            "fix the cause (see the failed steps) and run again"
        )
