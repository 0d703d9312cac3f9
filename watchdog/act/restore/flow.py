"""Restore: undo a watchdog delete or stop from what the audit log recorded.

The executor records each resource's full description before changing it. Each kind declares
how its delete or stop is undone (`KindSpec.restore`): a deleted endpoint is recreated, with the
endpoint config and models it needs when the watchdog deleted those too (in dependency order:
models, config, endpoint); a stopped notebook is started again. Nothing else is restorable: what
restore would need is gone (a notebook's volume) or recreating it is a decision of its own
(buying provisioned throughput again), and the kind says which.

A dry run and a real run share one planning path; only `execute=True` calls AWS to change
anything. Every request is built from recorded descriptions only: the execution role, images
and model data are referenced exactly as recorded, never guessed. Planning reuses whatever
exists, so a restore that failed half-way can simply be run again.

What a plan is made of, and the lookups in the audit log and AWS that planning does, are in
plan.py; recreating a resource with what it uses is planned in recreate.py.
Here: what is refused outright, restarting a stopped resource, and making the calls.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import partial
from typing import Any

from botocore import xform_name
from botocore.exceptions import ClientError

from watchdog.act.clients import Clients
from watchdog.act.restore.plan import (
    AUDIT_SCAN_LIMIT,
    Context,
    ExistingResource,
    RestoreAction,
    RestorePlan,
    RestoreRefused,
    RestoreResult,
    plan_of,
)
from watchdog.act.restore.recreate import plan_recreate
from watchdog.aws.errors import describe_error
from watchdog.kinds import REGISTRY
from watchdog.kinds.base import AUDIT_COMMAND, KindSpec, Restart
from watchdog.store.base import AuditEntry, Store

__all__ = [
    "AUDIT_COMMAND",
    "AUDIT_SCAN_LIMIT",
    "ExistingResource",
    "RestoreAction",
    "RestoreFailed",
    "RestorePlan",
    "RestoreRefused",
    "RestoreResult",
    "restore",
    "restore_scope",
]


def restore_scope() -> str:
    """What restore can undo at all, from what the kinds declare: "restore recreates deleted
    endpoints and restarts stopped notebook instances"."""
    recreated = [
        s.restore.recreate.noun + "s"
        for s in REGISTRY
        if s.restore.recreate is not None and not s.restore.with_its_user
    ]
    restarted = [s.restore.restart.noun + "s" for s in REGISTRY if s.restore.restart is not None]
    parts = [
        *([f"recreates deleted {', '.join(recreated)}"] if recreated else []),
        *([f"restarts stopped {', '.join(restarted)}"] if restarted else []),
    ]
    return "restore " + (" and ".join(parts) or "undoes nothing")


class RestoreFailed(Exception):
    """AWS refused a call part-way through a restore. What was created before it is kept and
    audited (`audit_ids`); running the restore again reuses it and carries on."""

    def __init__(self, message: str, audit_ids: tuple[str, ...]) -> None:
        super().__init__(message)
        self.audit_ids = audit_ids


def restore(
    store: Store,
    audit_id: str,
    clients: Clients,
    now: datetime,
    run_id: str,
    execute: bool,
) -> RestoreResult:
    """What undoing audit entry `audit_id` takes, done only when `execute` is set.

    Raises RestoreRefused when it cannot or must not be undone, RestoreFailed when AWS refuses
    a call part-way (what was done before is kept and audited).
    """
    entry = _undoable_entry(store, audit_id)
    spec, planner = _planner_for(entry)  # what is refused outright is, before any AWS call
    client = clients.client(spec.service, entry.account, entry.region)
    plan = planner(Context(entry, store, client))
    if not execute:
        return RestoreResult(plan=plan, executed=False)
    written = _execute(plan, client, store, now, run_id)
    return RestoreResult(plan=plan, executed=True, audit_ids=written)


def _undoable_entry(store: Store, audit_id: str) -> AuditEntry:
    """The entry, if it records a finished delete or stop; refused otherwise."""
    entry = store.get_audit(audit_id)
    if entry is None:
        raise RestoreRefused(f"there is no audit entry {audit_id}; see {AUDIT_COMMAND}")
    if entry.outcome == "started":
        raise RestoreRefused(
            f"audit entry {audit_id} records the start of {entry.op}, not its outcome; restore "
            "the entry that finished that step (the same step_id, outcome done)"
        )
    if entry.outcome != "done":
        raise RestoreRefused(
            f"audit entry {audit_id} is {entry.op} with outcome {entry.outcome}: only a done "
            "delete or stop can be undone"
        )
    return entry


