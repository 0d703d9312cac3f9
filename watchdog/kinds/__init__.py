"""The registry of resource kinds: one module per kind, collected in this order.

The order is the collection order within one (account, region): a kind may read the records of
kinds listed before it (endpoints need models; configs need the endpoints that reference them).
Adding a kind is a new module in this package and one line here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from watchdog.kinds import (
    bedrock_custom_model,
    bedrock_data_source,
    bedrock_knowledge_base,
    bedrock_marketplace_endpoint,
    bedrock_provisioned_throughput,
    ec2_accelerated_instance,
    opensearch_serverless_collection,
    sagemaker_app,
    sagemaker_domain,
    sagemaker_endpoint,
    sagemaker_endpoint_config,
    sagemaker_hyperpod_cluster,
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

REGISTRY: list[KindSpec] = [
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
    bedrock_marketplace_endpoint.SPEC,
    ec2_accelerated_instance.SPEC,
    sagemaker_hyperpod_cluster.SPEC,
    # A knowledge base names its collection, and a data source is listed per knowledge base.
    opensearch_serverless_collection.SPEC,
    bedrock_knowledge_base.SPEC,
    bedrock_data_source.SPEC,
]

BY_KIND: dict[Kind, KindSpec] = {spec.kind: spec for spec in REGISTRY}
# Every price component the kinds declare, by name (what a PriceKey's `component` names).
PRICE_COMPONENTS: dict[str, PriceComponentSpec] = {
    component.name: component for spec in REGISTRY for component in spec.price_components
}


def kind_names() -> tuple[str, ...]:
    """Every registered kind's name, in collection order: the one list of kinds there is."""
    return tuple(spec.kind for spec in REGISTRY)


@contextmanager
def registered(spec: KindSpec) -> Iterator[KindSpec]:
    """`spec` registered for the duration (a kind a test declares, to prove that a module is
    all a kind needs); the registry is as before afterwards."""
    if spec.kind in BY_KIND:
        raise ValueError(f"kind {spec.kind} is already registered")
    REGISTRY.append(spec)
    BY_KIND[spec.kind] = spec
    added = {c.name: c for c in spec.price_components if c.name not in PRICE_COMPONENTS}
    PRICE_COMPONENTS.update(added)
    try:
        yield spec
    finally:
        REGISTRY.remove(spec)
        del BY_KIND[spec.kind]
        for name in added:
            del PRICE_COMPONENTS[name]


__all__ = [
    "BY_KIND",
    "PRICE_COMPONENTS",
    "REGISTRY",
    "KindSpec",
    "ScanContext",
    "kind_names",
    "registered",
]
