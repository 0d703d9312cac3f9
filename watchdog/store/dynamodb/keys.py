"""The single-table key design, and turning DynamoDB items into the store's models.

    pk                      sk                      what
    FINDINGS                <finding id>            a finding (one partition: listable by query)
    APPROVAL#<finding id>   <approval id>           an approval for that finding
    TOKEN#<token id>        META                    a consumed approval-link token
    CLICK#<click key>       META                    a Slack click already acted on
    STEP#<step id>          META                    step progress; also in index gsi1 under
                                                    gsi1pk STEPS#<finding id>, gsi1sk <step id>
    PLAN#<finding id>       META                    the teardown plan of its latest execution
    MESSAGES                <finding id>            the Slack message announcing that finding
                                                    (one partition: listable by query)
    AUDITDAYS               <YYYY-MM-DD>            a day that has audit entries (newest-first walk)
    AUDIT#<YYYY-MM-DD>      <time key>#<audit id>   an audit entry, partitioned by UTC day
    AUDITID#<audit id>      META                    pointer from an audit id to its day and sk
    CACHE#<key>             META                    a cache entry
    ACTIVITY#<acct>#<region> <arn, lower-cased>     when that resource was last active
    LOCK#<name>             META                    a lock

Times are fixed-width UTC text (base.time_key), so sort keys order by time and conditions
compare them as strings. A finding's body is packed binary (packing.py): every run writes
every open finding again, and DynamoDB bills a write by the item's size in whole KB.
`expires_at` (epoch seconds) is the table's TTL attribute.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from watchdog.findings import Finding
from watchdog.store.base import (
    Approval,
    StepRecord,
    StoredFinding,
    from_time_key,
    time_key,
    utc,
)
from watchdog.store.dynamodb.packing import pack, unpack

Item = dict[str, Any]
META = "META"
FINDINGS = "FINDINGS"
MESSAGES = "MESSAGES"
AUDIT_DAYS = "AUDITDAYS"


def key(pk: str, sk: str = META) -> Item:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def approval_pk(finding_id: str) -> str:
    return f"APPROVAL#{finding_id}"


def token_pk(token_id: str) -> str:
    return f"TOKEN#{token_id}"


def interaction_pk(key: str) -> str:
    return f"CLICK#{key}"


def step_pk(step_id: str) -> str:
    return f"STEP#{step_id}"


def steps_of(finding_id: str) -> str:
    return f"STEPS#{finding_id}"


def plan_pk(finding_id: str) -> str:
    return f"PLAN#{finding_id}"


def audit_day(at: datetime) -> str:
    return utc(at).strftime("%Y-%m-%d")


def audit_pk(day: str) -> str:
    return f"AUDIT#{day}"


def audit_sk(at: datetime, audit_id: str) -> str:
    return f"{time_key(at)}#{audit_id}"


def audit_id_pk(audit_id: str) -> str:
    return f"AUDITID#{audit_id}"


def cache_pk(cache_key: str) -> str:
    return f"CACHE#{cache_key}"


def lock_pk(name: str) -> str:
    return f"LOCK#{name}"


def s(value: str) -> Item:
    return {"S": value}


def n(value: int) -> Item:
    return {"N": str(value)}


def ttl(at: datetime, keep: timedelta) -> Item:
    """The TTL attribute's value: DynamoDB deletes the item some time after `at + keep`."""
    return n(int((utc(at) + keep).timestamp()))


def packed(value: str) -> Item:
    """`value` packed (packing.py) as a binary attribute, which DynamoDB counts by its raw
    bytes, not the base64 sent on the wire (item sizes:
    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html)."""
    return {"B": pack(value)}


def unpacked(item: Item, name: str) -> str:
    """What `packed` stored, or the text items written before it existed."""
    value = item[name]
    if "B" in value:
        return unpack(value["B"])
    return text(item, name)


def text(item: Item, name: str) -> str:
    value: str = item[name]["S"]
    return value


def optional_text(item: Item, name: str) -> str | None:
    value = item.get(name)
    return None if value is None or "NULL" in value else text(item, name)


def time(item: Item, name: str) -> datetime:
    return from_time_key(text(item, name))


def optional_time(item: Item, name: str) -> datetime | None:
    value = optional_text(item, name)
    return None if value is None else from_time_key(value)


def stored_finding(item: Item) -> StoredFinding:
    # model_validate, not the constructor: the Literal fields are checked at run time.
    return StoredFinding.model_validate(
        {
            "finding": Finding.model_validate_json(unpacked(item, "body")),
            "first_seen": time(item, "first_seen"),
            "last_seen": time(item, "last_seen"),
            "last_run_id": text(item, "last_run_id"),
            "state": text(item, "state"),
            "state_detail": text(item, "state_detail"),
            "state_changed_at": time(item, "state_changed_at"),
            "state_until": optional_time(item, "state_until"),
        }
    )


def approval(item: Item) -> Approval:
    return Approval.model_validate(
        {
            "id": text(item, "sk"),
            "finding_id": text(item, "finding_id"),
            "action": text(item, "action"),
            "approver": text(item, "approver"),
            "via": text(item, "via"),
            "created_at": time(item, "created_at"),
            "expires_at": time(item, "approval_expires"),
            "consumed_at": optional_time(item, "consumed_at"),
        }
    )


def step(item: Item) -> StepRecord:
    return StepRecord.model_validate(
        {
            "step_id": text(item, "step_id"),
            "finding_id": text(item, "finding_id"),
            "run_id": text(item, "run_id"),
            "state": text(item, "state"),
            "attempts": int(item["attempts"]["N"]),
            "claimed_until": optional_time(item, "claimed_until"),
            "detail": text(item, "detail"),
            "updated_at": time(item, "updated_at"),
            "previous_state": optional_text(item, "previous_state"),
            "holder": optional_text(item, "holder") or "",
        }
    )
