"""bedrock-provisioned-throughput: its states as AWS names them; its default policies."""

from __future__ import annotations

from tests.unit.policies.test_shipped_policies import shipped_for
from watchdog.kinds.bedrock_provisioned_throughput import SPEC


def test_no_status_means_a_delete_is_under_way() -> None:
    # ProvisionedModelStatus (botocore's bedrock model) is Creating, InService, Updating or
    # Failed: none says a delete is still being carried out, so a step never waits on one.
    assert SPEC.teardown.in_progress == frozenset()


def test_its_default_policies_are_shipped() -> None:
    assert {"idle-provisioned-throughput"} <= shipped_for(SPEC.kind)
