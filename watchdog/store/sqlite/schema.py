"""The SQLite schema, as an ordered list of migrations keyed by `PRAGMA user_version`.

A database at version N has had migrations 1..N applied. Opening applies the rest, each in its
own transaction together with the version bump, so a crash mid-migration leaves the previous
version intact. A database newer than this code is refused rather than guessed at: an older
watchdog must not write rows a newer one cannot trust.

Add a migration by appending to MIGRATIONS; never edit one that has shipped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from watchdog.store.base import StoreError

Migration = Sequence[str]

# Small flat records (approvals, steps, locks) are columns, so conditions can test them; large
# bodies (findings, audit descriptions, cache values) are JSON text.
MIGRATION_1: Migration = (
    """CREATE TABLE findings (
        id TEXT PRIMARY KEY,
        body TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        last_run_id TEXT NOT NULL,
        state TEXT NOT NULL,
        state_detail TEXT NOT NULL,
        state_changed_at TEXT NOT NULL
    )""",
    "CREATE INDEX findings_by_state ON findings (state)",
    """CREATE TABLE approvals (
        id TEXT PRIMARY KEY,
        finding_id TEXT NOT NULL,
        action TEXT NOT NULL,
        approver TEXT NOT NULL,
        via TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        consumed_at TEXT
    )""",
    "CREATE INDEX approvals_by_finding ON approvals (finding_id, action)",
    "CREATE TABLE tokens (id TEXT PRIMARY KEY, consumed_at TEXT NOT NULL)",
    """CREATE TABLE steps (
        step_id TEXT PRIMARY KEY,
        finding_id TEXT NOT NULL,
        run_id TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        claimed_until TEXT,
        detail TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        previous_state TEXT
    )""",
    "CREATE INDEX steps_by_finding ON steps (finding_id, step_id)",
    """CREATE TABLE audit (
        id TEXT PRIMARY KEY,
        at TEXT NOT NULL,
        run_id TEXT NOT NULL,
        finding_id TEXT NOT NULL,
        target_arn TEXT NOT NULL,
        outcome TEXT NOT NULL,
        body TEXT NOT NULL
    )""",
    "CREATE INDEX audit_by_time ON audit (at, id)",
    "CREATE TABLE cache (key TEXT PRIMARY KEY, value TEXT NOT NULL, stored_at TEXT NOT NULL)",
    "CREATE TABLE locks (name TEXT PRIMARY KEY, owner TEXT NOT NULL, until TEXT NOT NULL)",
)

# Teardown plans, one per finding (its latest execution). The "parked" step state needs no
# change: `steps.state` is free text, checked by the models on the way out.
MIGRATION_2: Migration = (
    """CREATE TABLE plans (
        finding_id TEXT PRIMARY KEY,
        run_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        body TEXT NOT NULL
    )""",
)

# Snooze expiry (NULL: the state lasts until changed; existing rows get NULL, which is what
# they meant), and the Slack message that announced each finding.
MIGRATION_3: Migration = (
    "ALTER TABLE findings ADD COLUMN state_until TEXT",
    """CREATE TABLE messages (
        finding_id TEXT PRIMARY KEY,
        channel TEXT NOT NULL,
        ts TEXT NOT NULL,
        posted_at TEXT NOT NULL,
        shown_state TEXT NOT NULL,
        shown_detail TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
)

# The process holding each step's claim, so a dead run's steps on this host are taken over at
# once (existing rows: unknown, '', which is never declared gone).
MIGRATION_4: Migration = ("ALTER TABLE steps ADD COLUMN holder TEXT NOT NULL DEFAULT ''",)

# Slack clicks already acted on, by key, so a replayed click acts once across restarts.
MIGRATION_5: Migration = (
    "CREATE TABLE interactions (key TEXT PRIMARY KEY, seen_at TEXT NOT NULL)",
    "CREATE INDEX interactions_by_time ON interactions (seen_at)",
)

