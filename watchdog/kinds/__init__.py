"""The registry of resource kinds: one module per kind, collected in this order.

The order is the collection order within one (account, region): a kind may read the records of
kinds listed before it (endpoints need models; configs need the endpoints that reference them).
Adding a kind is a new module in this package and one line here.
"""

from __future__ import annotations

from watchdog.kinds import (
    bedrock_custom_model,
    bedrock_provisioned_throughput,
    sagemaker_app,
    sagemaker_domain,
    sagemaker_endpoint,
    sagemaker_endpoint_config,
    sagemaker_inference_component,
    sagemaker_mlflow_tracking_server,
    sagemaker_model,
    sagemaker_notebook_instance,
    sagemaker_space,
    sagemaker_user_profile,
)
from watchdog.kinds.base import KindSpec, ScanContext
from watchdog.records import Kind
from watchdog.signals.models import PriceComponentSpec

REGISTRY: tuple[KindSpec, ...] = (
    sagemaker_domain.SPEC,
    sagemaker_user_profile.SPEC,
    sagemaker_space.SPEC,
    sagemaker_app.SPEC,
    sagemaker_mlflow_tracking_server.SPEC,
    sagemaker_notebook_instance.SPEC,
    sagemaker_model.SPEC,
    sagemaker_endpoint.SPEC,
    sagemaker_endpoint_config.SPEC,
    sagemaker_inference_component.SPEC,
    bedrock_custom_model.SPEC,
    bedrock_provisioned_throughput.SPEC,
)

BY_KIND: dict[Kind, KindSpec] = {spec.kind: spec for spec in REGISTRY}
# Every price component the kinds declare, by name (what a PriceKey's `component` names).
PRICE_COMPONENTS: dict[str, PriceComponentSpec] = {
    component.name: component for spec in REGISTRY for component in spec.price_components
}

__all__ = ["BY_KIND", "PRICE_COMPONENTS", "REGISTRY", "KindSpec", "ScanContext"]
