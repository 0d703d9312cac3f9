"""Planning the restore of a deleted resource from what its kind declares (`Restore.recreate`):
what it used first (an endpoint's config, the config's models), then itself.

The resource is recreated from its own delete entry; each resource it uses is recreated from
the newest recorded delete of it (plan.Context.recorded_delete), or used as it is when it
still exists. The requests keep only what the Create calls accept (the kind's own request
builder) plus the recorded tags. What a kind's description shows that restore does not recreate
(an endpoint that hosted inference components) is refused by the kind itself.
"""

from __future__ import annotations

from typing import Any

from watchdog.act.restore.plan import (
    Context,
    ExistingResource,
    RestoreAction,
    RestorePlan,
    RestoreRefused,
    plan_of,
)
from watchdog.kinds import BY_KIND
from watchdog.kinds.base import KindSpec, Recreate
from watchdog.store.base import AuditEntry


def plan_recreate(ctx: Context, spec: KindSpec) -> RestorePlan:
    """What it uses (recreated or reused), then the resource itself."""
    recreate = _recreate_of(spec)
    recorded = ctx.described(ctx.entry)
    described = recorded.get("describe") or {}
    name = str(recorded.get("name") or "")
    if not name or not described:
        raise RestoreRefused(
            f"audit entry {ctx.entry.id} recorded no description of the {recreate.noun}: there "
            "is nothing to recreate it from"
        )
    live = ctx.live(spec.kind, name)
    if live is not None:
        raise RestoreRefused(
            f"{recreate.noun} {name} exists again ({spec.teardown.status(live)}): there is "
            "nothing to restore"
        )
    actions: list[RestoreAction] = []
    reused: list[ExistingResource] = []
    _uses_first(ctx, spec, described, actions, reused)
    actions.append(_action(ctx, spec, name, ctx.entry, recorded))
    return plan_of(ctx, actions, reused)


def _recreate_of(spec: KindSpec) -> Recreate:
    recreate = spec.restore.recreate
    if recreate is None:
        raise RestoreRefused(f"{spec.kind} is not recreated: {spec.restore.why_not}")
    return recreate


def _uses_first(
    ctx: Context,
    spec: KindSpec,
    described: dict[str, Any],
    actions: list[RestoreAction],
    reused: list[ExistingResource],
) -> None:
    """Each resource `described` uses: reused when it exists, else recreated (after what it
    uses in turn) from the watchdog's recorded delete of it."""
    for uses in _recreate_of(spec).uses:
        used_spec = BY_KIND[uses.kind]
        noun = _recreate_of(used_spec).noun
        for used_name in uses.names(described):
            live = ctx.live(uses.kind, used_name)
            if live is not None:
                reused.append(ExistingResource(kind=uses.kind, name=used_name))
                _uses_first(ctx, used_spec, live, actions, reused)
                continue
            source = ctx.recorded_delete(uses.kind, used_name)
            if source is None:
                raise RestoreRefused(
                    f"{noun} {used_name} was deleted outside the watchdog and no description "
                    f"of it was recorded: recreate it first, then run restore {ctx.entry.id} "
                    "again"
                )
            recorded = ctx.described(source)
            used_described = recorded.get("describe") or {}
            if not used_described:
                raise RestoreRefused(
                    f"{noun} {used_name} was deleted by the watchdog (audit entry {source.id}) "
                    "but no description of it was recorded: recreate it first, then run "
                    f"restore {ctx.entry.id} again"
                )
            _uses_first(ctx, used_spec, used_described, actions, reused)
            actions.append(_action(ctx, used_spec, used_name, source, recorded))


def _action(
    ctx: Context, spec: KindSpec, name: str, source: AuditEntry, recorded: dict[str, Any]
) -> RestoreAction:
    recreate = _recreate_of(spec)
    described = recorded.get("describe") or {}
    request = recreate.add_tags(recreate.request(ctx.client, described, name), recorded)
    return RestoreAction(
        op=recreate.op,
        kind=spec.kind,
        name=name,
        arn=source.target_arn,
        request=request,
        from_audit_id=source.id,
        references=recreate.references(request),
    )
