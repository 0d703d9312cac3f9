"""The SQLite backend: one file, zero set-up, for the CLI and the daemon.

`store.py` is the Store on the file; the SQL it runs lives beside it (`schema.py` creates and
migrates the file, `steps.py` and `messages.py` the step and message tables, `rows.py` turns
rows into the store's models). Never imported on the Lambda's path (see store/open.py).
"""

from __future__ import annotations

from watchdog.store.sqlite.store import MEMORY, SqliteStore

__all__ = ["MEMORY", "SqliteStore"]
