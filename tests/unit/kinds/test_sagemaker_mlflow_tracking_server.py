"""sagemaker-mlflow-tracking-server: its states as AWS names them; its default policies."""

from __future__ import annotations

from tests.unit.policies.test_shipped_policies import shipped_for
from watchdog.kinds.sagemaker_mlflow_tracking_server import RUNNING_STATES, SPEC
from watchdog.policies import default_policies_dir, load_policies


def test_the_statuses_that_mean_a_stop_or_delete_is_under_way() -> None:
    # After a stop or delete call (ours, or a crashed run's), these statuses mean "wait", never
    # "call again".
    assert SPEC.teardown.in_progress == frozenset({"Deleting", "Stopping"})


def test_its_default_policies_are_shipped() -> None:
    assert {"mlflow-servers-running"} <= shipped_for(SPEC.kind)


def test_the_mlflow_policy_matches_every_running_state_of_the_kind() -> None:
    (policy,) = [
        p for p in load_policies(default_policies_dir()) if p.name == "mlflow-servers-running"
    ]

    assert set(policy.conditions.status or []) == RUNNING_STATES
