"""Shadow variants (`ShadowProductionVariants`), which moto 5.2.5 ignores.

AWS, as this emulation follows it:
- CreateEndpointConfig takes ShadowProductionVariants, a list of ProductionVariant (botocore's
  model: 1 to 10 members); "If you use this field, you can only specify one variant for
  ProductionVariants and one variant for ShadowProductionVariants" (API_CreateEndpointConfig).
- Shadow variants are refused with serverless inference, asynchronous inference and Inf1
  instances (SageMaker developer guide, "Shadow tests" > "Exclusions": such requests "lead to
  validation errors"). Each shadow variant is otherwise checked like a production variant (its
  model exists; it has an instance type or a serverless config).
- DescribeEndpointConfig returns them as configured; DescribeEndpoint and Search (API_Endpoint)
  return one ProductionVariantSummary per shadow variant (CurrentInstanceCount,
  DesiredInstanceCount, weights...), the same summary production variants get. The field is
  absent when the config has none.
A shadow variant runs and bills its own instances, which is why the watchdog must see them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.models import FakeEndpoint, SageMakerModelBackend
from moto.sagemaker.responses import SageMakerResponse

from watchdog_sandbox import sagemaker_common as common

_TAG = "watchdog.sagemaker_shadow_variants"
FIELD = "ShadowProductionVariants"


def install() -> None:
    common.wrap_method(SageMakerResponse, "create_endpoint_config", _TAG, _creating_config)
    common.wrap_method(SageMakerModelBackend, "create_endpoint", _TAG, _creating_endpoint)


def summaries(endpoint: FakeEndpoint) -> list[dict[str, Any]] | None:
    """The endpoint's shadow variant summaries as AWS returns them; None when it has none."""
    shadows: list[dict[str, Any]] | None = getattr(endpoint, "shadow_production_variants", None)
    return shadows


def _creating_config(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def create_endpoint_config(self: Any) -> Any:
        shadows = self._get_param(FIELD)
        if not shadows:
            return original(self)
        _check_allowed(self._get_param("ProductionVariants") or [], shadows, self)
        result = original(self)
        backend = self.sagemaker_backend
        name = self._get_param("EndpointConfigName")
        config = backend.endpoint_configs[name]
        try:
            # moto's own checks, on the shadow variants: the model exists, a type or serverless.
            backend.validate_production_variants(shadows)
            config.validate_production_variants(shadows)
        except ValidationError:
            backend.endpoint_configs.pop(name, None)
            raise
        # moto's response is built from the object's attributes: this one reads back as
        # ShadowProductionVariants in DescribeEndpointConfig.
        config.shadow_production_variants = shadows
        return result

    return create_endpoint_config


def _check_allowed(production: list[Any], shadows: list[Any], response: Any) -> None:
    if len(production) != 1 or len(shadows) != 1:
        raise ValidationError(
            "When ShadowProductionVariants is specified, exactly one variant must be specified "
            "for ProductionVariants and one for ShadowProductionVariants."
        )
    if response._get_param("AsyncInferenceConfig"):
        raise ValidationError("Shadow variants are not supported with asynchronous inference.")
    for variant in (*production, *shadows):
        if variant.get("ServerlessConfig"):
            raise ValidationError("Shadow variants are not supported with serverless inference.")
        if str(variant.get("InstanceType", "")).startswith("ml.inf1."):
            raise ValidationError(
                f"Shadow variants are not supported with instance type {variant['InstanceType']}."
            )


def _creating_endpoint(original: Callable[..., FakeEndpoint]) -> Callable[..., FakeEndpoint]:
    def create_endpoint(self: Any, endpoint_name: str, endpoint_config_name: str, **kw: Any) -> Any:
        # Any: the attribute set below is not one moto declares.
        endpoint: Any = original(self, endpoint_name, endpoint_config_name, **kw)
        config = self.endpoint_configs[endpoint_config_name]
        shadows = getattr(config, "shadow_production_variants", None)
        if shadows:
            # The summary moto makes for production variants (CurrentInstanceCount etc.); it
            # reads back as ShadowProductionVariants, moto building responses from attributes.
            endpoint.shadow_production_variants = endpoint._process_production_variants(shadows)
        return endpoint

    return create_endpoint
