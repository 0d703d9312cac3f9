"""The savings report of a window ending now, read from the store: what `ai-watchdog report`,
the daemon's and the Lambda's `/report/{token}` page and the weekly digest all show."""

from __future__ import annotations

from datetime import datetime

from watchdog.report.model import SavingsReport, build_report
from watchdog.store.base import Store

# Every audit entry counts: a teardown done before the window still saves inside it.
AUDIT_LIMIT = 1_000_000


def read_report(store: Store, now: datetime, since: datetime) -> SavingsReport:
    """Raises the store's StoreError when it cannot be read."""
    return build_report(store.list_findings(), store.list_audit(limit=AUDIT_LIMIT), now, since)
