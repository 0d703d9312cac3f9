"""The store interface: what the watchdog remembers between runs, whatever holds it.

Two backends (SQLite for the CLI and the daemon, DynamoDB for the Lambda) implement `Store`
and pass the same contract tests, so the executor, the approval flow and the reports never
care which one they got. The models here are the boundary: callers get frozen pydantic
models back, never rows or items.

Every time is passed in by the caller (`now`, `created_at`, ...): nothing in a store reads the
clock, so expiry, leases and retention are exact in tests. Times must be timezone-aware.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal, Protocol

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from watchdog.cache import Cache
from watchdog.findings import Finding
from watchdog.policies.schema import Action
from watchdog.records import ResourceRecord
from watchdog.store.activity import ActivityLog

FindingState = Literal[
    "open", "approved", "executing", "done", "cancelled", "snoozed", "resolved", "parked"
]
ApprovalVia = Literal["cli", "slack", "link", "policy"]
# "parked": the run had to stop (deadline, circuit breaker, SIGTERM) after starting the step
# and before finishing it; the next run picks it up, re-verifying the resource first.
StepState = Literal["claimed", "started", "done", "failed", "cancelled", "parked"]
# What a run may record after claiming: "claimed" is only ever set by `claim_step`.
MarkState = Literal["started", "done", "failed", "cancelled", "parked"]
# "started" is written right before a change, holding the resource's description, so a run
# killed after the AWS call but before its "done" entry still leaves the description behind.
# "left-alone": a resume given up, its resource changed by someone else while it was parked
# (act.executor.left_alone); its owner is told in Slack (notify.notices).
AuditOutcome = Literal[
    "started", "done", "failed", "cancelled", "refused", "restored", "left-alone"
]

# A step in one of these states is finished for good: never claimed or marked again.
FINAL_STEP_STATES: frozenset[str] = frozenset({"done", "cancelled"})
# A step in one of these states may be taken over once its lease has run out (a crashed run);
# failed and parked steps hold no lease, so at once.
RECLAIMABLE_STEP_STATES: tuple[str, ...] = ("claimed", "started", "failed", "parked")


class StoreError(Exception):
    """The store cannot do what was asked; the message is one line a person can act on."""


class StoreConflict(StoreError):
    """A conditional write lost: someone else holds the claim, or the record is final."""


class StoreNotFound(StoreError):
    """The record the call is about does not exist."""


class StoreUnavailable(StoreError, OSError):
    """The backend failed (disk, network, AWS). An OSError too, so the signals cache, which
    degrades on OSError, treats a store outage like an unwritable cache directory."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class StoredFinding(_Frozen):
    """A finding as the store knows it: the latest body plus its lifecycle.

    `first_seen` is when it was first saved (how long a resource has been idle, as far as the
    watchdog knows); `last_seen`/`last_run_id` the latest run that still found it.
    `state_until` is when the state lapses: a snoozed finding is open again afterwards. The
    store never applies it itself (it reads no clock); callers compare it with their `now`.
    """

    finding: Finding
    first_seen: AwareDatetime
    last_seen: AwareDatetime
    last_run_id: str
    state: FindingState = "open"
    state_detail: str = ""
    state_changed_at: AwareDatetime
    state_until: AwareDatetime | None = None  # None: the state lasts until changed


class Approval(_Frozen):
    """Someone's (or a policy's) yes to one action on one finding: single-use, expiring."""

    id: str
    finding_id: str
    action: Action
    approver: str
    via: ApprovalVia
    created_at: AwareDatetime
    expires_at: AwareDatetime
    consumed_at: AwareDatetime | None = None


class StepRecord(_Frozen):
    """Progress of one teardown step, the unit a resumable executor claims.

    `claimed_until` is the lease: while it runs, no other run may take the step; None once the
    holder has let go of it (done, failed, cancelled, parked). `holder` is the process that
    claimed it, so a run on the same host can tell a holder that died from one still working.
    `attempts` counts claims, so an executor can tell a retry (and cap them). `previous_state`
    is the state the step was in when this claim took it over: "started" (a crashed run) or
    "parked" (a run that had to stop) mean the call may have been half-done, and the executor
    must re-verify the resource before repeating it.
    """

    step_id: str
    finding_id: str
    run_id: str
    state: StepState
    attempts: int = Field(ge=1)
    claimed_until: AwareDatetime | None
    detail: str = ""
    updated_at: AwareDatetime
    previous_state: StepState | None = None
    # The process that made the claim (`host:pid:start`, see holders.py); "" before it was kept.
    holder: str = ""


