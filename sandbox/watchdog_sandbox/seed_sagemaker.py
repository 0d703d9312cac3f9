"""SageMaker hosting for the seeders: models, endpoint configs, endpoints, inference components,
notebook instances. Declarative specs in, boto3 calls out.

An `age` on a spec is how long before the seed's `now` the resource was created (the demo states
one for everything, and `seed_ages` writes it into the emulator after creation); None leaves the
emulator's own clock, i.e. created just now (the benchmark seeder does that).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, cast

from watchdog_sandbox.seed_metrics import MetricWriter, Traffic
from watchdog_sandbox.seed_scaling import auto_scale

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient
    from mypy_boto3_sagemaker.literals import InstanceTypeType
    from mypy_boto3_sagemaker.type_defs import TagTypeDef

    from watchdog_sandbox.seed_clients import AwsClients

EXEMPT_TAG = "watchdog:exempt"
EXPIRES_TAG = "watchdog:expires"

# A Hugging Face TGI image, the container JumpStart LLM deployments use.
LLM_IMAGE = (
    "763104351884.dkr.ecr.{region}.amazonaws.com/huggingface-pytorch-tgi-inference:"
    "2.1.1-tgi1.4.0-gpu-py310-cu121-ubuntu22.04"
)
SKLEARN_IMAGE = "683313688378.dkr.ecr.{region}.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"


def owner_tags(owner: str, team: str, channel: str, **extra: str) -> dict[str, str]:
    """The ownership tags the watchdog routes notifications by."""
    return {"owner": owner, "team": team, "slack-channel": channel, **extra}


def sm_tags(tags: Mapping[str, str]) -> list[TagTypeDef]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def is_exempt(tags: Mapping[str, str], today: date) -> bool:
    """The safety rule's two forms: an explicit exemption, or an expiry date still ahead."""
    if tags.get(EXEMPT_TAG, "").lower() == "true":
        return True
    expires = tags.get(EXPIRES_TAG)
    return expires is not None and date.fromisoformat(expires[:10]) > today


def is_gpu(instance_type: str) -> bool:
    # ml.g4dn / ml.g5 / ml.g6 / ml.p3 / ml.p4d / ml.p5 are the GPU families.
    return instance_type.split(".")[1][:1] in ("g", "p")


@dataclass(frozen=True)
class ModelSpec:
    name: str
    image: str = LLM_IMAGE
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Variant:
    name: str
    model: str | None  # None: an inference-component host (models come with the components)
    instance_type: str | None = None  # None: serverless
    count: int = 1
    provisioned_concurrency: int | None = None  # serverless only: kept warm, billed while idle


@dataclass(frozen=True)
class ConfigSpec:
    name: str
    variants: tuple[Variant, ...]
    async_output: str | None = None  # an S3 path makes it an asynchronous inference config
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ComponentSpec:
    name: str
    model: str
    traffic: Traffic
    accelerators: int = 1
    age: timedelta | None = None  # None: deployed with its endpoint


@dataclass(frozen=True)
class EndpointSpec:
    name: str
    config: ConfigSpec
    traffic: Mapping[str, Traffic]  # per variant name
    tags: Mapping[str, str] = field(default_factory=dict)
    scaled_to_zero: bool = False
    components: tuple[ComponentSpec, ...] = ()
    age: timedelta | None = None

    def component_age(self, component: ComponentSpec) -> timedelta | None:
        return component.age or self.age

    def billed_variants(self) -> list[Variant]:
        """Variants that bill while idle: instances running (scaled-to-zero ones have none), or
        serverless provisioned concurrency (plain serverless bills per request only)."""
        if self.scaled_to_zero:
            return []
        return [
            v
            for v in self.config.variants
            if v.instance_type is not None or v.provisioned_concurrency
        ]

    def idle_variants(self) -> list[str]:
        return [v.name for v in self.billed_variants() if self.traffic[v.name] != "busy"]

    @property
    def idle(self) -> bool:
        """Every running variant idle, and no component carrying traffic."""
        billed = self.billed_variants()
        quiet = all(c.traffic != "busy" for c in self.components)
        return bool(billed) and len(self.idle_variants()) == len(billed) and quiet


@dataclass(frozen=True)
class NotebookSpec:
    name: str
    instance_type: str
    status: Literal["InService", "Stopped"]
    tags: Mapping[str, str] = field(default_factory=dict)
    volume_gb: int = 20
    age: timedelta | None = None
    # How long it has been in `status` (LastModifiedTime: its last start or stop); None: since
    # creation. "Running longer than" policies read this.
    in_status_for: timedelta | None = None


