"""sagemaker-mlflow-tracking-server: what its declaration says of AWS's states."""

from __future__ import annotations

from watchdog.kinds.sagemaker_mlflow_tracking_server import SPEC


def test_the_statuses_that_mean_a_stop_or_delete_is_under_way() -> None:
    # After a stop or delete call (ours, or a crashed run's), these statuses mean "wait", never
    # "call again".
    assert SPEC.teardown.in_progress == frozenset({"Deleting", "Stopping"})
