"""The DynamoDB backend: one table, for the Lambda.

`store.py` is the Store on the table; `keys.py` is the key design, `calls.py` the calls with
their error mapping, `plans.py`, `messages.py` and `audit.py` build those items, and `table.py`
is the table's definition (which template.yaml repeats) with `create_table` for a person.
"""

from __future__ import annotations

from watchdog.store.dynamodb.store import DynamoStore
from watchdog.store.dynamodb.table import (
    STEPS_INDEX,
    TABLE_DEFINITION,
    TTL_ATTRIBUTE,
    create_table,
)

__all__ = ["STEPS_INDEX", "TABLE_DEFINITION", "TTL_ATTRIBUTE", "DynamoStore", "create_table"]
