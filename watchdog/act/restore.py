"""Restore: undo a watchdog delete or stop from what the audit log recorded.

The executor records each resource's full description before changing it. From a done
`sagemaker:DeleteEndpoint` entry, restore recreates the endpoint, and the endpoint config and
models it needs when the watchdog deleted those too (in dependency order: models, config,
endpoint); from a done `sagemaker:StopNotebookInstance` entry, it starts the notebook again.
Nothing else is restorable: what restore would need is gone (a notebook's volume) or recreating
it is a decision of its own (buying provisioned throughput again).

A dry run and a real run share one planning path; only `execute=True` calls AWS to change
anything. Every request is built from recorded descriptions only: the execution role, images
and model data are referenced exactly as recorded, never guessed. Planning reuses whatever
exists, so a restore that failed half-way can simply be run again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore import xform_name
from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict

from watchdog.act.clients import Clients
from watchdog.act.restore_requests import fit_to_input, references, with_tags
from watchdog.aws.errors import describe_error
from watchdog.kinds import BY_KIND, REGISTRY
from watchdog.records import Kind, ResourceRecord
from watchdog.store.base import AuditEntry, Store

RESTORE_SCOPE = "restore recreates endpoints and restarts stopped notebooks"
AUDIT_COMMAND = "`ai-watchdog audit --format json`"
# Dependencies' delete entries are looked up in the whole log: a config may have been deleted
# by a later run than its endpoint, or by another finding (the last endpoint sharing it).
AUDIT_SCAN_LIMIT = 1_000_000

ENDPOINT: Kind = "sagemaker-endpoint"
CONFIG: Kind = "sagemaker-endpoint-config"
MODEL: Kind = "sagemaker-model"
NOTEBOOK: Kind = "sagemaker-notebook-instance"

# Why a kind is not restorable, for the person who asked; the default covers the rest.
NOT_RESTORABLE: dict[str, str] = {
    CONFIG: "a config is recreated with the endpoint that used it; restore that endpoint's "
    "sagemaker:DeleteEndpoint entry",
    MODEL: "a model is recreated with the endpoint that used it; restore that endpoint's "
    "sagemaker:DeleteEndpoint entry",
    "sagemaker-app": "a Studio app is started again by its user, from Studio",
    "bedrock-provisioned-throughput": "buying provisioned throughput again is a new purchase "
    f"(possibly a new commitment), to be made deliberately; its description is in {AUDIT_COMMAND}",
    "bedrock-custom-model": "a deleted custom model cannot be brought back, only trained or "
    f"imported again; its description (training job, data) is in {AUDIT_COMMAND}",
}
DEFAULT_NOT_RESTORABLE = f"recreate it from its recorded description ({AUDIT_COMMAND})"


class RestoreRefused(Exception):
    """Restore will not do this; the message is one line a person can act on."""


class RestoreFailed(Exception):
    """AWS refused a call part-way through a restore. What was created before it is kept and
    audited (`audit_ids`); running the restore again reuses it and carries on."""

    def __init__(self, message: str, audit_ids: tuple[str, ...]) -> None:
        super().__init__(message)
        self.audit_ids = audit_ids


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RestoreAction(_Frozen):
    """One call restore makes (or would make), with exactly the parameters it sends."""

    op: str  # "sagemaker:CreateModel"
    kind: Kind
    name: str
    arn: str  # the ARN it had, which a recreated resource gets again
    request: dict[str, Any]
    from_audit_id: str  # the entry whose recorded description the request is built from
    # What it needs that restore does not create (role, images, model data), as recorded: if
    # those are gone too, AWS refuses the call.
    references: tuple[str, ...] = ()


class ExistingResource(_Frozen):
    """A dependency that still exists and is used as it is."""

    kind: Kind
    name: str


class RestorePlan(_Frozen):
    audit_id: str
    finding_id: str
    account: str
    region: str
    actions: tuple[RestoreAction, ...]  # in the order they run
    reused: tuple[ExistingResource, ...] = ()


class RestoreResult(_Frozen):
    plan: RestorePlan
    executed: bool
    audit_ids: tuple[str, ...] = ()  # the "restored" entries written (none in a dry run)


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
    planner = _planner_for(entry)  # what is refused outright is refused before any AWS call
    client = clients.client("sagemaker", entry.account, entry.region)
    plan = planner(_Context(entry, store, client))
    if not execute:
        return RestoreResult(plan=plan, executed=False)
    written = _execute(plan, client, store, now, run_id)
    return RestoreResult(plan=plan, executed=True, audit_ids=written)


@dataclass
class _Context:
    """The entry being undone, and where to look things up: AWS now, and the audit log."""

    entry: AuditEntry
    store: Store
    client: Any
    _log: list[AuditEntry] | None = field(default=None, repr=False)

    def log(self) -> list[AuditEntry]:
        """The whole audit log, newest first, read once and only when needed."""
        if self._log is None:
            self._log = self.store.list_audit(limit=AUDIT_SCAN_LIMIT)
        return self._log

    def live(self, kind: Kind, name: str) -> dict[str, Any] | None:
        """The kind's own describe(): the description now, or None when it does not exist."""
        describe = BY_KIND[kind].teardown.describe
        assert describe is not None, f"{kind} has no describe"
        return describe(self.client, self._record(kind, name))

    def _record(self, kind: Kind, name: str) -> ResourceRecord:
        # The restorable kinds' describe() reads only the name; the ARN just fills the record.
        partition = self.entry.target_arn.split(":")[1] or "aws"
        resource = {ENDPOINT: "endpoint", CONFIG: "endpoint-config", MODEL: "model"}.get(
            kind, "notebook-instance"
        )
        arn = (
            f"arn:{partition}:sagemaker:{self.entry.region}:{self.entry.account}:"
            f"{resource}/{name.lower()}"
        )
        return ResourceRecord(
            kind=kind, arn=arn, name=name, account=self.entry.account, region=self.entry.region
        )

    def described(self, entry: AuditEntry) -> dict[str, Any]:
        """The entry's recorded description; a done entry without one falls back to the
        "started" entry its step wrote right before the call."""
        if entry.description.get("describe"):
            return dict(entry.description)
        for other in self.log():
            if (
                other.step_id is not None
                and other.step_id == entry.step_id
                and other.outcome == "started"
                and other.description.get("describe")
            ):
                return dict(other.description)
        return dict(entry.description)

    def recorded_delete(self, kind: Kind, name: str) -> AuditEntry | None:
        """The newest done delete of `kind` `name` in the entry's account and region, from the
        same finding when there is one (it is the teardown being undone)."""
        delete = BY_KIND[kind].teardown.delete
        assert delete is not None
        matches = [
            e
            for e in self.log()
            if e.op == delete.op
            and e.outcome == "done"
            and e.account == self.entry.account
            and e.region == self.entry.region
            and self.described(e).get("name") == name
        ]
        same_finding = [e for e in matches if e.finding_id == self.entry.finding_id]
        chosen = same_finding or matches
        return chosen[0] if chosen else None


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


