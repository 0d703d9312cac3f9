"""Application Auto Scaling on SageMaker endpoint variants, as AWS documents it, where moto keeps
the scalable targets apart from the endpoints they scale.

- Registering or updating a variant's target puts its instance count inside the new range:
  "If the specified resource is not active in the target service, this operation does not change
  the resource's current capacity. Otherwise, it changes the resource's current capacity to a
  value that is inside of this range" (Application Auto Scaling API reference,
  RegisterScalableTarget). A parked asynchronous endpoint whose minimum is put back comes back
  with that many instances; lowering the minimum to zero changes nothing by itself (its scaling
  policy scales it in, which the sandbox does not run).
- Deleting an endpoint deregisters its variants' targets: "If you delete an endpoint, Application
  Auto Scaling checks to see whether any of the models on that endpoint are targets for auto
  scaling. If any are ... Application Auto Scaling deregisters those models as scalable targets"
  (SageMaker developer guide, "Delete endpoints configured for auto scaling").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.applicationautoscaling.models import (
    ApplicationAutoscalingBackend,
    applicationautoscaling_backends,
)
from moto.sagemaker.models import SageMakerModelBackend, sagemaker_backends

from watchdog_sandbox import sagemaker_common as common

_TAG = "watchdog.sagemaker_variant_scaling"
NAMESPACE = "sagemaker"
DIMENSION = "sagemaker:variant:DesiredInstanceCount"


def install() -> None:
    common.wrap_method(
        ApplicationAutoscalingBackend, "register_scalable_target", _TAG, _registering
    )
    common.wrap_method(SageMakerModelBackend, "delete_endpoint", _TAG, _deleting)


def _registering(original: Callable[..., Any]) -> Callable[..., Any]:
    def register_scalable_target(
        self: Any, namespace: str, r_id: str, dimension: str, *args: Any, **kw: Any
    ) -> Any:
        target = original(self, namespace, r_id, dimension, *args, **kw)
        if namespace == NAMESPACE and dimension == DIMENSION:
            _into_range(self, r_id, target.min_capacity, target.max_capacity)
        return target

    return register_scalable_target


def _into_range(backend: Any, resource_id: str, low: int | None, high: int | None) -> None:
    parts = resource_id.split("/")
    if len(parts) != 4 or parts[0] != "endpoint" or parts[2] != "variant":
        return
    sagemaker = sagemaker_backends[backend.account_id][backend.region_name]
    endpoint = sagemaker.endpoints.get(parts[1])
    if endpoint is None:
        return  # not active in the target service: its capacity is not changed
    for variant in endpoint.production_variants:
        if variant.get("VariantName") != parts[3]:
            continue
        count = int(variant.get("CurrentInstanceCount") or 0)
        count = max(count, low) if low is not None else count
        count = min(count, high) if high is not None else count
        variant["CurrentInstanceCount"] = variant["DesiredInstanceCount"] = count


def _deleting(original: Callable[..., None]) -> Callable[..., None]:
    def delete_endpoint(self: Any, endpoint_name: str) -> None:
        original(self, endpoint_name)
        scaling = applicationautoscaling_backends[self.account_id][self.region_name]
        prefix = f"endpoint/{endpoint_name}/variant/"
        by_id = scaling.targets.get(DIMENSION, {})
        for resource_id in [r for r in by_id if r.startswith(prefix)]:
            del by_id[resource_id]

    return delete_endpoint
