"""When each watched resource was last seen in use: what lets a run skip metric queries that
cannot change a decision (signals/memory.py).

A resource with traffic at T cannot be idle over a window W before T + W, so until then the
signals stage needs no GetMetricData query for it. The store keeps, per resource, the latest
such moment and a digest of the queries it was read from (a changed set of variants or
inference components reads other series, so an old moment proves nothing about them).

The same entry also keeps what the run's full reading found for the idle hold
(signals/quiet.py): the window it observed, the newest traffic and load datapoints in it. With
the places' QuietChecks (CloudWatch's ListMetrics listing no new traffic since), a later run
knows that reading still holds and need not query it again.

Losing an entry is always safe: the resource is simply queried again. An entry replaces the
stored one only if it is no older (`recorded_at`), so a slower concurrent run cannot put back
a reading that a later query has superseded; DynamoDB lets entries expire once no policy window
(63 days at most) could reach them.
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
    with a load metric, a load datapoint at or after it; None: no such proof), read from the
    queries whose digest is `queries` by the run at `recorded_at`.

    `observed_from` set: that run's query succeeded over the window from it to `recorded_at`,
    whose newest traffic datapoint above zero started at `traffic_at` and newest load datapoint
    at `load_at` (None: none in it). Unset: nothing is known for the idle hold."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    arn: str
    account: str
    region: str
    at: AwareDatetime | None
    queries: str
    recorded_at: AwareDatetime
    observed_from: AwareDatetime | None = None
    traffic_at: AwareDatetime | None = None
    load_at: AwareDatetime | None = None


class QuietCheck(BaseModel):
    """ListMetrics with RecentlyActive, asked of one metric in one (account, region) at every
    run from `covered_from` to `checked_at`, no two asks further apart than its window allows:
    every series of that metric published to in between was listed by one of them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    account: str
    region: str
    namespace: str
    metric: str
    covered_from: AwareDatetime
    checked_at: AwareDatetime


class ActivityLog(Protocol):
    def recall_activity(self, account: str, region: str) -> list[LastActive]:
        """Every entry of one (account, region), ordered by ARN."""

    def remember_activity(self, entries: Sequence[LastActive]) -> None:
        """Upsert by ARN: each entry replaces what was stored for its resource, unless that
        was recorded later."""

    def recall_checks(self, account: str, region: str) -> list[QuietCheck]:
        """Every check of one (account, region), ordered by namespace then metric."""

    def remember_checks(self, checks: Sequence[QuietCheck]) -> None:
        """Upsert by (account, region, namespace, metric)."""