def _kind_of(entry: AuditEntry) -> Kind:
    """The kind whose delete or stop the entry records."""
    for spec in REGISTRY:
        ops = (spec.teardown.stop, spec.teardown.delete)
        if any(o is not None and o.op == entry.op for o in ops):
            return spec.kind
    raise RestoreRefused(
        f"audit entry {entry.id} records {entry.op}, which is not a watchdog delete or stop: "
        "there is nothing to undo"
    )


def _planner_for(entry: AuditEntry) -> Callable[[_Context], RestorePlan]:
    """How the entry's change is undone (the one decision of what to create or start, shared
    by dry and real runs), or why it cannot be."""
    kind = _kind_of(entry)
    if entry.op == "sagemaker:DeleteEndpoint":
        return _plan_endpoint
    if entry.op == "sagemaker:StopNotebookInstance":
        return _plan_notebook_start
    if entry.op == "sagemaker:DeleteNotebookInstance":
        name = entry.description.get("name") or entry.target_arn
        raise RestoreRefused(
            f"notebook instance {name} was deleted, and its ML storage volume with it: it "
            f"cannot be restored; its recorded description is in {AUDIT_COMMAND}"
        )
    reason = NOT_RESTORABLE.get(kind, DEFAULT_NOT_RESTORABLE)
    raise RestoreRefused(f"{RESTORE_SCOPE}; {kind} is not restorable: {reason}")


def _name(ctx: _Context, entry: AuditEntry) -> str:
    name = ctx.described(entry).get("name")
    if not name:
        raise RestoreRefused(f"audit entry {entry.id} recorded no resource name: cannot restore")
    return str(name)


def _plan_notebook_start(ctx: _Context) -> RestorePlan:
    """Start it again, if it is still there and still stopped."""
    name = _name(ctx, ctx.entry)
    live = ctx.live(NOTEBOOK, name)
    if live is None:
        raise RestoreRefused(
            f"notebook instance {name} was deleted after it was stopped, and its ML storage "
            f"volume with it: there is nothing to start; its description is in {AUDIT_COMMAND}"
        )
    status = live.get("NotebookInstanceStatus")
    if status != "Stopped":
        raise RestoreRefused(
            f"notebook instance {name} is {status}, not Stopped: only a stopped notebook "
            "instance can be started again"
        )
    start = RestoreAction(
        op="sagemaker:StartNotebookInstance",
        kind=NOTEBOOK,
        name=name,
        arn=ctx.entry.target_arn,
        request={"NotebookInstanceName": name},
        from_audit_id=ctx.entry.id,
    )
    return _plan(ctx, (start,), ())


