"""The SQLite store: one file, zero set-up, for the CLI and the daemon.

WAL mode lets readers (a `report` in another terminal) run while a cycle writes. Every write
is a `BEGIN IMMEDIATE` transaction, which takes SQLite's write lock up front, and the writes
that must not race are single conditional statements (`... WHERE consumed_at IS NULL`, an
upsert whose update has a WHERE) whose row count says who won. So the guarantees hold between
processes sharing the file, not only between this object's threads. Within a process one
connection is shared under a lock (`check_same_thread=False`).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path

import structlog

from watchdog.cache import CacheEntry, JSONValue
from watchdog.findings import Finding
from watchdog.policies.schema import Action
from watchdog.store.base import (
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
    from_time_key,
    time_key,
)
from watchdog.store.sqlite import messages as messages
from watchdog.store.sqlite import rows as rows
from watchdog.store.sqlite import steps as steps
from watchdog.store.sqlite.activity import ActivityRows
from watchdog.store.sqlite.schema import connect_read_only, migrate

log = structlog.get_logger(__name__)

MEMORY = ":memory:"
# How long a writer waits for another process's write lock before giving up.
BUSY_TIMEOUT_SECONDS = 30.0
# The approval consume_approval takes: pending_approval peeks with the very same query, so a
# dry run shows exactly the approval a real run would use.
_NEXT_APPROVAL = """SELECT id FROM approvals
    WHERE finding_id = :finding AND action = :action
      AND consumed_at IS NULL AND expires_at > :now
    ORDER BY expires_at, id LIMIT 1"""


class SqliteStore(ActivityRows):
    """The Store protocol on one SQLite file (or `:memory:`)."""

    def __init__(self, path: Path | str, *, read_only: bool = False) -> None:
        """`read_only` opens an existing file without ever writing (not even WAL's side
        files), for reading a store on a read-only file system; any write then fails."""
        self.path = str(path)
        self._lock = threading.RLock()
        if read_only:
            self._db = connect_read_only(self.path)
            return
        if self.path != MEMORY:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(
                self.path,
                timeout=BUSY_TIMEOUT_SECONDS,
                isolation_level=None,  # autocommit: our BEGIN IMMEDIATE is the transaction
                check_same_thread=False,
            )
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")  # durable enough under WAL
            migrate(self._db, self.path)
        except sqlite3.Error as error:
            raise StoreUnavailable(f"cannot open store {self.path}: {error}") from error

    # Plumbing.
    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._errors():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
                raise

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._errors():
            yield self._db

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as error:
            raise StoreUnavailable(f"store {self.path}: {error}") from error

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # Findings.
    def save_findings(self, run_id: str, findings: Sequence[Finding], now: datetime) -> None:
        at = time_key(now)
        values = [(f.id, f.model_dump_json(), at, at, run_id, at) for f in findings]
        with self._write() as db:
            db.executemany(
                """INSERT INTO findings (id, body, first_seen, last_seen, last_run_id, state,
                                         state_detail, state_changed_at)
                   VALUES (?, ?, ?, ?, ?, 'open', '', ?)
                   ON CONFLICT (id) DO UPDATE SET body = excluded.body,
                       last_seen = excluded.last_seen, last_run_id = excluded.last_run_id""",
                values,
            )

    def get_finding(self, finding_id: str) -> StoredFinding | None:
        with self._read() as db:
            row = db.execute("SELECT * FROM findings WHERE id = ?", (finding_id,)).fetchone()
        return None if row is None else rows.stored_finding(row)

    def set_finding_state(
        self,
        finding_id: str,
        state: FindingState,
        detail: str,
        now: datetime,
        until: datetime | None = None,
    ) -> None:
        lapses = None if until is None else time_key(until)  # None clears an earlier snooze
        with self._write() as db:
            cursor = db.execute(
                """UPDATE findings SET state = ?, state_detail = ?, state_changed_at = ?,
                       state_until = ? WHERE id = ?""",
                (state, detail, time_key(now), lapses, finding_id),
            )
            if cursor.rowcount == 0:
                raise StoreNotFound(f"finding {finding_id} is not in the store")

    def list_findings(self, states: set[str] | None = None) -> list[StoredFinding]:
        query, params = "SELECT * FROM findings", []
        if states is not None:
            if not states:
                return []
            params = sorted(states)
            query += f" WHERE state IN ({', '.join('?' * len(params))})"
        with self._read() as db:
            found = db.execute(query + " ORDER BY id", params).fetchall()
        return [rows.stored_finding(row) for row in found]

    # Approvals.
    def add_approval(self, approval: Approval) -> None:
        a = approval
        with self._write() as db:
            try:
                db.execute(
                    "INSERT INTO approvals VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        a.id,
                        a.finding_id,
                        a.action,
                        a.approver,
                        a.via,
                        time_key(a.created_at),
                        time_key(a.expires_at),
                        None if a.consumed_at is None else time_key(a.consumed_at),
                    ),
                )
            except sqlite3.IntegrityError as error:
                raise StoreConflict(f"approval {a.id} already exists") from error

    def consume_approval(self, finding_id: str, action: Action, now: datetime) -> Approval | None:
        at = time_key(now)
        with self._write() as db:
            # One statement picks and marks: the subquery and the update see the same rows,
            # under the write lock, so no other connection can consume in between.
            row = rows.returned(
                db.execute(
                    f"""UPDATE approvals SET consumed_at = :now
                   WHERE id = ({_NEXT_APPROVAL}) AND consumed_at IS NULL
                   RETURNING *""",
                    {"now": at, "finding": finding_id, "action": action},
                )
            )
        return None if row is None else rows.approval(row)

    def pending_approval(self, finding_id: str, action: Action, now: datetime) -> Approval | None:
        with self._read() as db:
            row = db.execute(
                f"SELECT * FROM approvals WHERE id = ({_NEXT_APPROVAL})",
                {"now": time_key(now), "finding": finding_id, "action": action},
            ).fetchone()
        return None if row is None else rows.approval(row)

    def consume_token(self, token_id: str, now: datetime) -> bool:
        with self._write() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO tokens (id, consumed_at) VALUES (?, ?)",
                (token_id, time_key(now)),
            )
            return cursor.rowcount == 1

    def claim_interaction(self, key: str, now: datetime) -> bool:
        with self._write() as db:
            # Keys past the retention are dropped in the same write: a replay that old fails
            # its signature, and the table stays the size of two days of clicks.
            forgotten = time_key(now - Retention().interactions)
            db.execute("DELETE FROM interactions WHERE seen_at < ?", (forgotten,))
            cursor = db.execute(
                "INSERT OR IGNORE INTO interactions (key, seen_at) VALUES (?, ?)",
                (key, time_key(now)),
            )
            return cursor.rowcount == 1

    # Step progress (the SQL is in steps.py).
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
        with self._write() as db:
            return steps.claim(db, step_id, finding_id, run_id, now, lease, holder, gone_run)

    def mark_step(
        self, step_id: str, run_id: str, state: MarkState, detail: str, now: datetime
    ) -> None:
        with self._write() as db:
            steps.mark(db, step_id, run_id, state, detail, now)

    def get_step(self, step_id: str) -> StepRecord | None:
        with self._read() as db:
            return steps.get(db, step_id)

    def list_steps(self, finding_id: str) -> list[StepRecord]:
        with self._read() as db:
            return steps.list_for(db, finding_id)

    # Plans.
    def save_plan(self, plan: TeardownPlan) -> None:
        """The plan is one JSON body; finding_id, run_id and created_at are columns beside it
        so a person can query the file."""
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO plans (finding_id, run_id, created_at, body) "
                "VALUES (?, ?, ?, ?)",
                (plan.finding_id, plan.run_id, time_key(plan.created_at), plan.model_dump_json()),
            )

    def get_plan(self, finding_id: str) -> TeardownPlan | None:
        with self._read() as db:
            row = db.execute(
                "SELECT body FROM plans WHERE finding_id = ?", (finding_id,)
            ).fetchone()
        return None if row is None else TeardownPlan.model_validate_json(row["body"])

    # Slack messages (the SQL is in messages.py).
    def save_message(self, message: PostedMessage) -> None:
        with self._write() as db:
            messages.save(db, message)

    def get_message(self, finding_id: str) -> PostedMessage | None:
        with self._read() as db:
            return messages.get(db, finding_id)

    def list_messages(self) -> list[PostedMessage]:
        with self._read() as db:
            return messages.list_all(db)

    # Audit log.
    def append_audit(self, entry: AuditEntry) -> None:
        with self._write() as db:
            try:
                db.execute(
                    "INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        entry.id,
                        time_key(entry.at),
                        entry.run_id,
                        entry.finding_id,
                        entry.target_arn,
                        entry.outcome,
                        entry.model_dump_json(),
                    ),
                )
            except sqlite3.IntegrityError as error:
                raise StoreConflict(f"audit entry {entry.id} already exists") from error

    def get_audit(self, audit_id: str) -> AuditEntry | None:
        with self._read() as db:
            row = db.execute("SELECT body FROM audit WHERE id = ?", (audit_id,)).fetchone()
        return None if row is None else AuditEntry.model_validate_json(row["body"])

    def list_audit(self, limit: int = 100, since: datetime | None = None) -> list[AuditEntry]:
        where, params = "", []
        if since is not None:
            where, params = "WHERE at >= ?", [time_key(since)]
        with self._read() as db:
            found = db.execute(
                f"SELECT body FROM audit {where} ORDER BY at DESC, id DESC LIMIT ?",
                [*params, max(limit, 0)],
            ).fetchall()
        return [AuditEntry.model_validate_json(row["body"]) for row in found]

    # Cache (watchdog.cache.Cache).
    def get(self, key: str) -> CacheEntry | None:
        """A cache must never be the reason a run fails: unreadable means missing."""
        try:
            with self._read() as db:
                row = db.execute(
                    "SELECT value, stored_at FROM cache WHERE key = ?", (key,)
                ).fetchone()
            if row is None:
                return None
            return CacheEntry(json.loads(row["value"]), from_time_key(row["stored_at"]))
        except (StoreUnavailable, ValueError) as error:
            log.warning("store_cache_unreadable", key=key, error=str(error))
            return None

    def put(self, key: str, value: JSONValue, now: datetime) -> None:
        text = json.dumps(value, sort_keys=True)
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO cache (key, value, stored_at) VALUES (?, ?, ?)",
                (key, text, time_key(now)),
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
        with self._write() as db:
            row = rows.returned(
                db.execute(
                    """INSERT INTO locks (name, owner, until) VALUES (:name, :owner, :until)
                   ON CONFLICT (name) DO UPDATE SET owner = excluded.owner,
                       until = excluded.until
                   WHERE locks.owner = excluded.owner OR locks.until < :now
                         OR locks.owner = :gone
                   RETURNING name""",
                    {
                        "name": name,
                        "owner": owner,
                        "until": time_key(now + ttl),
                        "now": time_key(now),
                        "gone": gone_owner,
                    },
                )
            )
        return row is not None

    def lock_owner(self, name: str, now: datetime) -> str | None:
        with self._read() as db:
            row = db.execute(
                "SELECT owner FROM locks WHERE name = ? AND until >= ?", (name, time_key(now))
            ).fetchone()
        return None if row is None else str(row["owner"])

    def release_lock(self, name: str, owner: str) -> bool:
        with self._write() as db:
            cursor = db.execute("DELETE FROM locks WHERE name = ? AND owner = ?", (name, owner))
            return cursor.rowcount == 1