# When each resource was last active (store/activity.py), read per (account, region) by the
# signals stage to skip queries that cannot change a decision.
MIGRATION_6: Migration = (
    """CREATE TABLE activity (
        arn TEXT PRIMARY KEY,
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        at TEXT NOT NULL,
        queries TEXT NOT NULL,
        recorded_at TEXT NOT NULL
    )""",
    "CREATE INDEX activity_by_place ON activity (account, region, arn)",
)

# The idle hold (signals/quiet.py): an entry may prove no activity (`at` NULL) while keeping
# what its reading observed; and the places' ListMetrics checks. SQLite cannot drop a NOT NULL,
# so the table is rebuilt, its rows kept.
MIGRATION_7: Migration = (
    """CREATE TABLE activity_7 (
        arn TEXT PRIMARY KEY,
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        at TEXT,
        queries TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        observed_from TEXT,
        traffic_at TEXT,
        load_at TEXT
    )""",
    "INSERT INTO activity_7 (arn, account, region, at, queries, recorded_at) "
    "SELECT arn, account, region, at, queries, recorded_at FROM activity",
    "DROP TABLE activity",
    "ALTER TABLE activity_7 RENAME TO activity",
    "CREATE INDEX activity_by_place ON activity (account, region, arn)",
    """CREATE TABLE quiet_checks (
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        namespace TEXT NOT NULL,
        metric TEXT NOT NULL,
        covered_from TEXT NOT NULL,
        checked_at TEXT NOT NULL,
        PRIMARY KEY (account, region, namespace, metric)
    )""",
)

MIGRATIONS: list[Migration] = [
    MIGRATION_1,
    MIGRATION_2,
    MIGRATION_3,
    MIGRATION_4,
    MIGRATION_5,
    MIGRATION_6,
    MIGRATION_7,
]


def schema_version(connection: sqlite3.Connection) -> int:
    version: int = connection.execute("PRAGMA user_version").fetchone()[0]
    return version


def migrate(
    connection: sqlite3.Connection, where: str, migrations: Sequence[Migration] | None = None
) -> int:
    """Bring the database up to the latest version; return that version.

    `connection` must be in autocommit mode (isolation_level=None) so the explicit BEGIN
    IMMEDIATE below is the only transaction. The version is re-read inside the transaction:
    two processes opening a new file at once must not both run migration 1.
    """
    steps = MIGRATIONS if migrations is None else migrations
    latest = len(steps)
    while True:
        connection.execute("BEGIN IMMEDIATE")
        try:
            current = schema_version(connection)
            if current > latest:
                raise StoreError(
                    f"store {where} has schema version {current}, newer than this watchdog "
                    f"supports ({latest}): upgrade ai-cost-watchdog or use another store"
                )
            if current == latest:
                connection.execute("COMMIT")
                return latest
            for statement in steps[current]:
                connection.execute(statement)
            # PRAGMA takes no parameters; the value is an int we computed.
            connection.execute(f"PRAGMA user_version = {current + 1}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise


def connect_read_only(path: str) -> sqlite3.Connection:
    """An existing store opened read-only (`mode=ro`). A WAL database needs its `-shm` file
    even to read, which a read-only directory may lack and cannot get: then the file is
    opened as immutable, which is what a read-only file system makes it. A store whose schema
    is not this version's cannot be migrated here, so it is refused by name."""
    if not Path(path).is_file():
        raise StoreError(f"no store at {path}: nothing has been recorded there yet")
    uri = Path(path).absolute().as_uri()
    for options in ("mode=ro", "mode=ro&immutable=1"):
        try:
            connection = sqlite3.connect(
                f"{uri}?{options}", uri=True, isolation_level=None, check_same_thread=False
            )
            connection.row_factory = sqlite3.Row
            version = schema_version(connection)
        except sqlite3.Error as error:
            failure = error
            continue
        if version != len(MIGRATIONS):
            connection.close()
            raise StoreError(
                f"store {path} has schema version {version}, not {len(MIGRATIONS)}: open it "
                "once where it can be written (any command that records) to upgrade it"
            )
        return connection
    raise StoreError(f"cannot read the store {path}: {failure}")
