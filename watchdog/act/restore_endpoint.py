"""Planning the restore of a deleted endpoint: its models, then its config, then itself.

The endpoint is recreated from its own delete entry; the config and each model it names are
recreated from the newest recorded delete of them (restore_plan.Context.recorded_delete), or
used as they are when they still exist. The requests keep only what the Create calls accept
(restore_requests). An endpoint that hosted inference components is refused: restore does not
recreate those, and the endpoint would bill for instances serving nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from watchdog.act.restore_plan import (
    AUDIT_COMMAND,
    CONFIG,
    ENDPOINT,
    MODEL,
    Context,
    ExistingResource,
    RestoreAction,
    RestorePlan,
    RestoreRefused,
    plan_of,
)
from watchdog.act.restore_requests import fit_to_input, references, with_tags
from watchdog.records import Kind


def plan_endpoint(ctx: Context) -> RestorePlan:
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
    return plan_of(ctx, actions, reused)


def _dependency(
    ctx: Context, kind: Kind, name: str, what: str
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
