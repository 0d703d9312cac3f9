"""The sandbox: moto, plus the project's additions for what moto lacks.

This is its own distribution (`ai-cost-watchdog-sandbox`, in the repository's sandbox/): the
scanner and the Lambda package never import it (an import contract in `make lint` keeps it so).
Each addition module exposes an idempotent `install()` that patches moto in place (moto looks
response handlers up at call time, so this works in-process and under `moto_server` alike).
Kinds with a sandbox module of their own live in `watchdog_sandbox.kinds`, found there without
this list. `install()` below applies them all.
"""

from __future__ import annotations

import importlib

# One line per addition module; each must expose `install() -> None` (idempotent).
ADDITIONS: tuple[str, ...] = (
    "botocore_loader",  # first: before moto's EC2 models and the others make sessions
    "moto_serializer",
    "moto_actions",
    "appconfig",
    "bedrock_custom_models",
    "bedrock_provisioned_throughput",
    "cloudwatch_answer",
    "cloudwatch_index",
    "cloudwatch_recent",
    "cost_explorer",
    "ec2_security_groups",
    "journal",
    "organizations",
    "pricing",
    "sagemaker_instance_types",
    "sagemaker_user_profiles",
    "sagemaker_spaces",
    "sagemaker_apps",
    "sagemaker_domains",
    "sagemaker_inference_components",
    "sagemaker_component_scaling",
    "sagemaker_mlflow",
    "sagemaker_search",
    "sagemaker_shadow_variants",
    "sagemaker_endpoint_recreation",
    "sagemaker_variant_scaling",
    "sagemaker_tags",
    "tag_rules",
    "json_answer",  # last: it writes answers the others have finished
)


def install() -> None:
    """Apply every sandbox addition to moto, and every kind module's (watchdog_sandbox.kinds).
    Safe to call more than once."""
    from watchdog_sandbox.kinds import sandbox_kinds

    for name in ADDITIONS:
        importlib.import_module(f"watchdog_sandbox.{name}").install()
    for declared in sandbox_kinds():
        declared.install()
