"""When each resource was last active (store/activity.py) on the DynamoDB table, kept out of
store.py.

One item per resource in the partition of its (account, region) (`ACTIVITY#<account>#<region>`,
sort key: the lower-cased ARN, see keys.py), so a run, or one shard of a fanned-out run, reads
only its own places, one query each. An item expires KEEP_ACTIVITY after the moment it records:
by then no policy window can reach back to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from watchdog.store.activity import KEEP_ACTIVITY, LastActive
from watchdog.store.base import time_key
from watchdog.store.dynamodb import keys as k
from watchdog.store.dynamodb.calls import TableCalls

Item = k.Item
# Writes in flight at once. All of a place's entries share one partition key, and a partition
# takes at most 1,000 write units a second (DynamoDB developer guide, "partitions"): four
# writes of about 10 ms each stay well under it, and under botocore's default pool of 10.
PUT_CONCURRENCY = 4


def activity_pk(account: str, region: str) -> str:
    return f"ACTIVITY#{account}#{region}"


class ActivityCalls(TableCalls):
    """The ActivityLog half of the Store protocol, on the table's calls."""

    def recall_activity(self, account: str, region: str) -> list[LastActive]:
        return [_entry(item) for item in self._query(activity_pk(account, region))]

    def remember_activity(self, entries: Sequence[LastActive]) -> None:
        # PutItem, one per entry: the deployed role grants it already (BatchWriteItem would be
        # a new IAM action), and after a resource's first run its entry changes rarely (only
        # when it is queried again, about once a policy window). A first run writes one per
        # busy resource, a thousand for a large fleet: overlapped, as the scan's reads are, so
        # a Lambda does not wait out a thousand round trips one after another.
        if len(entries) <= 1:
            for entry in entries:
                self._put(_item(entry))
            return
        with ThreadPoolExecutor(max_workers=PUT_CONCURRENCY) as pool:
            # list(): the first failing write raises here, as the loop did.
            list(pool.map(self._put, (_item(entry) for entry in entries)))


def _item(entry: LastActive) -> Item:
    return {
        **k.key(activity_pk(entry.account, entry.region), entry.arn),
        "account": k.s(entry.account),
        "region": k.s(entry.region),
        "at": k.s(time_key(entry.at)),
        "queries": k.s(entry.queries),
        "recorded_at": k.s(time_key(entry.recorded_at)),
        "expires_at": k.ttl(entry.at, KEEP_ACTIVITY),
    }


def _entry(item: Item) -> LastActive:
    return LastActive(
        arn=k.text(item, "sk"),
        account=k.text(item, "account"),
        region=k.text(item, "region"),
        at=k.time(item, "at"),
        queries=k.text(item, "queries"),
        recorded_at=k.time(item, "recorded_at"),
    )