def create_model(sm: SageMakerClient, spec: ModelSpec, region: str, role_arn: str) -> None:
    sm.create_model(
        ModelName=spec.name,
        ExecutionRoleArn=role_arn,
        PrimaryContainer={
            "Image": spec.image.format(region=region),
            "ModelDataUrl": f"s3://sagemaker-{region}-models/{spec.name}/model.tar.gz",
        },
        Tags=sm_tags(spec.tags),
    )


def _production_variant(variant: Variant) -> dict[str, Any]:
    pv: dict[str, Any] = {"VariantName": variant.name}
    if variant.model is not None:
        pv["ModelName"] = variant.model
        pv["InitialVariantWeight"] = 1.0
    if variant.instance_type is None:
        pv["ServerlessConfig"] = {"MemorySizeInMB": 2048, "MaxConcurrency": 5}
        if variant.provisioned_concurrency:
            pv["ServerlessConfig"]["ProvisionedConcurrency"] = variant.provisioned_concurrency
    else:
        pv["InstanceType"] = variant.instance_type
        pv["InitialInstanceCount"] = variant.count
    if variant.model is None:
        # How AWS sets up a host for inference components: no model on the variant, routing
        # and managed instance scaling instead.
        pv["RoutingConfig"] = {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"}
        pv["ManagedInstanceScaling"] = {
            "Status": "ENABLED",
            "MinInstanceCount": 1,
            "MaxInstanceCount": 2,
        }
    return pv


def create_endpoint_config(sm: SageMakerClient, spec: ConfigSpec, role_arn: str) -> None:
    kwargs: dict[str, Any] = {
        "EndpointConfigName": spec.name,
        "ProductionVariants": [_production_variant(v) for v in spec.variants],
        "Tags": sm_tags(spec.tags),
    }
    if spec.async_output is not None:
        kwargs["AsyncInferenceConfig"] = {
            "OutputConfig": {"S3OutputPath": spec.async_output},
            "ClientConfig": {"MaxConcurrentInvocationsPerInstance": 4},
        }
    if any(v.model is None for v in spec.variants):
        kwargs["ExecutionRoleArn"] = role_arn
    sm.create_endpoint_config(**kwargs)


def create_endpoint(clients: AwsClients, region: str, spec: EndpointSpec) -> None:
    sm = clients.sagemaker(region)
    sm.create_endpoint(
        EndpointName=spec.name, EndpointConfigName=spec.config.name, Tags=sm_tags(spec.tags)
    )
    for component in spec.components:
        variant = spec.config.variants[0]
        sm.create_inference_component(
            InferenceComponentName=component.name,
            EndpointName=spec.name,
            VariantName=variant.name,
            Specification={
                "ModelName": component.model,
                "ComputeResourceRequirements": {
                    "NumberOfAcceleratorDevicesRequired": float(component.accelerators),
                    "MinMemoryRequiredInMb": 16384,
                },
            },
            RuntimeConfig={"CopyCount": 1},
            Tags=sm_tags(spec.tags),
        )
    if spec.scaled_to_zero:
        _scale_to_zero(clients, region, spec)


def _scale_to_zero(clients: AwsClients, region: str, spec: EndpointSpec) -> None:
    """What an async endpoint with a MinCapacity=0 scaling policy looks like after a quiet night:
    the scalable target allows zero and the variant has been scaled in to zero instances."""
    variants = [v.name for v in spec.config.variants]
    sagemaker, autoscaling = clients.sagemaker(region), clients.application_autoscaling(region)
    auto_scale(sagemaker, autoscaling, spec.name, variants, keep=0, maximum=2)


def write_endpoint_metrics(writer: MetricWriter, spec: EndpointSpec) -> None:
    """Its variants' and components' series, none from before they existed."""
    # Instance metrics only where instances run: serverless publishes none, provisioned or not.
    billed = {v.name for v in spec.billed_variants() if v.instance_type is not None}
    since = _since(writer.now, spec.age)
    for variant in spec.config.variants:
        writer.endpoint_variant(
            spec.name,
            variant.name,
            spec.traffic[variant.name],
            gpu=variant.instance_type is not None and is_gpu(variant.instance_type),
            with_instances=variant.name in billed,
            since=since,
            asynchronous=spec.config.async_output is not None,
        )
    for component in spec.components:
        component_since = _since(writer.now, spec.component_age(component))
        writer.inference_component(component.name, component.traffic, since=component_since)


def _since(now: datetime, age: timedelta | None) -> datetime | None:
    return None if age is None else now - age


def create_notebook(sm: SageMakerClient, spec: NotebookSpec, role_arn: str) -> None:
    sm.create_notebook_instance(
        NotebookInstanceName=spec.name,
        InstanceType=cast("InstanceTypeType", spec.instance_type),
        RoleArn=role_arn,
        VolumeSizeInGB=spec.volume_gb,
        Tags=sm_tags(spec.tags),
    )
    if spec.status == "Stopped":
        sm.stop_notebook_instance(NotebookInstanceName=spec.name)
