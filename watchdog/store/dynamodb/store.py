"""The DynamoDB store: one table, for the Lambda (which has no durable disk).

Writes that must not race are condition expressions evaluated by DynamoDB itself, so two
concurrent Lambdas (or a Lambda and a CLI) get the same guarantees as SQLite's transactions.
Reads that decide anything are strongly consistent; only `list_steps` (a global secondary index,
for reports: the executor decides with `claim_step`/`get_step`) is eventually consistent. Old
records expire through the table's TTL (`Retention`); items fit DynamoDB's 400 KB easily.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import structlog

from watchdog.cache import CacheEntry, JSONValue
from watchdog.findings import Finding
from watchdog.policies.schema import Action
from watchdog.store.base import (
    RECLAIMABLE_STEP_STATES,
    Approval,
    AuditEntry,
    FindingState,
    MarkState,
    PostedMessage,
    Retention,
    StepRecord,
    StoreConflict,
    StoredFinding,
    StoreNotFound,
    StoreUnavailable,
    TeardownPlan,
    step_conflict,
    time_key,
)
from watchdog.store.dynamodb import audit as audit
from watchdog.store.dynamodb import keys as k
from watchdog.store.dynamodb import messages as messages
from watchdog.store.dynamodb import plans as plans
from watchdog.store.dynamodb.activity import ActivityCalls
from watchdog.store.dynamodb.calls import ConditionFailed
from watchdog.store.dynamodb.table import STEPS_INDEX

log = structlog.get_logger(__name__)

# Lock items outlive their lease a little; the condition, not the TTL, decides expiry.
LOCK_TTL_MARGIN = timedelta(days=1)
# claim_step's condition, one value per reclaimable state (:reclaim0, ...).
_RECLAIMABLE = {f"reclaim{i}": k.s(state) for i, state in enumerate(RECLAIMABLE_STEP_STATES)}
_RECLAIMABLE_IN = ", ".join(f":{name}" for name in _RECLAIMABLE)


class DynamoStore(ActivityCalls):
    """The Store protocol on one DynamoDB table (keys.py: the key design; calls.py: the
    calls, with their error mapping; activity.py: when each resource was last active)."""

    def __init__(self, client: Any, table: str, retention: Retention | None = None) -> None:
        super().__init__(client, table)
        self.retention = retention or Retention()

    def close(self) -> None:
        """Nothing to release: boto3 clients hold no per-store resources."""

    # Findings.
    def save_findings(self, run_id: str, findings: Sequence[Finding], now: datetime) -> None:
        """One conditional-free update per finding: `if_not_exists` keeps first_seen and the
        state from the first save, so a repeated save is harmless."""
        at = k.s(time_key(now))
        for finding in findings:
            self._update(
                k.key(k.FINDINGS, finding.id),
                "SET #body = :body, #last_seen = :now, #last_run_id = :run, "
                "#first_seen = if_not_exists(#first_seen, :now), "
                "#state = if_not_exists(#state, :open), "
                "#state_detail = if_not_exists(#state_detail, :empty), "
                "#state_changed_at = if_not_exists(#state_changed_at, :now)",
                None,
                body=k.packed(finding.model_dump_json()),
                now=at,
                run=k.s(run_id),
                open=k.s("open"),
                empty=k.s(""),
            )

    def get_finding(self, finding_id: str) -> StoredFinding | None:
        item = self._get(k.key(k.FINDINGS, finding_id))
        return None if item is None else k.stored_finding(item)

    def set_finding_state(
        self,
        finding_id: str,
        state: FindingState,
        detail: str,
        now: datetime,
        until: datetime | None = None,
    ) -> None:
        update = "SET #state = :state, #state_detail = :detail, #state_changed_at = :now"
        values: dict[str, Any] = {}  # Any: also passed as **kwargs beside `returns`
        if until is None:
            update += " REMOVE #state_until"  # the new state lasts until changed
        else:
            update += ", #state_until = :until"
            values["until"] = k.s(time_key(until))
        try:
            self._update(
                k.key(k.FINDINGS, finding_id),
                update,
                "attribute_exists(#pk)",
                state=k.s(state),
                detail=k.s(detail),
                now=k.s(time_key(now)),
                **values,
            )
        except ConditionFailed:
            raise StoreNotFound(f"finding {finding_id} is not in the store") from None

    def list_findings(self, states: set[str] | None = None) -> list[StoredFinding]:
        items = self._query(k.FINDINGS)
        return [
            k.stored_finding(item)
            for item in items
            if states is None or k.text(item, "state") in states
        ]

    # Approvals.
    def add_approval(self, approval: Approval) -> None:
        a = approval
        item = {
            **k.key(k.approval_pk(a.finding_id), a.id),
            "finding_id": k.s(a.finding_id),
            "action": k.s(a.action),
            "approver": k.s(a.approver),
            "via": k.s(a.via),
            "created_at": k.s(time_key(a.created_at)),
            "approval_expires": k.s(time_key(a.expires_at)),
            "expires_at": k.ttl(a.expires_at, self.retention.approvals),
        }
        if a.consumed_at is not None:
            item["consumed_at"] = k.s(time_key(a.consumed_at))
        try:
            self._put(item, "attribute_not_exists(#pk)")
        except ConditionFailed:
            raise StoreConflict(f"approval {a.id} already exists") from None

    def consume_approval(self, finding_id: str, action: Action, now: datetime) -> Approval | None:
        at = time_key(now)
        for candidate in plans.valid_approvals(self._query(k.approval_pk(finding_id)), action, now):
            try:
                item = self._update(
                    k.key(k.approval_pk(finding_id), k.text(candidate, "sk")),
                    "SET #consumed_at = :now",
                    "attribute_not_exists(#consumed_at) AND #approval_expires > :now",
                    returns=True,
                    now=k.s(at),
                )
            except ConditionFailed:
                continue  # another consumer won this one; try the next
            return k.approval(item)
        return None

    def pending_approval(self, finding_id: str, action: Action, now: datetime) -> Approval | None:
        valid = plans.valid_approvals(self._query(k.approval_pk(finding_id)), action, now)
        return k.approval(valid[0]) if valid else None

    def consume_token(self, token_id: str, now: datetime) -> bool:
        try:
            self._put(
                {
                    **k.key(k.token_pk(token_id)),
                    "consumed_at": k.s(time_key(now)),
                    "expires_at": k.ttl(now, self.retention.tokens),
                },
                "attribute_not_exists(#pk)",
            )
        except ConditionFailed:
            return False
        return True

    def claim_interaction(self, key: str, now: datetime) -> bool:
        try:
            self._put(
                {
                    **k.key(k.interaction_pk(key)),
                    "seen_at": k.s(time_key(now)),
                    "expires_at": k.ttl(now, self.retention.interactions),
                },
                "attribute_not_exists(#pk)",
            )
        except ConditionFailed:
            return False
        return True

    # Step progress.
    def claim_step(
        self,
        step_id: str,
        finding_id: str,
        run_id: str,
        now: datetime,
        lease: timedelta,
        *,
        holder: str = "",
        gone_run: str | None = None,
    ) -> StepRecord | None:
        try:
            item = self._update(
                k.key(k.step_pk(step_id)),
                "SET #previous_state = if_not_exists(#state, :none), #state = :claimed, "
                "#attempts = if_not_exists(#attempts, :zero) + :one, "
                "#step_id = :step, #finding_id = :finding, #run_id = :run, "
                "#claimed_until = :until, #detail = :empty, #updated_at = :now, "
                "#holder = :holder, #gsi1pk = :steps_of, #gsi1sk = :step",
                f"attribute_not_exists(#pk) OR (#state IN ({_RECLAIMABLE_IN}) "
                "AND (attribute_not_exists(#claimed_until) OR #claimed_until < :now "
                "OR #run_id = :gone))",
                returns=True,
                none={"NULL": True},
                claimed=k.s("claimed"),
                zero=k.n(0),
                one=k.n(1),
                step=k.s(step_id),
                finding=k.s(finding_id),
                run=k.s(run_id),
                holder=k.s(holder),
                # A run id is never empty, so "" takes over nobody's lease.
                gone=k.s(gone_run or ""),
                until=k.s(time_key(now + lease)),
                empty=k.s(""),
                now=k.s(time_key(now)),
                steps_of=k.s(k.steps_of(finding_id)),
                **_RECLAIMABLE,
            )
        except ConditionFailed:
            return None
        return k.step(item)

    def mark_step(
        self, step_id: str, run_id: str, state: MarkState, detail: str, now: datetime
    ) -> None:
        update = "SET #state = :state, #detail = :detail, #updated_at = :now"
        values: dict[str, Any] = {}  # Any: also passed as **kwargs beside `returns`
        if state in ("done", "cancelled"):
            update += ", #expires_at = :ttl"
            values["ttl"] = k.ttl(now, self.retention.finished_steps)
        if state != "started":
            update += " REMOVE #claimed_until"
        try:
            self._update(
                k.key(k.step_pk(step_id)),
                update,
                "attribute_exists(#pk) AND #run_id = :run AND NOT (#state IN (:done, :cancelled))",
                state=k.s(state),
                detail=k.s(detail),
                now=k.s(time_key(now)),
                run=k.s(run_id),
                done=k.s("done"),
                cancelled=k.s("cancelled"),
                **values,
            )
        except ConditionFailed:
            raise StoreConflict(step_conflict(step_id, run_id, self.get_step(step_id))) from None

    def get_step(self, step_id: str) -> StepRecord | None:
        item = self._get(k.key(k.step_pk(step_id)))
        return None if item is None else k.step(item)

    def list_steps(self, finding_id: str) -> list[StepRecord]:
        return [k.step(item) for item in self._query(k.steps_of(finding_id), index=STEPS_INDEX)]

    # Plans.
    def save_plan(self, plan: TeardownPlan) -> None:
        self._put(plans.plan_item(plan, self.retention.plans))  # unconditional: an upsert

    def get_plan(self, finding_id: str) -> TeardownPlan | None:
        item = self._get(k.key(k.plan_pk(finding_id)))
        return None if item is None else plans.plan(item)

    # Slack messages (the items are built in messages.py).
    def save_message(self, message: PostedMessage) -> None:
        self._put(messages.message_item(message, self.retention.messages))  # an upsert

    def get_message(self, finding_id: str) -> PostedMessage | None:
        item = self._get(k.key(k.MESSAGES, finding_id))
        return None if item is None else messages.message(item)

    def list_messages(self) -> list[PostedMessage]:
        return [messages.message(item) for item in self._query(k.MESSAGES)]

    # Audit log (the items are built in audit.py).
    def append_audit(self, entry: AuditEntry) -> None:
        """Entries go into a partition per UTC day; the day is first recorded in AUDITDAYS
        (idempotent, outside the transaction so concurrent appends never conflict on it)."""
        self._put(audit.day_item(entry.at, self.retention.audit))
        new = "attribute_not_exists(#pk)"
        items = audit.entry_items(entry, self.retention.audit)
        try:
            self._call(
                "transact_write_items",
                TransactItems=[self._transact_put(item, new) for item in items],
            )
        except ConditionFailed:
            raise StoreConflict(f"audit entry {entry.id} already exists") from None

    def get_audit(self, audit_id: str) -> AuditEntry | None:
        pointer = self._get(k.key(k.audit_id_pk(audit_id)))
        if pointer is None:
            return None
        item = self._get(audit.entry_key(pointer))
        return None if item is None else audit.entry(item)

    def list_audit(self, limit: int = 100, since: datetime | None = None) -> list[AuditEntry]:
        entries: list[AuditEntry] = []
        if limit <= 0:
            return entries
        first_day = None if since is None else k.audit_day(since)
        first_key = None if since is None else time_key(since)
        for day in self._query(k.AUDIT_DAYS, sk_from=first_day, newest_first=True):
            for item in self._query(
                k.audit_pk(k.text(day, "sk")), sk_from=first_key, newest_first=True
            ):
                entries.append(audit.entry(item))
                if len(entries) >= limit:
                    return entries
        return entries

    # Cache (watchdog.cache.Cache).
    def get(self, key: str) -> CacheEntry | None:
        """A cache must never be the reason a run fails: unreadable means missing."""
        try:
            item = self._get(k.key(k.cache_pk(key)))
            if item is None:
                return None
            return CacheEntry(json.loads(k.text(item, "value")), k.time(item, "stored_at"))
        except (StoreUnavailable, ValueError, KeyError) as error:
            log.warning("store_cache_unreadable", key=key, error=str(error))
            return None

    def put(self, key: str, value: JSONValue, now: datetime) -> None:
        self._put(
            {
                **k.key(k.cache_pk(key)),
                "value": k.s(json.dumps(value, sort_keys=True)),
                "stored_at": k.s(time_key(now)),
                "expires_at": k.ttl(now, self.retention.cache),
            }
        )

    # Locks.
    def acquire_lock(
        self,
        name: str,
        owner: str,
        now: datetime,
        ttl: timedelta,
        *,
        gone_owner: str | None = None,
    ) -> bool:
        until = now + ttl
        try:
            self._put(
                {
                    **k.key(k.lock_pk(name)),
                    "owner": k.s(owner),
                    "lock_until": k.s(time_key(until)),
                    "expires_at": k.ttl(until, LOCK_TTL_MARGIN),
                },
                "attribute_not_exists(#pk) OR #owner = :owner OR #lock_until < :now "
                "OR #owner = :gone",
                owner=k.s(owner),
                now=k.s(time_key(now)),
                # An owner is never empty, so "" takes over nobody's lock.
                gone=k.s(gone_owner or ""),
            )
        except ConditionFailed:
            return False
        return True

    def lock_owner(self, name: str, now: datetime) -> str | None:
        item = self._get(k.key(k.lock_pk(name)))
        if item is None or k.text(item, "lock_until") < time_key(now):
            return None
        return k.text(item, "owner")

    def release_lock(self, name: str, owner: str) -> bool:
        try:
            self._call(
                "delete_item",
                TableName=self.table,
                Key=k.key(k.lock_pk(name)),
                ConditionExpression="#owner = :owner",
                ExpressionAttributeNames={"#owner": "owner"},
                ExpressionAttributeValues={":owner": k.s(owner)},
            )
        except ConditionFailed:
            return False
        return True
