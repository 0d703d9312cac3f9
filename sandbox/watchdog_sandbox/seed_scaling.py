"""Endpoints that scale, as their owners set them up: variants registered with Application Auto
Scaling, and hosts of inference components on instances that managed instance scaling may take
to zero. Shared by the seed, the parking tests (tests/scale_to_zero.py) and bench/park.py."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

VARIANT_DIMENSION = "sagemaker:variant:DesiredInstanceCount"
COMPONENT_DIMENSION = "sagemaker:inference-component:DesiredCopyCount"


def auto_scale(
    sagemaker: Any,
    autoscaling: Any,
    endpoint: str,
    variants: Sequence[str],
    *,
    keep: int,
    maximum: int,
) -> None:
    """Each variant a scalable target with minimum `keep`, and running `keep` instances now
    (zero: an asynchronous endpoint scaled in after a quiet night)."""
    for variant in variants:
        autoscaling.register_scalable_target(
            ServiceNamespace="sagemaker",
            ResourceId=f"endpoint/{endpoint}/variant/{variant}",
            ScalableDimension=VARIANT_DIMENSION,
            MinCapacity=keep,
            MaxCapacity=maximum,
        )
    sagemaker.update_endpoint_weights_and_capacities(
        EndpointName=endpoint,
        DesiredWeightsAndCapacities=[
            {"VariantName": v, "DesiredWeight": 1.0, "DesiredInstanceCount": keep} for v in variants
        ],
    )


def component_host(
    sagemaker: Any,
    name: str,
    role_arn: str,
    components: Sequence[tuple[str, str, int]],
    *,
    instances: int,
    tags: Sequence[dict[str, str]] = (),
) -> None:
    """An endpoint of inference components (name, model, copies) on `instances` instances of
    ml.g5.12xlarge, managed between zero and that many."""
    sagemaker.create_endpoint_config(
        EndpointConfigName=f"{name}-config",
        ExecutionRoleArn=role_arn,
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "InstanceType": "ml.g5.12xlarge",
                "InitialInstanceCount": instances,
                "RoutingConfig": {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"},
                "ManagedInstanceScaling": {
                    "Status": "ENABLED",
                    "MinInstanceCount": 0,
                    "MaxInstanceCount": instances,
                },
            }
        ],
    )
    sagemaker.create_endpoint(
        EndpointName=name, EndpointConfigName=f"{name}-config", Tags=list(tags)
    )
    for component, model, copies in components:
        sagemaker.create_inference_component(
            InferenceComponentName=component,
            EndpointName=name,
            VariantName="AllTraffic",
            Specification={
                "ModelName": model,
                "ComputeResourceRequirements": {
                    "NumberOfAcceleratorDevicesRequired": 1.0,
                    "MinMemoryRequiredInMb": 16384,
                },
            },
            RuntimeConfig={"CopyCount": copies},
        )
