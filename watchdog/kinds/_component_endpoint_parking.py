"""How a SageMaker endpoint that hosts inference components is parked: each component goes to
zero copies, and the endpoint's managed instance scaling then takes its instances to zero.

AWS's scale to zero (SageMaker developer guide, "Scale an endpoint to zero instances", December
2024): an endpoint whose variants use managed instance scaling with `MinInstanceCount` 0 releases
its instances once none of its components has a copy; a component's copies are set with
`UpdateInferenceComponentRuntimeConfig` (`CopyCount`, minimum 0 in botocore's model). A component
auto scaled through Application Auto Scaling (dimension
`sagemaker:inference-component:DesiredCopyCount`) whose minimum is above zero would be scaled
straight back, so the park lowers that minimum to zero first (parameters left out of
RegisterScalableTarget "are not changed by this update request"). The park records the copy
counts and minimums it found; the resume puts back the copies, then the minimums, on the
components and targets still at zero (what someone changed while parked is theirs).

An endpoint whose instances are not managed down to zero would keep billing with no copies:
refused, with the reason (its MinInstanceCount lives in its endpoint config, which only a new
config changes). The state read is the components' (the endpoint stays InService): Serving
while any copy or minimum is above zero, ScaledToZero once none is, Updating while AWS applies a
change.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from watchdog.kinds._calls import description_or_gone
from watchdog.kinds._operation import EVERY_SERVICE, RECORDED
from watchdog.kinds._park import Park, in_place
from watchdog.kinds.base import AccountClients
from watchdog.records import ResourceRecord

UPDATE = "sagemaker:UpdateInferenceComponentRuntimeConfig"
AUTOSCALING = "application-autoscaling"
DIMENSION = "sagemaker:inference-component:DesiredCopyCount"
# The endpoint attribute sagemaker_endpoint records from its config: the least MinInstanceCount
# of its managed instance scaling, "" when its instances are not managed.
INSTANCE_MINIMUM = "managed_instance_minimum"
SERVING, SCALED_TO_ZERO, UPDATING, NO_COMPONENTS = (
    "Serving",
    "ScaledToZero",
    "Updating",
    "NoComponents",
)
CHANGING = frozenset({"Creating", "Updating"})


def hosts_components(record: ResourceRecord) -> bool:
    return (
        not record.attributes.get("model_names")
        and record.attributes.get("invocation_mode") != "asynchronous"
    )


def refuses(record: ResourceRecord) -> str | None:
    minimum = record.attributes.get(INSTANCE_MINIMUM, "")
    if minimum == "0":
        return None
    keeps = (
        f"its managed instance scaling keeps at least {minimum} instance(s)"
        if minimum
        else "its instances are not managed by instance scaling"
    )
    return (
        f"{keeps}, so its components at zero copies would save nothing; an endpoint config "
        "with ManagedInstanceScaling MinInstanceCount 0 makes it parkable"
    )


def _components(sagemaker: Any, record: ResourceRecord) -> list[dict[str, Any]]:
    found = []
    pages = sagemaker.get_paginator("list_inference_components").paginate(
        EndpointNameEquals=record.name
    )
    for summary in (s for page in pages for s in page.get("InferenceComponents", [])):
        name = summary["InferenceComponentName"]
        detail = description_or_gone(
            partial(sagemaker.describe_inference_component, InferenceComponentName=name)
        )
        runtime = (detail or {}).get("RuntimeConfig")
        if detail is None or runtime is None:
            continue  # gone meanwhile, or an adapter, which has no copies of its own
        found.append(
            {
                "InferenceComponentName": name,
                "Status": detail.get("InferenceComponentStatus"),
                "CopyCount": runtime["DesiredCopyCount"],
            }
        )
    return found


def _targets(autoscaling: Any, names: list[str]) -> list[dict[str, Any]]:
    if not names:
        return []
    found = autoscaling.describe_scalable_targets(
        ServiceNamespace="sagemaker",
        ResourceIds=[f"inference-component/{name}" for name in names],
        ScalableDimension=DIMENSION,
    )
    return [
        {"ResourceId": t["ResourceId"], "MinCapacity": t["MinCapacity"]}
        for t in found.get("ScalableTargets", [])
    ]


def components_now(clients: AccountClients, record: ResourceRecord) -> dict[str, Any] | None:
    """The endpoint's status, its components' copy counts and their scaling minimums."""
    sagemaker = clients.client("sagemaker", record.account, record.region)
    endpoint = description_or_gone(lambda: sagemaker.describe_endpoint(EndpointName=record.name))
    if endpoint is None:
        return None
    components = _components(sagemaker, record)
    autoscaling = clients.client(AUTOSCALING, record.account, record.region)
    names = [c["InferenceComponentName"] for c in components]
    return {
        "EndpointStatus": endpoint.get("EndpointStatus"),
        "Components": components,
        "ScalableTargets": _targets(autoscaling, names),
    }


def copies(described: dict[str, Any]) -> dict[str, int]:
    return {c["InferenceComponentName"]: c["CopyCount"] for c in described.get("Components") or []}


def minimums(described: dict[str, Any]) -> dict[str, int]:
    targets = described.get("ScalableTargets") or []
    return {t["ResourceId"]: t["MinCapacity"] for t in targets}


def components_status(described: dict[str, Any] | None) -> str | None:
    """A park's view: Serving while anything is above zero. A resume's (its park's record
    under RECORDED): Serving once everything the park lowered, and still exists, is back."""
    if described is None:
        return None
    if any(c["Status"] in CHANGING for c in described.get("Components") or []):
        return UPDATING
    now = [*copies(described).values(), *minimums(described).values()]
    recorded = described.get(RECORDED)
    if recorded is not None:
        now_copies, now_minimums = copies(described), minimums(described)
        lowered_copies, lowered_minimums = lowered(recorded)
        now = [now_copies[n] for n in lowered_copies if n in now_copies]
        now += [now_minimums[r] for r in lowered_minimums if r in now_minimums]
        if not now:
            return NO_COMPONENTS
        return SERVING if all(value > 0 for value in now) else SCALED_TO_ZERO
    if not described.get("Components"):
        return NO_COMPONENTS
    return SERVING if any(value > 0 for value in now) else SCALED_TO_ZERO


def lowered(recorded: dict[str, Any]) -> tuple[dict[str, int], dict[str, int]]:
    """The copy counts and minimums a park found above zero (and so lowered)."""
    found_copies = {n: c for n, c in copies(recorded).items() if c > 0}
    found_minimums = {r: m for r, m in minimums(recorded).items() if m > 0}
    return found_copies, found_minimums


def park_components(clients: AccountClients, record: ResourceRecord, now: dict[str, Any]) -> None:
    """Minimums to zero first (or auto scaling brings the copies straight back), then copies:
    those above zero as the step just read them."""
    autoscaling = clients.client(AUTOSCALING, record.account, record.region)
    for resource_id, minimum in minimums(now).items():
        if minimum > 0:
            autoscaling.register_scalable_target(
                ServiceNamespace="sagemaker",
                ResourceId=resource_id,
                ScalableDimension=DIMENSION,
                MinCapacity=0,
            )
    sagemaker = clients.client("sagemaker", record.account, record.region)
    for name, count in copies(now).items():
        if count > 0:
            sagemaker.update_inference_component_runtime_config(
                InferenceComponentName=name, DesiredRuntimeConfig={"CopyCount": 0}
            )


def resume_components(clients: AccountClients, record: ResourceRecord, now: dict[str, Any]) -> None:
    """What the park found (under RECORDED): copies first (the instances start for them), then
    the minimums, each only where the step just read it still at zero."""
    lowered_copies, lowered_minimums = lowered(now.get(RECORDED) or {})
    sagemaker = clients.client("sagemaker", record.account, record.region)
    for name, count in lowered_copies.items():
        if copies(now).get(name) == 0:
            sagemaker.update_inference_component_runtime_config(
                InferenceComponentName=name, DesiredRuntimeConfig={"CopyCount": count}
            )
    autoscaling = clients.client(AUTOSCALING, record.account, record.region)
    for resource_id, minimum in lowered_minimums.items():
        if minimums(now).get(resource_id) == 0:
            autoscaling.register_scalable_target(
                ServiceNamespace="sagemaker",
                ResourceId=resource_id,
                ScalableDimension=DIMENSION,
                MinCapacity=minimum,
            )


def component_parking() -> Park:
    park, resume = in_place(
        UPDATE,
        running=SERVING,
        parked=SCALED_TO_ZERO,
        changed=("CopyCount", "0"),
        why=(
            "an endpoint's components are scaled to zero copies only while it serves and no "
            "change is under way",
            "an endpoint's components are brought back only while they are still at zero",
        ),
        park=park_components,
        put_back=resume_components,
        reads=components_now,
        status_of=components_status,
        service=EVERY_SERVICE,
        underway=frozenset({UPDATING}),
    )
    return Park(
        park=park,
        resume=resume,
        keeps="the endpoint, its URL, its config, its components and their models; its "
        "instances go to zero once no copy needs them",
        resume_takes="minutes: instances start and each component's copies load again",
        refuses=refuses,
        # Lowering a component's minimum is RegisterScalableTarget's; who calls it on SageMaker
        # needs the target's own actions too (AWSApplicationAutoscalingSageMakerEndpointPolicy
        # lists DescribeInferenceComponent and UpdateInferenceComponentRuntimeConfig).
        iam=("application-autoscaling:RegisterScalableTarget",),
        reads=(
            "sagemaker:DescribeEndpoint",
            "sagemaker:ListInferenceComponents",
            "sagemaker:DescribeInferenceComponent",
            "application-autoscaling:DescribeScalableTargets",
        ),
        applies=hosts_components,
    )
