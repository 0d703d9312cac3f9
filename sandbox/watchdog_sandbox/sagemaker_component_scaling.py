"""Scale to zero for endpoints of inference components, which moto lacks.

- UpdateInferenceComponentRuntimeConfig sets a component's copies (`DesiredRuntimeConfig.
  CopyCount`, minimum 0 in botocore's model); like UpdateInferenceComponent it is asynchronous
  (Updating -> InService) and accepted only while the component is InService.
- Managed instance scaling follows the copies: a variant whose config enables it with
  MinInstanceCount 0 releases its instances once no component on it has a copy, and gets them
  back when one does (SageMaker developer guide, "Scale an endpoint to zero instances"). How
  many instances AWS starts for the copies is its own placement; the sandbox gives back the count
  the variant had.
- Registering a component's scalable target (`sagemaker:inference-component:DesiredCopyCount`)
  puts its copies inside the new range, as RegisterScalableTarget does for any active resource.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.applicationautoscaling import models as autoscaling_models
from moto.applicationautoscaling.models import ApplicationAutoscalingBackend
from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse
from moto.core.responses import ActionResult
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.models import sagemaker_backends

from watchdog_sandbox import sagemaker_common as common
from watchdog_sandbox.sagemaker_inference_components import (
    InferenceComponent,
    _find,
    live_components,
)

_TAG = "watchdog.sagemaker_component_scaling"
DIMENSION = "sagemaker:inference-component:DesiredCopyCount"
_RELEASED = "_watchdog_released_instances"  # on a variant's dict: the count it had


def install() -> None:
    common.add_actions(
        {"update_inference_component_runtime_config": update_inference_component_runtime_config}
    )
    common.wrap_method(
        ApplicationAutoscalingBackend, "register_scalable_target", _TAG, _registering
    )
    # moto's list of scalable dimensions predates inference components and refuses theirs,
    # which AWS accepts (botocore's ScalableDimension enum lists it).
    common.wrap_method(
        ApplicationAutoScalingResponse, "_validate_params", _TAG, _accepting_components
    )
    common.wrap_method(
        autoscaling_models, "_target_params_are_valid", _TAG, _accepting_component_targets
    )


def _accepting_components(original: Callable[..., None]) -> Callable[..., None]:
    def _validate_params(self: Any) -> None:
        if self._get_param("ScalableDimension") == DIMENSION:
            return  # the namespace is the dimension's own: "sagemaker"
        original(self)

    return _validate_params


def _accepting_component_targets(original: Callable[..., bool]) -> Callable[..., bool]:
    def _target_params_are_valid(namespace: str, r_id: str, dimension: str) -> bool:
        component = r_id.startswith("inference-component/")
        if dimension == DIMENSION and namespace == "sagemaker" and component:
            return True
        return original(namespace, r_id, dimension)

    return _target_params_are_valid


def update_inference_component_runtime_config(self: Any) -> ActionResult:
    account_id, region = self.current_account, self.region
    component = _find(account_id, region, self._get_param("InferenceComponentName"))
    if component.status.peek() != "InService":
        raise ValidationError(
            f"Inference component {component.name} is {component.status.peek()}: only an "
            "InService inference component can be updated."
        )
    copies = (self._get_param("DesiredRuntimeConfig") or {}).get("CopyCount")
    if copies is None:
        raise ValidationError("DesiredRuntimeConfig.CopyCount must be provided.")
    set_copies(account_id, region, component, int(copies))
    return ActionResult({"InferenceComponentArn": component.arn})


def set_copies(account_id: str, region: str, component: InferenceComponent, copies: int) -> None:
    component.current_copies = component.desired_copies
    component.desired_copies = copies
    component.modified = common.now()
    component.status.begin("Updating", "InService")
    fit_instances(account_id, region, component.endpoint_name, component.variant_name)


def fit_instances(account_id: str, region: str, endpoint_name: str, variant_name: str) -> None:
    """Managed instance scaling with MinInstanceCount 0: no copies, no instances."""
    backend = sagemaker_backends[account_id][region]
    endpoint = backend.endpoints.get(endpoint_name)
    if endpoint is None:
        return
    config = backend.endpoint_configs.get(endpoint.endpoint_config_name)
    configured = {v["VariantName"]: v for v in (config.production_variants if config else [])}
    scaling = configured.get(variant_name, {}).get("ManagedInstanceScaling") or {}
    if scaling.get("Status") != "ENABLED" or int(scaling.get("MinInstanceCount", 1)) != 0:
        return
    copies = sum(
        c.desired_copies or 0
        for c in live_components(account_id, region)
        if c.endpoint_name == endpoint_name and c.variant_name == variant_name
    )
    for variant in endpoint.production_variants:
        if variant.get("VariantName") != variant_name:
            continue
        count = int(variant.get("CurrentInstanceCount") or 0)
        if copies == 0 and count > 0:
            variant[_RELEASED] = count
            variant["CurrentInstanceCount"] = variant["DesiredInstanceCount"] = 0
        elif copies > 0 and count == 0:
            back = int(variant.pop(_RELEASED, 1))
            variant["CurrentInstanceCount"] = variant["DesiredInstanceCount"] = back


def _registering(original: Callable[..., Any]) -> Callable[..., Any]:
    def register_scalable_target(
        self: Any, namespace: str, r_id: str, dimension: str, *args: Any, **kw: Any
    ) -> Any:
        target = original(self, namespace, r_id, dimension, *args, **kw)
        if namespace == "sagemaker" and dimension == DIMENSION:
            _into_range(self, r_id, target.min_capacity, target.max_capacity)
        return target

    return register_scalable_target


def _into_range(backend: Any, resource_id: str, low: int | None, high: int | None) -> None:
    kind, _, name = resource_id.partition("/")
    if kind != "inference-component":
        return
    found = [c for c in live_components(backend.account_id, backend.region_name) if c.name == name]
    if not found or found[0].desired_copies is None:
        return  # not active: its copies are not changed
    component = found[0]
    count = component.desired_copies or 0
    wanted = min(max(count, low if low is not None else count), high if high is not None else count)
    if wanted != count:
        set_copies(backend.account_id, backend.region_name, component, wanted)
