"""Restore: undo a watchdog delete or stop from what the audit log recorded.

`flow.py` is the command (dry run or execute); `plan.py` turns audit entries into a restore plan;
`recreate.py` plans a deleted resource's recreation from what its kind declares.
"""

from __future__ import annotations

from watchdog.act.restore.flow import RestoreFailed, restore
from watchdog.act.restore.plan import RestoreRefused, RestoreResult

__all__ = ["RestoreFailed", "RestoreRefused", "RestoreResult", "restore"]