def _spec_of(entry: AuditEntry) -> KindSpec:
    """The kind whose delete or stop the entry records."""
    for spec in REGISTRY:
        ops = (spec.teardown.stop, spec.teardown.delete)
        if any(o is not None and o.op == entry.op for o in ops):
            return spec
    raise RestoreRefused(
        f"audit entry {entry.id} records {entry.op}, which is not a watchdog delete or stop: "
        "there is nothing to undo"
    )


def _planner_for(entry: AuditEntry) -> tuple[KindSpec, Callable[[Context], RestorePlan]]:
    """How the entry's change is undone (the one decision of what to create or start, shared
    by dry and real runs), or why it cannot be."""
    spec = _spec_of(entry)
    restore, teardown = spec.restore, spec.teardown
    undone_delete = teardown.delete is not None and entry.op == teardown.delete.op
    if undone_delete and restore.recreate is not None and not restore.with_its_user:
        return spec, partial(plan_recreate, spec=spec)
    stopped = teardown.stop is not None and entry.op == teardown.stop.op
    if stopped and restore.restart is not None:
        return spec, partial(_plan_restart, restart=restore.restart, spec=spec)
    raise RestoreRefused(f"{restore_scope()}; {spec.kind} is not restorable: {restore.why_not}")


def _name(ctx: Context, entry: AuditEntry) -> str:
    name = ctx.described(entry).get("name")
    if not name:
        raise RestoreRefused(f"audit entry {entry.id} recorded no resource name: cannot restore")
    return str(name)


def _plan_restart(ctx: Context, restart: Restart, spec: KindSpec) -> RestorePlan:
    """Start it again, if it is still there and still stopped."""
    name = _name(ctx, ctx.entry)
    live = ctx.live(spec.kind, name)
    if live is None:
        raise RestoreRefused(
            f"{restart.noun} {name} was deleted after it was stopped{restart.gone_because}: "
            f"there is nothing to start; its description is in {AUDIT_COMMAND}"
        )
    status = spec.teardown.status(live)
    if status not in restart.from_states:
        allowed = " or ".join(sorted(restart.from_states))
        raise RestoreRefused(
            f"{restart.noun} {name} is {status}, not {allowed}: only a stopped {restart.noun} "
            "can be started again"
        )
    start = RestoreAction(
        op=restart.op,
        kind=spec.kind,
        name=name,
        arn=ctx.entry.target_arn,
        request=restart.request(name),
        from_audit_id=ctx.entry.id,
    )
    return plan_of(ctx, (start,), ())


def _execute(
    plan: RestorePlan, client: Any, store: Store, now: datetime, run_id: str
) -> tuple[str, ...]:
    """Make the plan's calls in order, auditing each as it succeeds."""
    written: list[str] = []
    for action in plan.actions:
        method = getattr(client, xform_name(action.op.split(":", 1)[1]))
        try:
            answer = method(**action.request)
        except ClientError as error:
            done = ", ".join(written) or "nothing"
            raise RestoreFailed(
                f"{action.op} {action.name} failed ({describe_error(error)}); restored before "
                f"it: {done}; run restore {plan.audit_id} again once the cause is fixed",
                tuple(written),
            ) from error
        entry = _restored_entry(plan, action, _arn_in(answer) or action.arn, now, run_id)
        store.append_audit(entry)
        written.append(entry.id)
    return tuple(written)


def _arn_in(answer: Mapping[str, Any]) -> str | None:
    """The new resource's ARN from a Create* answer (ModelArn, EndpointArn, ...)."""
    return next((str(v) for k, v in answer.items() if k.endswith("Arn")), None)


def _restored_entry(
    plan: RestorePlan, action: RestoreAction, arn: str, now: datetime, run_id: str
) -> AuditEntry:
    source = (
        "" if action.from_audit_id == plan.audit_id else f", described in {action.from_audit_id}"
    )
    return AuditEntry(
        id=f"a-{uuid.uuid4().hex}",
        at=now,
        run_id=run_id,
        finding_id=plan.finding_id,
        op=action.op,
        target_arn=arn,
        account=plan.account,
        region=plan.region,
        outcome="restored",
        description={"kind": action.kind, "name": action.name, "request": action.request},
        detail=f"restored from audit entry {plan.audit_id}{source}",
    )
