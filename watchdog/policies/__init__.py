"""Policies as data: YAML files validated by one pydantic schema."""

from watchdog.policies.json_schema import policy_json_schema
from watchdog.policies.load import (
    Checked,
    PolicyError,
    Problem,
    check_path,
    default_policies_dir,
    load_policies,
    validate_path,
)
from watchdog.policies.schema import Policy, PolicyFile

__all__ = [
    "Checked",
    "Policy",
    "PolicyError",
    "PolicyFile",
    "Problem",
    "check_path",
    "default_policies_dir",
    "load_policies",
    "policy_json_schema",
    "validate_path",
]
