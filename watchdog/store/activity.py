"""When each watched resource was last seen in use: what lets a run skip metric queries that
cannot change a decision (signals/memory.py).

A resource with traffic at T cannot be idle over a window W before T + W, so until then the
signals stage needs no GetMetricData query for it. The store keeps, per resource, the latest
such moment and a digest of the queries it was read from (a changed set of variants or
inference components reads other series, so an old moment proves nothing about them).

Losing an entry is always safe: the resource is simply queried again. So the entries are
advisory, a write may be lost to a concurrent one (both are true facts, only of different
ages), and DynamoDB lets them expire once no policy window (63 days at most) could reach them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict

from watchdog.policies.schema import LONGEST_IDLE_WINDOW

# An entry older than the longest idle window a policy may ask for can never spare a query, so
# DynamoDB may forget it a day after.
KEEP_ACTIVITY = LONGEST_IDLE_WINDOW + timedelta(days=1)


class LastActive(BaseModel):
    """`arn` (lower-cased) had traffic in the metric period starting at `at` (and, for kinds
    with a load metric, a load datapoint at or after it), read from the queries whose digest
    is `queries`; recorded by the run at `recorded_at`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    arn: str
    account: str
    region: str
    at: AwareDatetime
    queries: str
    recorded_at: AwareDatetime


class ActivityLog(Protocol):
    def recall_activity(self, account: str, region: str) -> list[LastActive]:
        """Every entry of one (account, region), ordered by ARN."""

    def remember_activity(self, entries: Sequence[LastActive]) -> None:
        """Upsert by ARN: each entry replaces what was stored for its resource."""
