"""Teardown plans and approval peeking on the DynamoDB table, kept out of store.py.

A plan is one item (PLAN#<finding id>, see keys.py) holding the whole plan as JSON, so
it reads back equal to what was saved; finding_id, run_id and created_at sit beside the body
for whoever inspects the table. Which approval a consume would take is decided here once, for
`consume_approval` and `pending_approval` alike, so a dry run shows exactly that approval.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from watchdog.policies.schema import Action
from watchdog.store.base import TeardownPlan, time_key
from watchdog.store.dynamodb import keys as k

Item = k.Item


def plan_item(plan: TeardownPlan, keep: timedelta) -> Item:
    """The plan's item, expiring `keep` after the execution started (Retention.plans)."""
    return {
        **k.key(k.plan_pk(plan.finding_id)),
        "finding_id": k.s(plan.finding_id),
        "run_id": k.s(plan.run_id),
        "created_at": k.s(time_key(plan.created_at)),
        "body": k.s(plan.model_dump_json()),
        "expires_at": k.ttl(plan.created_at, keep),
    }


def plan(item: Item) -> TeardownPlan:
    return TeardownPlan.model_validate_json(k.text(item, "body"))


def valid_approvals(items: Iterable[Item], action: Action, now: datetime) -> list[Item]:
    """The approval items a consume at `now` may take (matching action, unconsumed, expiring
    after `now`), in the order it tries them: soonest-expiring first, then by id."""
    at = time_key(now)
    return sorted(
        (
            item
            for item in items
            if k.text(item, "action") == action
            and "consumed_at" not in item
            and k.text(item, "approval_expires") > at
        ),
        key=lambda item: (k.text(item, "approval_expires"), k.text(item, "sk")),
    )
