"""How SageMaker instance-hour prices are found in the AWS Price List, for the kind modules.

Each kind declares its price components (`KindSpec.price_components`); the shapes shared by
SageMaker kinds live here. The AmazonSageMaker price list files instances under productFamily
"ML Instance", one product per (use, instance type, region):

- Hosting and notebook instances are asked for by `component` ("Hosting", "Notebook") and
  `instanceName`: the Hosting lookup is the one awslabs/llmeter's SageMaker cost provider uses;
  `component=Notebook` appears in public CUR tooling's GetProducts filters too.
- Studio apps are asked for by `platoinstancetype` and the bare `instanceType`. The values are
  those vantage-sh/ec2instances.info's sagemaker.py reads from the AmazonSageMaker offer file
  ("Studio-JupyterLab", "studio-codeeditor", "Studio-Notebook", "RStudio:RSession",
  "RStudio:RServer", "RStudio:RSessionGateway", ...), and `platoinstancetype=Studio-JupyterLab`
  with `instanceType=ml.g6.24xlarge` is a query public workshop tooling reports running against
  the live API (it returned an APN2-Studio:JupyterLab-ml.g6.24xlarge product). A key whose
  product the price list does not have is unknown, never guessed.
"""

from __future__ import annotations

from watchdog.signals.models import FallbackPrice, PriceComponentSpec, PriceFilters, PriceKey

SAGEMAKER_SERVICE_CODE = "AmazonSageMaker"
# The us-east-1 on-demand figures recorded as a snapshot in the project's aws-facts.md ("Cost
# data"), on this day; the AWS publication date of the figures was not recorded with them.
FACTS_SNAPSHOT = "2026-11-24"


def recorded(unit: str, usd_per_hour: float, what: str) -> FallbackPrice:
    """A us-east-1 on-demand price from aws-facts.md's snapshot."""
    source = f"aws-facts.md snapshot: {what}, us-east-1 on-demand"
    return FallbackPrice("us-east-1", unit, usd_per_hour, source, FACTS_SNAPSHOT)


def term_match(field: str, value: str) -> dict[str, str]:
    return {"Type": "TERM_MATCH", "Field": field, "Value": value}


def in_region(key: PriceKey) -> dict[str, str]:
    return term_match("regionCode", key.region)


def sagemaker_instances(
    name: str, words: str, component: str, fallback: tuple[FallbackPrice, ...] = ()
) -> PriceComponentSpec:
    """Instance hours found by the price list's `component` and `instanceName`."""

    def filters(key: PriceKey) -> PriceFilters:
        return [
            in_region(key),
            term_match("instanceName", key.unit),
            term_match("component", component),
        ]

    return PriceComponentSpec(
        name=name,
        words=words,
        service_code=SAGEMAKER_SERVICE_CODE,
        filters=filters,
        fallback=fallback,
    )


def studio_instances(name: str, words: str, plato_instance_type: str) -> PriceComponentSpec:
    """Studio app instance hours found by `platoinstancetype` and the bare `instanceType`."""

    def filters(key: PriceKey) -> PriceFilters:
        return [
            in_region(key),
            term_match("instanceType", key.unit),
            term_match("platoinstancetype", plato_instance_type),
        ]

    return PriceComponentSpec(
        name=name, words=words, service_code=SAGEMAKER_SERVICE_CODE, filters=filters
    )
