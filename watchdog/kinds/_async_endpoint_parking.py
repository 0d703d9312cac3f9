"""How an asynchronous SageMaker endpoint is parked: by lowering its auto scaling minimum to zero.

Asynchronous endpoints are the one kind of instance-backed endpoint that AWS lets scale in to zero
instances, through Application Auto Scaling with MinCapacity 0 ("Unlike other hosted models
Amazon SageMaker AI supports, with Asynchronous Inference you can also scale down your
asynchronous endpoints instances to zero. Requests that are received when there are zero
instances are queued for processing once the endpoint scales up": SageMaker developer guide,
"Autoscale an asynchronous endpoint"). So parking keeps the endpoint, its URL and its queue:
the park lowers each variant's scalable-target minimum to zero, and its own scaling policy then
scales it in once the queue is empty; a request sent while parked waits in the queue and scales
it out again. Resuming registers the minimums the park recorded, and "If the specified resource
is ... active ... [RegisterScalableTarget] changes the resource's current capacity to a value that
is inside of this range" (Application Auto Scaling API reference, RegisterScalableTarget), so the
instances come back at once. Parameters left out of the update "are not changed by this update
request": the maximum, the policies and the suspended state stay as they were.

The state this changes is not the endpoint's status, which stays InService: the steps read the
scalable targets and name it KeepsInstances (some minimum above zero), ScalesToZero (every
minimum zero) or NotAutoScaled (no target: nothing to lower, and no scaling is ever added).
Someone who raises a minimum while it is parked has resumed it: the resume then changes nothing.
"""

from __future__ import annotations

from typing import Any

from watchdog.kinds._calls import description_or_gone
from watchdog.kinds._operation import RECORDED
from watchdog.kinds._park import Park, in_place
from watchdog.kinds.base import AccountClients
from watchdog.records import ResourceRecord

AUTOSCALING = "application-autoscaling"
NAMESPACE = "sagemaker"
DIMENSION = "sagemaker:variant:DesiredInstanceCount"
REGISTER = "application-autoscaling:RegisterScalableTarget"
KEEPS_INSTANCES, SCALES_TO_ZERO, NOT_AUTO_SCALED = "KeepsInstances", "ScalesToZero", "NotAutoScaled"
TARGET_FIELDS = ("ResourceId", "ScalableDimension", "MinCapacity", "MaxCapacity")


def is_asynchronous(record: ResourceRecord) -> bool:
    return record.attributes.get("invocation_mode") == "asynchronous"


def _targets(autoscaling: Any, record: ResourceRecord) -> list[dict[str, Any]]:
    ids = [f"endpoint/{record.name}/variant/{v.name}" for v in record.variants]
    found = autoscaling.describe_scalable_targets(
        ServiceNamespace=NAMESPACE, ResourceIds=ids, ScalableDimension=DIMENSION
    )
    return [
        {field: target[field] for field in TARGET_FIELDS}
        for target in found.get("ScalableTargets", [])
    ]


def scaling_now(clients: AccountClients, record: ResourceRecord) -> dict[str, Any] | None:
    """The endpoint's status and its variants' scalable targets; None when it is gone."""
    sagemaker = clients.client("sagemaker", record.account, record.region)
    endpoint = description_or_gone(lambda: sagemaker.describe_endpoint(EndpointName=record.name))
    if endpoint is None:
        return None
    autoscaling = clients.client(AUTOSCALING, record.account, record.region)
    return {
        "EndpointStatus": endpoint.get("EndpointStatus"),
        "EndpointConfigName": endpoint.get("EndpointConfigName"),
        "ScalableTargets": _targets(autoscaling, record),
    }


def scaling_status(described: dict[str, Any] | None) -> str | None:
    """KeepsInstances while any minimum is above zero, ScalesToZero once none is. A resume reads
    only the targets its park lowered (and that still exist): it is back once each of those
    keeps instances again, whoever put the minimum back."""
    if described is None:
        return None
    minimums = {t["ResourceId"]: t["MinCapacity"] for t in described.get("ScalableTargets") or []}
    recorded = described.get(RECORDED)
    if recorded is not None:
        minimums = {r: minimums[r] for r in lowered(recorded) if r in minimums}
    if not minimums:
        return NOT_AUTO_SCALED
    # Parked once none keeps an instance; back only once every lowered one does (a resume
    # that died after its first variant is not back: the next run puts back the others).
    back = all if recorded is not None else any
    return KEEPS_INSTANCES if back(m > 0 for m in minimums.values()) else SCALES_TO_ZERO


def lowered(recorded: dict[str, Any]) -> dict[str, int]:
    """The targets a park lowered, with the minimums it found: those above zero."""
    targets = recorded.get("ScalableTargets") or []
    return {t["ResourceId"]: t["MinCapacity"] for t in targets if t["MinCapacity"] > 0}


def lower_minimums(autoscaling: Any, record: ResourceRecord, described: dict[str, Any]) -> None:
    """Each minimum above zero, as the step just read them, to zero."""
    for target in described.get("ScalableTargets") or []:
        if target["MinCapacity"] > 0:
            autoscaling.register_scalable_target(
                ServiceNamespace=NAMESPACE,
                ResourceId=target["ResourceId"],
                ScalableDimension=target["ScalableDimension"],
                MinCapacity=0,
            )


def put_back_minimums(autoscaling: Any, record: ResourceRecord, described: dict[str, Any]) -> None:
    """The minimums the park found before lowering them (under RECORDED), on the targets the
    step just read still at zero (one someone raised meanwhile is theirs)."""
    now = {t["ResourceId"]: t["MinCapacity"] for t in described.get("ScalableTargets") or []}
    for resource_id, minimum in lowered(described.get(RECORDED) or {}).items():
        if now.get(resource_id) == 0:
            autoscaling.register_scalable_target(
                ServiceNamespace=NAMESPACE,
                ResourceId=resource_id,
                ScalableDimension=DIMENSION,
                MinCapacity=minimum,
            )


def async_parking() -> Park:
    park, resume = in_place(
        REGISTER,
        running=KEEPS_INSTANCES,
        parked=SCALES_TO_ZERO,
        changed=("MinCapacity", "0"),
        why=(
            "an asynchronous endpoint is parked by lowering the minimum of its variants' "
            "auto scaling to zero; the watchdog adds no scaling it did not find",
            "an asynchronous endpoint is resumed only while its minimum is still zero",
        ),
        park=lower_minimums,
        put_back=put_back_minimums,
        reads=scaling_now,
        status_of=scaling_status,
        service=AUTOSCALING,
    )
    return Park(
        park=park,
        resume=resume,
        keeps="the endpoint, its URL and its queue: requests sent while parked wait and scale "
        "it out",
        resume_takes="minutes: its instances start as soon as its minimum is put back",
        # Who calls RegisterScalableTarget for an endpoint also needs these on SageMaker
        # (Application Auto Scaling user guide, "identity-based policy examples": "SageMaker
        # endpoints"); its alarm actions are for scaling policies, which the park leaves alone.
        iam=(
            "sagemaker:DescribeEndpointConfig",
            "sagemaker:UpdateEndpointWeightsAndCapacities",
        ),
        reads=(
            "application-autoscaling:DescribeScalableTargets",
            "sagemaker:DescribeEndpoint",
        ),
        applies=is_asynchronous,
    )
