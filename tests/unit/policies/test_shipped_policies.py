"""The default policies in policies/: valid, named as promised, and safe."""

from __future__ import annotations

from watchdog.kinds.sagemaker_mlflow_tracking_server import RUNNING_STATES
from watchdog.policies import default_policies_dir, load_policies, validate_path

PROMISED = {
    "idle-endpoints",
    "idle-inference-components",
    "notebooks-running-long",
    "stopped-notebooks-storage",
    "studio-apps-running-long",
    "studio-idle-shutdown-disabled",
    "idle-provisioned-throughput",
    "idle-gpu-instances",
    "idle-vector-collections",
    "idle-canvas-sessions",
    "failed-endpoints",
    "mlflow-servers-running",
    "hyperpod-clusters-running",
    "team-over-budget",
}


def test_the_shipped_policies_validate_with_no_problems() -> None:
    assert validate_path(default_policies_dir()) == []


def test_the_shipped_policies_are_the_promised_ones_each_described() -> None:
    policies = load_policies(default_policies_dir())

    assert {p.name for p in policies} == PROMISED
    assert all(p.description.strip().endswith(".") for p in policies)


def test_no_shipped_policy_stops_or_deletes_without_a_person_approving() -> None:
    for policy in load_policies(default_policies_dir()):
        if policy.action != "notify":
            assert policy.approval.mode == "required", policy.name
        assert policy.approval.mode != "automatic", policy.name


def test_the_mlflow_policy_matches_every_running_state_of_the_kind() -> None:
    (policy,) = [
        p for p in load_policies(default_policies_dir()) if p.name == "mlflow-servers-running"
    ]

    assert set(policy.conditions.status or []) == RUNNING_STATES
