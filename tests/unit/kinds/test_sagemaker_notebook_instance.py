"""sagemaker-notebook-instance: its states as AWS names them; its default policies."""

from __future__ import annotations

from tests.unit.policies.test_shipped_policies import shipped_for
from watchdog.kinds.sagemaker_notebook_instance import SPEC


def test_the_statuses_that_mean_a_stop_or_delete_is_under_way() -> None:
    # After a stop or delete call (ours, or a crashed run's), these statuses mean "wait", never
    # "call again".
    assert SPEC.teardown.in_progress == frozenset({"Deleting", "Stopping"})


def test_its_default_policies_are_shipped() -> None:
    assert {"notebooks-running-long", "stopped-notebooks-storage"} <= shipped_for(SPEC.kind)
