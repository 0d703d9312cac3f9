"""Bedrock Marketplace model endpoints for moto, which has none of their operations.

`install()` sets RegisterMarketplaceModelEndpoint, ListMarketplaceModelEndpoints,
GetMarketplaceModelEndpoint, DeleteMarketplaceModelEndpoint and
DeregisterMarketplaceModelEndpoint on `moto.bedrock.responses.BedrockResponse` (moto routes every
bedrock path there and names the operation from botocore's model, as for provisioned
throughput). Create/UpdateMarketplaceModelEndpoint are not emulated: the seed creates the
SageMaker endpoint itself and registers it, which is what AWS's Register does for an endpoint
deployed from SageMaker.

What AWS documents, and this emulation does (botocore bedrock service-2.json 2023-04-20; Bedrock
API reference API_DeleteMarketplaceModelEndpoint, API_DeregisterMarketplaceModelEndpoint; user
guide "Manage your endpoints", bedrock-marketplace-manage-your-endpoints):
- a marketplace endpoint is named by `endpointArn`, the ARN of the SageMaker endpoint hosting it
  (the user guide deletes one with `--endpoint-arn arn:aws:sagemaker:region:111122223333:
  endpoint/example-endpoint`); `status` is REGISTERED or INCOMPATIBLE_ENDPOINT (enum `Status`),
  `endpointStatus` is the SageMaker endpoint's own status;
- DeleteMarketplaceModelEndpoint "deletes an endpoint": the SageMaker endpoint goes with it (the
  AmazonBedrockMarketplaceAccess managed policy grants sagemaker:DeleteEndpoint for Bedrock to
  call, with `aws:CalledViaLast` = bedrock.amazonaws.com in the user guide's scoped example).
  AWS does not say whether the endpoint config and model go too: they stay here, and the
  watchdog's plan deletes them after, as it does for any endpoint;
- DeregisterMarketplaceModelEndpoint "removes the endpoint's association with Amazon Bedrock but
  does not delete the underlying Amazon SageMaker endpoint";
- a missing one is `ResourceNotFoundException` (404); a malformed `modelSourceIdentifier`
  (pattern `.*arn:aws:sagemaker:.*:hub-content/SageMakerPublicHub/Model/.*`) or a delete while
  the SageMaker endpoint is still changing is `ValidationException` (400). SageMaker refuses
  DeleteEndpoint while an endpoint is Creating/Updating/SystemUpdating (aws-facts.md); that
  Bedrock's delete answers this with ValidationException is this emulation's choice.
- A registration whose SageMaker endpoint was deleted directly is not listed any more (assumed:
  AWS does not document it).

Tags: CreateMarketplaceModelEndpoint's `tags` "apply to the underlying Amazon SageMaker
endpoint", so they are the SageMaker endpoint's tags (moto's own SageMaker tagging).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from moto.bedrock.models import BedrockBackend
from moto.bedrock.responses import BedrockResponse
from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow
from moto.sagemaker.models import sagemaker_backends

from watchdog_sandbox.bedrock_provisioned_throughput import _params
from watchdog_sandbox.kinds import DemoTags, SandboxKind
from watchdog_sandbox.seed_kinds import KindSeed, SeedContext
from watchdog_sandbox.seed_metrics import Traffic
from watchdog_sandbox.seed_sagemaker import (
    ConfigSpec,
    EndpointSpec,
    ModelSpec,
    Variant,
    create_endpoint,
    create_endpoint_config,
    create_model,
    write_endpoint_metrics,
)
from watchdog_sandbox.seed_summary import SeededResource

KIND = "bedrock-marketplace-endpoint"
_STATE_KEY = "_watchdog_marketplace_endpoints"
_MODEL_SOURCE = re.compile(r".*arn:aws:sagemaker:.*:hub-content/SageMakerPublicHub/Model/.*")
# SageMaker refuses DeleteEndpoint in these (aws-facts.md, Teardown order and states).
_CHANGING = frozenset({"Creating", "Updating", "SystemUpdating", "RollingBack", "Deleting"})


class ValidationException(ServiceException):
    code = "ValidationException"


class ResourceNotFoundException(ServiceException):
    code = "ResourceNotFoundException"


@dataclass
class Registration:
    endpoint_arn: str
    model_source: str
    created_at: datetime
    updated_at: datetime


def _registrations(backend: BedrockBackend) -> dict[str, Registration]:
    found: dict[str, Registration] | None = getattr(backend, _STATE_KEY, None)
    if found is None:
        found = {}
        setattr(backend, _STATE_KEY, found)
    return found


def _sagemaker_endpoint(backend: BedrockBackend, arn: str) -> Any:
    endpoints = sagemaker_backends[backend.account_id][backend.region_name].endpoints
    return next((e for e in endpoints.values() if e.arn.lower() == arn.lower()), None)


def _find(backend: BedrockBackend, arn: str) -> tuple[Registration, Any]:
    registration = _registrations(backend).get(arn.lower())
    endpoint = _sagemaker_endpoint(backend, arn) if registration else None
    if registration is None or endpoint is None:
        _registrations(backend).pop(arn.lower(), None)
        raise ResourceNotFoundException(f"Marketplace model endpoint {arn} not found")
    return registration, endpoint


def _endpoint_config(backend: BedrockBackend, endpoint: Any) -> dict[str, Any]:
    sm = sagemaker_backends[backend.account_id][backend.region_name]
    config = sm.endpoint_configs[endpoint.endpoint_config_name]
    variant = config.production_variants[0]
    model = sm._models.get(variant.get("ModelName", ""))
    return {
        "sageMaker": {
            "initialInstanceCount": int(variant.get("InitialInstanceCount", 1)),
            "instanceType": variant.get("InstanceType", ""),
            "executionRole": getattr(model, "execution_role_arn", "") or "",
        }
    }


def _summary(registration: Registration) -> dict[str, Any]:
    return {
        "endpointArn": registration.endpoint_arn,
        "modelSourceIdentifier": registration.model_source,
        "status": "REGISTERED",
        "createdAt": registration.created_at,
        "updatedAt": registration.updated_at,
    }


def _view(backend: BedrockBackend, registration: Registration, endpoint: Any) -> dict[str, Any]:
    return {
        **_summary(registration),
        "endpointConfig": _endpoint_config(backend, endpoint),
        "endpointStatus": endpoint.endpoint_status,
    }


def register(backend: BedrockBackend, endpoint_arn: str, model_source: str) -> Registration:
    if not _MODEL_SOURCE.fullmatch(model_source):
        raise ValidationException(f"modelSourceIdentifier {model_source} is not a hub model ARN")
    endpoint = _sagemaker_endpoint(backend, endpoint_arn)
    if endpoint is None:
        raise ResourceNotFoundException(f"Endpoint {endpoint_arn} not found")
    now = utcnow()
    registration = Registration(endpoint.arn, model_source, now, now)
    _registrations(backend)[endpoint.arn.lower()] = registration
    return registration


def _register(response: BedrockResponse) -> ActionResult:
    params, backend = _params(response), response.bedrock_backend
    registration = register(backend, params["endpointIdentifier"], params["modelSourceIdentifier"])
    _, endpoint = _find(backend, registration.endpoint_arn)
    return ActionResult({"marketplaceModelEndpoint": _view(backend, registration, endpoint)})


def _list(response: BedrockResponse) -> ActionResult:
    params, backend = _params(response), response.bedrock_backend
    wanted = params.get("modelSourceEquals")
    listed = [
        _summary(r)
        for r in list(_registrations(backend).values())
        if _sagemaker_endpoint(backend, r.endpoint_arn) is not None
        and (not wanted or r.model_source == wanted)
    ]
    start = int(params.get("nextToken") or 0)
    size = int(params.get("maxResults") or 1000)
    page: dict[str, Any] = {"marketplaceModelEndpoints": listed[start : start + size]}
    if start + size < len(listed):
        page["nextToken"] = str(start + size)
    return ActionResult(page)


def _get(response: BedrockResponse) -> ActionResult:
    backend = response.bedrock_backend
    registration, endpoint = _find(backend, _params(response)["endpointArn"])
    return ActionResult({"marketplaceModelEndpoint": _view(backend, registration, endpoint)})


def _delete(response: BedrockResponse) -> ActionResult:
    backend = response.bedrock_backend
    registration, endpoint = _find(backend, _params(response)["endpointArn"])
    if endpoint.endpoint_status in _CHANGING:
        raise ValidationException(
            f"Endpoint {registration.endpoint_arn} is {endpoint.endpoint_status}: "
            "it cannot be deleted until it is InService, OutOfService or Failed"
        )
    sm = sagemaker_backends[backend.account_id][backend.region_name]
    sm.delete_endpoint(endpoint.endpoint_name)  # Bedrock deletes the SageMaker endpoint
    del _registrations(backend)[registration.endpoint_arn.lower()]
    return EmptyResult()


def _deregister(response: BedrockResponse) -> ActionResult:
    backend = response.bedrock_backend
    registration, _ = _find(backend, _params(response)["endpointArn"])
    del _registrations(backend)[registration.endpoint_arn.lower()]  # the endpoint stays
    return EmptyResult()


_HANDLERS: dict[str, Callable[[BedrockResponse], ActionResult]] = {
    "register_marketplace_model_endpoint": _register,
    "list_marketplace_model_endpoints": _list,
    "get_marketplace_model_endpoint": _get,
    "delete_marketplace_model_endpoint": _delete,
    "deregister_marketplace_model_endpoint": _deregister,
}


def install() -> None:
    """Patch moto in place (idempotent)."""
    for name, handler in _HANDLERS.items():
        setattr(BedrockResponse, name, handler)


HUB_MODEL = "arn:aws:sagemaker:{region}:aws:hub-content/SageMakerPublicHub/Model/{model}/1.0.0"


@dataclass(frozen=True)
class MarketplaceEndpointSeed:
    """One demo Bedrock Marketplace endpoint: a SageMaker model, config and endpoint (tagged as
    Bedrock tags the endpoints it creates), registered with Bedrock; idle unless `busy`."""

    name: str
    hub_model: str
    instance_type: str
    tags: dict[str, str]
    age_days: float
    busy: bool = False

    def seed(self, ctx: SeedContext) -> list[SeededResource]:
        sm = ctx.clients.sagemaker(ctx.region)
        role = f"arn:aws:iam::{ctx.account_id}:role/SageMakerExecutionRole"
        source = HUB_MODEL.format(region=ctx.region, model=self.hub_model)
        tags = {**self.tags, "sagemaker-sdk:bedrock": "compatible"}
        tags["sagemaker-studio:hub-content-arn"] = source
        model = ModelSpec(f"{self.name}-model", tags=tags)
        config = ConfigSpec(
            f"{self.name}-config", (Variant("AllTraffic", model.name, self.instance_type),)
        )
        traffic: Traffic = "busy" if self.busy else "idle"
        age = timedelta(days=self.age_days)
        created = ctx.now - age
        spec = EndpointSpec(self.name, config, {"AllTraffic": traffic}, tags, age=age)
        create_model(sm, model, ctx.region, role)
        create_endpoint_config(sm, config, role)
        create_endpoint(ctx.clients, ctx.region, spec)
        ctx.ages.model(model.name, age)
        ctx.ages.endpoint_config(config.name, age)
        ctx.ages.endpoint(spec)
        write_endpoint_metrics(ctx.writer, spec)
        arn = sm.describe_endpoint(EndpointName=self.name)["EndpointArn"]
        bedrock = ctx.clients.bedrock(ctx.region)
        bedrock.register_marketplace_model_endpoint(
            endpointIdentifier=arn, modelSourceIdentifier=source
        )
        idle = not self.busy
        return [
            ctx.seeded("sagemaker-model", model.name, tags, created),
            ctx.seeded("sagemaker-endpoint-config", config.name, tags, created),
            ctx.seeded("sagemaker-endpoint", self.name, tags, created, idle=idle),
            ctx.seeded(KIND, self.name, tags, created, idle=idle),
        ]


def demo_seeds(tags: DemoTags) -> tuple[KindSeed, ...]:
    """The demo's: a Bedrock Marketplace model on its own ml.g5 endpoint, idle for two weeks."""
    return (
        MarketplaceEndpointSeed(
            "mistral-7b-marketplace",
            "huggingface-llm-mistral-7b",
            "ml.g5.2xlarge",
            dict(tags.nlp),
            14,
        ),
    )


def bench_endpoint(i: int) -> KindSeed:
    """The i-th of many for bench/scan.py: busy one in three."""
    return MarketplaceEndpointSeed(
        f"bench-marketplace-{i:04d}",
        "huggingface-llm-mistral-7b",
        "ml.g5.2xlarge",
        {},
        10,
        busy=i % 3 == 0,
    )


def remaining(client: Callable[[str], Any]) -> set[str]:
    """Bedrock's registrations, by their SageMaker endpoint's name (its own lines say more)."""
    pages = client("bedrock").get_paginator("list_marketplace_model_endpoints").paginate()
    found = (e for page in pages for e in page["marketplaceModelEndpoints"])
    return {f"{KIND} {e['endpointArn'].rsplit('/', 1)[-1]} {e['status']}" for e in found}


SANDBOX = SandboxKind(
    install=install, demo=demo_seeds, bench={KIND: bench_endpoint}, remaining=remaining
)
