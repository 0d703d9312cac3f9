"""When each resource was last active (store/activity.py) on the DynamoDB table, kept out of
store.py.

One item per resource in the partition of its (account, region) (`ACTIVITY#<account>#<region>`,
sort key: the lower-cased ARN, see keys.py), so a run, or one shard of a fanned-out run, reads
only its own places, one query each. An item expires KEEP_ACTIVITY after the moment it records:
by then no policy window can reach back to it. An older reading never replaces a newer one.

The places' quiet checks (signals/quiet.py) are one item per metric in `QUIET#<account>#<region>`
(sort key `<namespace>#<metric>`): a run reads its place's few checks in one more query.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from watchdog.store.activity import KEEP_ACTIVITY, LastActive, QuietCheck
from watchdog.store.base import time_key
from watchdog.store.dynamodb import keys as k
from watchdog.store.dynamodb.calls import ConditionFailed, TableCalls

Item = k.Item
# Writes in flight at once. All of a place's entries share one partition key, and a partition
# takes at most 1,000 write units a second (DynamoDB developer guide, "partitions"): four
# writes of about 10 ms each stay well under it, and under botocore's default pool of 10.
PUT_CONCURRENCY = 4


# An older reading does not replace a newer one: a slower concurrent run must not undo what
# a later query learnt (signals/quiet.py relies on the newest reading being the one kept).
NOT_OLDER = "attribute_not_exists(#pk) OR #recorded_at <= :recorded_at"


def activity_pk(account: str, region: str) -> str:
    return f"ACTIVITY#{account}#{region}"


def quiet_pk(account: str, region: str) -> str:
    return f"QUIET#{account}#{region}"


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
                self._put_not_older(entry)
            return
        with ThreadPoolExecutor(max_workers=PUT_CONCURRENCY) as pool:
            # list(): the first failing write raises here, as the loop did.
            list(pool.map(self._put_not_older, entries))

    def recall_checks(self, account: str, region: str) -> list[QuietCheck]:
        return [_check(item) for item in self._query(quiet_pk(account, region))]

    def remember_checks(self, checks: Sequence[QuietCheck]) -> None:
        for check in checks:  # a few per place: one per metric a kind counts traffic by
            self._put(_check_item(check))

    def _put_not_older(self, entry: LastActive) -> None:
        item = _item(entry)
        with contextlib.suppress(ConditionFailed):  # a later run's reading is already there
            self._put(item, NOT_OLDER, recorded_at=item["recorded_at"])


_TIMES = ("at", "observed_from", "traffic_at", "load_at")


def _item(entry: LastActive) -> Item:
    times = {name: getattr(entry, name) for name in _TIMES}
    return {
        **k.key(activity_pk(entry.account, entry.region), entry.arn),
        "account": k.s(entry.account),
        "region": k.s(entry.region),
        "queries": k.s(entry.queries),
        "recorded_at": k.s(time_key(entry.recorded_at)),
        **{name: k.s(time_key(at)) for name, at in times.items() if at is not None},
        # Kept while any policy window can reach back to what it proves.
        "expires_at": k.ttl(entry.recorded_at, KEEP_ACTIVITY),
    }


def _entry(item: Item) -> LastActive:
    return LastActive(
        arn=k.text(item, "sk"),
        account=k.text(item, "account"),
        region=k.text(item, "region"),
        queries=k.text(item, "queries"),
        recorded_at=k.time(item, "recorded_at"),
        **{name: k.optional_time(item, name) for name in _TIMES},
    )


def _check_item(check: QuietCheck) -> Item:
    return {
        **k.key(quiet_pk(check.account, check.region), f"{check.namespace}#{check.metric}"),
        "account": k.s(check.account),
        "region": k.s(check.region),
        "namespace": k.s(check.namespace),
        "metric": k.s(check.metric),
        "covered_from": k.s(time_key(check.covered_from)),
        "checked_at": k.s(time_key(check.checked_at)),
        "expires_at": k.ttl(check.checked_at, KEEP_ACTIVITY),
    }


def _check(item: Item) -> QuietCheck:
    return QuietCheck(
        account=k.text(item, "account"),
        region=k.text(item, "region"),
        namespace=k.text(item, "namespace"),
        metric=k.text(item, "metric"),
        covered_from=k.time(item, "covered_from"),
        checked_at=k.time(item, "checked_at"),
    )
