"""A finding id a person typed, looked up in the store or, when the store has never seen it,
in a fresh plan: `plan` prints ids without recording them, so `approve`, `snooze` and `exempt`
right after a `plan` (or on a fresh store) must find them the way `apply` would."""

from __future__ import annotations

from datetime import UTC, datetime

from watchdog.cli._common import Fail
from watchdog.cli.plan import load_policies_or_fail, plan_or_fail
from watchdog.settings import Settings
from watchdog.store.base import Store, StoredFinding


def find_or_plan(settings: Settings, store: Store, finding_id: str) -> StoredFinding:
    """The stored finding; else a fresh plan (the same scope, policies and settings `apply`
    uses) is made and all its findings recorded, as `apply` records them, and the finding read
    from there. An id that plan does not contain either is a `Fail`."""
    stored = store.get_finding(finding_id)
    if stored is not None:
        return stored
    planned = plan_or_fail(settings, load_policies_or_fail(settings))
    store.save_findings(planned.run_id, planned.findings, datetime.now(UTC))
    stored = store.get_finding(finding_id)
    if stored is None:
        raise Fail(
            f"no finding {finding_id}: it is neither in the store nor in a fresh plan of the "
            "current scope; `ai-watchdog plan` lists the current ids"
        )
    return stored
