"""The audit log's items on the DynamoDB table, kept out of store.py.

An entry is stored in its UTC day's partition (AUDIT#<day>, sorted by time then id), so a day
reads newest-first in one query, beside a pointer from its id (AUDITID#<id>), so `get_audit`
needs no scan; the store writes the two in one transaction. Each day with entries is also an
item of AUDITDAYS, which `list_audit` walks newest-first. The entry itself is one JSON body.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from watchdog.store.base import AuditEntry
from watchdog.store.dynamodb import keys as k

Item = k.Item


def day_item(at: datetime, keep: timedelta) -> Item:
    """The AUDITDAYS item of `at`'s day, expiring `keep` after the day ends: no sooner than
    the last entry it leads to."""
    day = k.audit_day(at)
    day_end = datetime.fromisoformat(day).replace(tzinfo=UTC) + timedelta(days=1)
    return {**k.key(k.AUDIT_DAYS, day), "expires_at": k.ttl(day_end, keep)}


def entry_items(entry: AuditEntry, keep: timedelta) -> tuple[Item, Item]:
    """The entry's item and its id pointer, both expiring `keep` (Retention.audit) after the
    entry was made."""
    day = k.audit_day(entry.at)
    sk = k.audit_sk(entry.at, entry.id)
    expires = k.ttl(entry.at, keep)
    stored = {
        **k.key(k.audit_pk(day), sk),
        "body": k.s(entry.model_dump_json()),
        "expires_at": expires,
    }
    pointer = {
        **k.key(k.audit_id_pk(entry.id)),
        "day": k.s(day),
        "entry_sk": k.s(sk),
        "expires_at": expires,
    }
    return stored, pointer


def entry_key(pointer: Item) -> Item:
    """The key of the entry an AUDITID pointer points to."""
    return k.key(k.audit_pk(k.text(pointer, "day")), k.text(pointer, "entry_sk"))


def entry(item: Item) -> AuditEntry:
    return AuditEntry.model_validate_json(k.text(item, "body"))