def _json_default(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


def _json_document(value: object) -> Any:
    """AWS describe responses carry datetimes; store them as ISO text so what is stored and
    what is read back are equal, and refuse anything else JSON cannot hold."""
    try:
        return json.loads(json.dumps(value, default=_json_default))
    except (TypeError, ValueError) as error:
        raise ValueError(f"description must be JSON-serialisable: {error}") from error


JSONDocument = Annotated[dict[str, Any], BeforeValidator(_json_document)]


class AuditEntry(_Frozen):
    """One executed (or refused) change, append-only.

    `description` is the resource's full AWS description before the change, so a deleted
    endpoint can be recreated from its record (`ai-watchdog restore`). A "started" entry is
    written before the call, so the description survives a run killed in between.
    """

    id: str
    at: AwareDatetime
    run_id: str
    finding_id: str
    step_id: str | None = None
    op: str
    target_arn: str
    account: str
    region: str
    outcome: AuditOutcome
    approved_by: str | None = None
    description: JSONDocument = Field(default_factory=dict)
    monthly_cost_saved_usd: float | None = None
    detail: str = ""
    # Done without a call: AWS already showed the end state (someone else stopped it). A park
    # the watchdog did not make is never resumed by it.
    unchanged: bool = False
    # A park: what the resource billed a month when it was parked (its parked hours are priced
    # at this; act/parking/savings.py). A park saves for as long as it lasts, not by the month.
    parked_monthly_cost_usd: float | None = None


class TeardownPlan(_Frozen):
    """What one execution of a finding was started with. A resumed run finishes from this even
    when the scan no longer sees the finding's resource (its endpoint is gone but its config is
    not yet)."""

    finding_id: str
    run_id: str  # the run that started the execution
    created_at: AwareDatetime
    finding: Finding  # with its steps, as approved and verified
    targets: tuple[ResourceRecord, ...]  # every step target's record when the execution started
    approved_by: str
    fingerprint: str


class PostedMessage(_Frozen):
    """Where a finding was announced in Slack, so the next run neither posts it again nor
    loses the message it must update when the finding is approved, executed, snoozed or resolved.

    One per finding; a digest that announces several findings gives each the same channel and
    ts, so re-rendering it means gathering every message with that pair (`list_messages`).
    """

    finding_id: str
    channel: str  # the channel id Slack answered with; "" for an incoming webhook
    ts: str  # the message's ts; "" for an incoming webhook (it cannot be updated)
    posted_at: AwareDatetime
    shown_state: str  # the finding state the message last showed (e.g. "open", "approved")
    shown_detail: str = ""  # who/when text it last showed, so an unchanged message is not re-sent
    updated_at: AwareDatetime


@dataclass(frozen=True)
class Retention:
    """How long records live where the backend expires them (DynamoDB's TTL).

    SQLite keeps everything: a local file grows slowly and a person can prune it. Consumed
    approval-link tokens must outlive the links themselves, or a link could be replayed.
    """

    audit: timedelta = timedelta(days=400)
    finished_steps: timedelta = timedelta(days=90)
    approvals: timedelta = timedelta(days=90)
    tokens: timedelta = timedelta(days=90)
    # Far past Slack's 5-minute signature window: an older replay fails its signature anyway.
    interactions: timedelta = timedelta(days=2)
    cache: timedelta = timedelta(days=30)
    plans: timedelta = timedelta(days=90)  # from created_at: a resume comes long before
    # From updated_at: a message nobody has touched for this long is not worth updating.
    messages: timedelta = timedelta(days=90)


def utc(value: datetime) -> datetime:
    """`value` in UTC; a naive time is refused, since its zone would be a guess."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()}: pass a timezone-aware time")
    return value.astimezone(UTC)


def time_key(value: datetime) -> str:
    """A fixed-width UTC string: sorting and comparing these as text orders the times, which
    is what both backends' conditions (`claimed_until < :now`) and sort keys rely on."""
    return utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_time_key(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


class Store(Cache, ActivityLog, Protocol):
    """Findings, approvals, step progress, teardown plans, Slack messages, the audit log, a
    cache, locks, and when each resource was last active (activity.py).

    Writes that must not race are conditional in the backend itself (a transaction in SQLite,
    a condition expression in DynamoDB), so two processes, two Lambdas or a daemon and a CLI
    sharing one store can never both consume an approval or both run a step.
    """

    # Findings.
    def save_findings(self, run_id: str, findings: Sequence[Finding], now: datetime) -> None:
        """Upsert by finding id: the body, `last_seen` and `last_run_id` are replaced;
        `first_seen` and the state (with its detail and `state_until`) are kept (a new finding
        starts "open"). Changing the state of a finding that is seen again is the caller's
        decision, not the store's."""

    def get_finding(self, finding_id: str) -> StoredFinding | None:
        """The stored finding, or None if it was never saved."""

    def set_finding_state(
        self,
        finding_id: str,
        state: FindingState,
        detail: str,
        now: datetime,
        until: datetime | None = None,
    ) -> None:
        """Replace the state, its detail, `state_changed_at` (now) and `state_until` (until):
        a call without `until` clears an earlier one, so the new state lasts until changed.
        An expired `state_until` is never acted on here. Raises StoreNotFound if the finding
        was never saved."""

    def list_findings(self, states: set[str] | None = None) -> list[StoredFinding]:
        """Every finding (or those in `states`), ordered by finding id."""

    # Approvals.
    def add_approval(self, approval: Approval) -> None:
        """Raises StoreConflict if an approval with this id exists."""

    def consume_approval(self, finding_id: str, action: Action, now: datetime) -> Approval | None:
        """Atomically take one valid approval (matching action, unconsumed, `expires_at` after
        `now`), soonest-expiring first, and mark it consumed. Two callers never get the same."""

    def pending_approval(self, finding_id: str, action: Action, now: datetime) -> Approval | None:
        """The approval `consume_approval` would take at `now`, changing nothing: a dry run
        shows whether a finding is approved without using the approval up. Only a hint; a
        consumer may take it between this and a later consume."""

    def consume_token(self, token_id: str, now: datetime) -> bool:
        """Mark an approval-link token used: True the first time only."""

    # Slack interactions.
    def claim_interaction(self, key: str, now: datetime) -> bool:
        """Record a click by its key (notify.interactions.click_key): True the first time only,
        so a click replayed within Slack's 5-minute signature window, or resent, acts once."""

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
        """Take the step for `lease` on behalf of process `holder`, or None when it is done,
        cancelled, or under a lease that has not run out (`claimed_until` >= now, whoever holds
        it) - unless the lease is `gone_run`'s, a run the caller knows has died. Failed and
        parked steps hold no lease, so they are taken at once. Increments `attempts`."""

    def mark_step(
        self, step_id: str, run_id: str, state: MarkState, detail: str, now: datetime
    ) -> None:
        """Record progress; only the run holding the claim may, and never after done or
        cancelled (StoreConflict otherwise). done/failed/cancelled/parked release the lease."""

    def get_step(self, step_id: str) -> StepRecord | None:
        """The step's progress, or None if no run has claimed it yet."""

    def list_steps(self, finding_id: str) -> list[StepRecord]:
        """Steps last claimed for `finding_id`, ordered by step id."""

    # Plans.
    def save_plan(self, plan: TeardownPlan) -> None:
        """Upsert by finding id: a later execution of the same finding replaces the plan."""

    def get_plan(self, finding_id: str) -> TeardownPlan | None:
        """The plan the finding's latest execution started with, or None if there is none."""

    # Slack messages.
    def save_message(self, message: PostedMessage) -> None:
        """Upsert by finding id: a finding has one message, the one later updates go to."""

    def get_message(self, finding_id: str) -> PostedMessage | None:
        """The finding's message, or None if it was never announced."""

    def list_messages(self) -> list[PostedMessage]:
        """Every message, ordered by finding id (a shared digest is re-rendered from all the
        messages with its channel and ts)."""

    # Audit log.
    def append_audit(self, entry: AuditEntry) -> None:
        """Append; an id is written once (StoreConflict on a second write)."""

    def get_audit(self, audit_id: str) -> AuditEntry | None:
        """The audit entry, or None if there is none with this id."""

    def list_audit(self, limit: int = 100, since: datetime | None = None) -> list[AuditEntry]:
        """Newest first (by `at`, then id), at most `limit`, only `at` >= `since` if given."""

    # Cache: `get` and `put` come from watchdog.cache.Cache, so signals can cache in
    # the store (a Lambda has no durable disk).

    # Locks (the daemon's single-leader cycle).
    def acquire_lock(
        self,
        name: str,
        owner: str,
        now: datetime,
        ttl: timedelta,
        *,
        gone_owner: str | None = None,
    ) -> bool:
        """Take or renew `name` until now + ttl: True if it is free, expired, `owner`'s, or
        `gone_owner`'s (a holder the caller knows has died)."""

    def lock_owner(self, name: str, now: datetime) -> str | None:
        """Who holds `name` at `now`; None when nobody does (free or lapsed)."""

    def release_lock(self, name: str, owner: str) -> bool:
        """Release `name` if `owner` holds it; True if it did."""

    def close(self) -> None:
        """Release connections; the store is not used afterwards."""


def step_conflict(step_id: str, run_id: str, record: StepRecord | None) -> str:
    """Why `run_id` may not mark `step_id`, in the words both backends raise StoreConflict with."""
    if record is None:
        return f"step {step_id} was never claimed; claim it before marking it"
    if record.run_id != run_id:
        return f"step {step_id} is held by run {record.run_id}, not {run_id}"
    return f"step {step_id} is already {record.state} and cannot change"
