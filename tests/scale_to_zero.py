"""Resources that park by scaling to zero, added to a seeded sandbox (the demo seeds neither):
the demo's asynchronous endpoint auto scaled to keep instances, and an endpoint of inference
components on instances managed down to zero (the setup of AWS's "Scale an endpoint to zero
instances"). Used in-process by the functional tests and over HTTP by the park fault trials."""

from __future__ import annotations

from typing import Any

from watchdog_sandbox.seed_scaling import (
    COMPONENT_DIMENSION,
    auto_scale,
    component_host,
)

ASYNC = "transcribe-async"
ASYNC_TARGET = f"endpoint/{ASYNC}/variant/AllTraffic"
HOST = "genai-dev-host"
CHAT, CODE = "chat-ic", "code-ic"
CODE_TARGET = f"inference-component/{CODE}"


def async_keeping(sagemaker: Any, autoscaling: Any, count: int) -> None:
    """The seeded asynchronous endpoint, its scaling raised to keep `count` instances."""
    auto_scale(sagemaker, autoscaling, ASYNC, ["AllTraffic"], keep=count, maximum=4)


def host_of_components(sagemaker: Any, autoscaling: Any) -> None:
    """Two components, one auto scaled with a minimum of one copy, on two instances that
    managed instance scaling may take to zero."""
    role = sagemaker.describe_model(ModelName="llama3-8b-instruct")["ExecutionRoleArn"]
    components = [(CHAT, "llama3-8b-instruct", 2), (CODE, "mistral-7b-instruct", 1)]
    component_host(sagemaker, HOST, role, components, instances=2)
    autoscaling.register_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId=CODE_TARGET,
        ScalableDimension=COMPONENT_DIMENSION,
        MinCapacity=1,
        MaxCapacity=3,
    )


def scaling_state(sagemaker: Any, autoscaling: Any) -> list[str]:
    """What parking changes there, as "<what> <value>" lines: each scalable target's minimum,
    each component's copies, each endpoint variant's instances."""
    state = []
    for target in autoscaling.describe_scalable_targets(ServiceNamespace="sagemaker")[
        "ScalableTargets"
    ]:
        state.append(f"scalable-target {target['ResourceId']} min={target['MinCapacity']}")
    for name in (CHAT, CODE):
        answer = sagemaker.describe_inference_component(InferenceComponentName=name)
        state.append(f"copies {name} {answer['RuntimeConfig']['DesiredCopyCount']}")
    for endpoint in (ASYNC, HOST):
        for variant in sagemaker.describe_endpoint(EndpointName=endpoint)["ProductionVariants"]:
            state.append(f"instances {endpoint} {variant['CurrentInstanceCount']}")
    return state
