"""The store: findings, approvals, teardown progress and plans, Slack messages, the audit log,
a cache and locks.

One interface (`Store`), two backends with the same contract tests: SQLite (default; the CLI
and the daemon) and DynamoDB (the Lambda). `open_store(url)` picks one from WATCHDOG_STORE.
"""

from __future__ import annotations

from watchdog.store.base import (
    Approval,
    AuditEntry,
    FindingState,
    PostedMessage,
    Retention,
    StepRecord,
    Store,
    StoreConflict,
    StoredFinding,
    StoreError,
    StoreNotFound,
    StoreUnavailable,
    TeardownPlan,
)
from watchdog.store.open import default_store_path, open_store

__all__ = [
    "Approval",
    "AuditEntry",
    "FindingState",
    "PostedMessage",
    "Retention",
    "StepRecord",
    "Store",
    "StoreConflict",
    "StoreError",
    "StoreNotFound",
    "StoreUnavailable",
    "StoredFinding",
    "TeardownPlan",
    "default_store_path",
    "open_store",
]
