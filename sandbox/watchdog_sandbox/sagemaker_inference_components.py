"""Inference components: Create/Describe/List/Update/DeleteInferenceComponent, which moto lacks.

An inference component deploys a model onto an existing endpoint's production variant with a
number of copies (API_CreateInferenceComponent). UpdateInferenceComponent and
DeleteInferenceComponent are asynchronous (Updating -> InService; Deleting -> gone, see
`transitions`). Like the rest of SageMaker hosting, lookups that fail answer ValidationException.

DeleteEndpoint is refused while inference components are still attached: AWS's console deletes
them first and users report the API refusing otherwise (dev guide "Delete Endpoints and
Resources"; amazon-sagemaker-feedback #49). The exact error is undocumented: ValidationException.

Endpoints that host inference components have production variants without a ModelName; moto's
CreateEndpointConfig crashes on those, so its model check is made to skip them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from moto.core.responses import ActionResult, EmptyResult
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.models import SageMakerModelBackend, sagemaker_backends

from watchdog_sandbox import sagemaker_common as common
from watchdog_sandbox.transitions import AsyncStatus

_TAG = "watchdog.sagemaker_inference_components"
_SORT_KEYS = {"Name": "name", "CreationTime": "created", "Status": "status_now"}


@dataclass
class InferenceComponent:
    resource_type: ClassVar[str] = "sagemaker:inference-component"

    name: str
    arn: str
    endpoint_name: str
    endpoint_arn: str
    variant_name: str
    specification: dict[str, Any] | None
    desired_copies: int | None
    tags: common.Tags
    current_copies: int | None = None
    created: datetime = field(default_factory=common.now)
    modified: datetime = field(default_factory=common.now)
    status: AsyncStatus = field(default_factory=lambda: AsyncStatus("InService"))
    seq: int = field(default_factory=common.next_sequence)

    @property
    def status_now(self) -> str:
        return self.status.peek() or "Deleting"

    def exists(self) -> bool:
        return self.status.peek() is not None

    def runtime_config(self, status: str) -> dict[str, int] | None:
        if self.desired_copies is None:
            return None  # an adapter component borrows its base component's copies
        # The copy count reaches the desired one when the update has completed.
        current = self.current_copies if status == "Updating" else self.desired_copies
        return {"DesiredCopyCount": self.desired_copies, "CurrentCopyCount": current or 0}

    def describe(self, status: str) -> dict[str, Any]:
        described = {
            **self.summary(status),
            "Specification": _spec_summary(self.specification, self.created),
            "RuntimeConfig": self.runtime_config(status),
        }
        return {key: value for key, value in described.items() if value is not None}

    def summary(self, status: str) -> dict[str, Any]:
        return {
            "InferenceComponentName": self.name,
            "InferenceComponentArn": self.arn,
            "EndpointName": self.endpoint_name,
            "EndpointArn": self.endpoint_arn,
            "VariantName": self.variant_name,
            "InferenceComponentStatus": status,
            "CreationTime": self.created,
            "LastModifiedTime": self.modified,
        }


def install() -> None:
    common.add_actions(
        {
            "create_inference_component": create_inference_component,
            "describe_inference_component": describe_inference_component,
            "list_inference_components": list_inference_components,
            "update_inference_component": update_inference_component,
            "delete_inference_component": delete_inference_component,
        }
    )
    common.wrap_method(SageMakerModelBackend, "delete_endpoint", _TAG, _wrap_delete_endpoint)
    common.wrap_method(
        SageMakerModelBackend, "validate_production_variants", _TAG, _wrap_validate_variants
    )


def components(account_id: str, region: str) -> dict[str, InferenceComponent]:
    return common.table(account_id, region, "inference-components")


def live_components(account_id: str, region: str) -> list[InferenceComponent]:
    return common.live(components(account_id, region), account_id, region)


def _find(account_id: str, region: str, name: str) -> InferenceComponent:
    live_components(account_id, region)
    component = components(account_id, region).get(name)
    if component is None:
        resource = common.arn(account_id, region, f"inference-component/{name}")
        raise ValidationError(f'Could not find inference component "{resource}".')
    return component


def _spec_summary(spec: dict[str, Any] | None, created: datetime) -> dict[str, Any] | None:
    """DescribeInferenceComponent reports the container's image as a DeployedImage."""
    if spec is None:
        return None
    summary = dict(spec)
    container = dict(spec.get("Container") or {})
    image = container.pop("Image", None)
    if image:
        container["DeployedImage"] = {
            "SpecifiedImage": image, "ResolvedImage": image, "ResolutionTime": created
        }  # fmt: skip
    if container:
        summary["Container"] = container
    return summary


