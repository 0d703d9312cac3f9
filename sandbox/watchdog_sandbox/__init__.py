"""The sandbox: moto, plus the project's additions for what moto lacks.

This is its own distribution (`ai-cost-watchdog-sandbox`, in the repository's sandbox/): the
scanner and the Lambda package never import it (an import contract in `make lint` keeps it so).
Each addition module exposes an idempotent `install()` that patches moto in place (moto looks
response handlers up at call time, so this works in-process and under `moto_server` alike).
`install()` below applies them all.
"""

from __future__ import annotations

import importlib

# One line per addition module; each must expose `install() -> None` (idempotent).
ADDITIONS: tuple[str, ...] = (
    "appconfig",
    "bedrock_custom_models",
    "bedrock_knowledge_bases",
    "bedrock_marketplace_endpoints",
    "bedrock_provisioned_throughput",
    "cloudwatch_index",
    "cost_explorer",
    "ec2_accelerated_instances",
    "ec2_security_groups",
    "journal",
    "knowledge_base_seeds",
    "organizations",
    "pricing",
    "sagemaker_instance_types",
    "sagemaker_user_profiles",
    "sagemaker_spaces",
    "sagemaker_apps",
    "sagemaker_domains",
    "sagemaker_inference_components",
    "sagemaker_mlflow",
    "sagemaker_search",
    "sagemaker_shadow_variants",
    "sagemaker_tags",
    "tag_rules",
)


def install() -> None:
    """Apply every sandbox addition to moto. Safe to call more than once."""
    for name in ADDITIONS:
        importlib.import_module(f"watchdog_sandbox.{name}").install()