def _plan(
    ctx: _Context, actions: Iterable[RestoreAction], reused: Iterable[ExistingResource]
) -> RestorePlan:
    return RestorePlan(
        audit_id=ctx.entry.id,
        finding_id=ctx.entry.finding_id,
        account=ctx.entry.account,
        region=ctx.entry.region,
        actions=tuple(actions),
        reused=tuple(reused),
    )


def _plan_endpoint(ctx: _Context) -> RestorePlan:
    """Models, then the config, then the endpoint; what still exists is reused as it is."""
    recorded = ctx.described(ctx.entry)
    endpoint = recorded.get("describe") or {}
    name = str(recorded.get("name") or endpoint.get("EndpointName") or "")
    if not name or not endpoint.get("EndpointConfigName"):
        raise RestoreRefused(
            f"audit entry {ctx.entry.id} recorded no description of the endpoint: there is "
            "nothing to recreate it from"
        )
    live = ctx.live(ENDPOINT, name)
    if live is not None:
        raise RestoreRefused(
            f"endpoint {name} exists again ({live.get('EndpointStatus')}): there is nothing "
            "to restore"
        )
    config_name = str(endpoint["EndpointConfigName"])
    config, config_action = _dependency(ctx, CONFIG, config_name, "endpoint config")
    actions: list[RestoreAction] = []
    reused = [] if config_action else [ExistingResource(kind=CONFIG, name=config_name)]
    for model_name in _model_names(name, config):
        _, model_action = _dependency(ctx, MODEL, model_name, "model")
        if model_action is None:
            reused.append(ExistingResource(kind=MODEL, name=model_name))
        else:
            actions.append(model_action)
    if config_action is not None:
        actions.append(config_action)
    actions.append(
        RestoreAction(
            op="sagemaker:CreateEndpoint",
            kind=ENDPOINT,
            name=name,
            arn=ctx.entry.target_arn,
            request=with_tags({"EndpointName": name, "EndpointConfigName": config_name}, recorded),
            from_audit_id=ctx.entry.id,
        )
    )
    return _plan(ctx, actions, reused)


def _dependency(
    ctx: _Context, kind: Kind, name: str, what: str
) -> tuple[dict[str, Any], RestoreAction | None]:
    """The dependency's description, and the action recreating it if it is gone (None when
    it exists and is reused)."""
    live = ctx.live(kind, name)
    if live is not None:
        return live, None
    source = ctx.recorded_delete(kind, name)
    if source is None:
        raise RestoreRefused(
            f"{what} {name} was deleted outside the watchdog and no description of it was "
            f"recorded: recreate it first, then run restore {ctx.entry.id} again"
        )
    recorded = ctx.described(source)
    described = recorded.get("describe") or {}
    if not described:
        raise RestoreRefused(
            f"{what} {name} was deleted by the watchdog (audit entry {source.id}) but no "
            f"description of it was recorded: recreate it first, then run restore "
            f"{ctx.entry.id} again"
        )
    operation = "CreateEndpointConfig" if kind == CONFIG else "CreateModel"
    request = with_tags(fit_to_input(ctx.client, operation, described), recorded)
    action = RestoreAction(
        op=f"sagemaker:{operation}",
        kind=kind,
        name=name,
        arn=source.target_arn,
        request=request,
        from_audit_id=source.id,
        references=references(request) if kind == MODEL else (),
    )
    return described, action


def _model_names(endpoint: str, config: Mapping[str, Any]) -> list[str]:
    """The models the config's variants (shadow ones included) name, each once, in order.

    A variant that names no model hosts inference components, which restore does not
    recreate: the endpoint would come back billing for instances that serve nothing.
    """
    variants = [*config.get("ProductionVariants", []), *config.get("ShadowProductionVariants", [])]
    hosts = [v.get("VariantName", "?") for v in variants if not v.get("ModelName")]
    if hosts:
        raise RestoreRefused(
            f"endpoint {endpoint} hosted inference components (variant {', '.join(hosts)} names "
            f"no model), which restore does not recreate; its description is in {AUDIT_COMMAND}"
        )
    return list(dict.fromkeys(str(v["ModelName"]) for v in variants))


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