def create_inference_component(self: Any) -> ActionResult:
    account_id, region = self.current_account, self.region
    name, endpoint_name = self._get_param("InferenceComponentName"), self._get_param("EndpointName")
    backend = sagemaker_backends[account_id][region]
    live_components(account_id, region)
    if name in components(account_id, region):
        resource = common.arn(account_id, region, f"inference-component/{name}")
        raise ValidationError(f'Cannot create already existing inference component "{resource}".')
    endpoint = backend.endpoints.get(endpoint_name)
    if endpoint is None:
        resource = common.arn(account_id, region, f"endpoint/{endpoint_name}")
        raise ValidationError(f'Could not find endpoint "{resource}".')
    variants = [variant["VariantName"] for variant in endpoint.production_variants]
    variant = self._get_param("VariantName") or variants[0]
    if variant not in variants:
        raise ValidationError(f"The variant {variant} does not exist on endpoint {endpoint_name}.")
    spec = self._get_param("Specification")
    if spec is None and self._get_param("Specifications"):
        spec = self._get_param("Specifications")[0]
    if spec is None:
        raise ValidationError("Specification must be provided.")
    model = spec.get("ModelName")
    if model is not None and model not in backend._models:
        resource = common.arn(account_id, region, f"model/{model}")
        raise ValidationError(f"Could not find model '{resource}'.")
    copies = (self._get_param("RuntimeConfig") or {}).get("CopyCount")
    component = InferenceComponent(
        name=name,
        arn=common.arn(account_id, region, f"inference-component/{name}"),
        endpoint_name=endpoint_name,
        endpoint_arn=endpoint.arn,
        variant_name=variant,
        specification=spec,
        desired_copies=copies,
        tags=common.merge_tags([], self._get_param("Tags") or []),
    )
    components(account_id, region)[name] = component
    common.index_record(account_id, region, component)
    return ActionResult({"InferenceComponentArn": component.arn})


def describe_inference_component(self: Any) -> ActionResult:
    account_id, region = self.current_account, self.region
    name = self._get_param("InferenceComponentName")
    component = _find(account_id, region, name)
    status = component.status.observe()
    if status is None:
        _find(account_id, region, name)  # this very read completed the deletion
    return ActionResult(component.describe(str(status)))


def list_inference_components(self: Any) -> ActionResult:
    params = self.params
    found = [
        component
        for component in live_components(self.current_account, self.region)
        if _matches(component, params)
    ]
    sort_by = _SORT_KEYS[params.get("SortBy") or "CreationTime"]
    found.sort(
        key=lambda component: (getattr(component, sort_by), component.seq),
        reverse=common.sort_order_reverse(params.get("SortOrder"), default="Descending"),
    )
    page, token = common.paginate(found, params.get("NextToken"), params.get("MaxResults"))
    summaries = []
    for component in page:
        status = component.status.observe()
        if status is not None:
            summaries.append(component.summary(status))
    return ActionResult({"InferenceComponents": summaries, "NextToken": token})


def _matches(component: InferenceComponent, params: dict[str, Any]) -> bool:
    """ListInferenceComponents' filters; all given ones must hold."""
    utc = common.naive_utc
    checks = (
        ("EndpointNameEquals", lambda value: component.endpoint_name == value),
        ("VariantNameEquals", lambda value: component.variant_name == value),
        ("StatusEquals", lambda value: component.status_now == value),
        ("NameContains", lambda value: value in component.name),
        ("CreationTimeBefore", lambda value: component.created < utc(value)),
        ("CreationTimeAfter", lambda value: component.created > utc(value)),
        ("LastModifiedTimeBefore", lambda value: component.modified < utc(value)),
        ("LastModifiedTimeAfter", lambda value: component.modified > utc(value)),
    )
    return all(params.get(key) is None or check(params[key]) for key, check in checks)


def update_inference_component(self: Any) -> ActionResult:
    component = _find(self.current_account, self.region, self._get_param("InferenceComponentName"))
    if component.status.peek() != "InService":
        raise ValidationError(
            f"Inference component {component.name} is {component.status.peek()}: only an "
            "InService inference component can be updated."
        )
    spec = self._get_param("Specification")
    if spec is not None:
        component.specification = spec
    copies = (self._get_param("RuntimeConfig") or {}).get("CopyCount")
    if copies is not None:
        component.current_copies = component.desired_copies
        component.desired_copies = copies
    component.modified = common.now()
    component.status.begin("Updating", "InService")
    return ActionResult({"InferenceComponentArn": component.arn})


def delete_inference_component(self: Any) -> EmptyResult:
    component = _find(self.current_account, self.region, self._get_param("InferenceComponentName"))
    status = component.status.peek()
    if status not in ("InService", "Failed"):
        raise ValidationError(
            f"Inference component {component.name} is {status} and cannot be deleted yet."
        )
    component.status.begin("Deleting", None)
    return EmptyResult()


def _wrap_delete_endpoint(original: Callable[..., None]) -> Callable[..., None]:
    def delete_endpoint(self: Any, endpoint_name: str) -> None:
        attached = [
            component.name
            for component in live_components(self.account_id, self.region_name)
            if component.endpoint_name == endpoint_name
        ]
        if attached and endpoint_name in self.endpoints:
            raise ValidationError(
                f"Cannot delete endpoint {endpoint_name} while inference components are "
                f"attached to it ({', '.join(sorted(attached))}). Delete them first."
            )
        original(self, endpoint_name)

    return delete_endpoint


def _wrap_validate_variants(original: Callable[..., None]) -> Callable[..., None]:
    def validate_production_variants(self: Any, production_variants: list[Any]) -> None:
        # A variant without ModelName hosts inference components: there is no model to check.
        original(self, [variant for variant in production_variants if "ModelName" in variant])

    return validate_production_variants
